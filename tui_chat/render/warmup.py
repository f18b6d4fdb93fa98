"""Compile the syntax highlighters of common languages off the UI thread, before the first code block.

Pygments compiles a lexer's regular expressions the first time the lexer is used, a visible stall in
the middle of the first answer with code (README, Performance). The start-up thread pays it instead.
"""

from __future__ import annotations

from collections.abc import Callable

COMMON_LANGUAGES = (
    "python",
    "javascript",
    "typescript",
    "bash",
    "json",
    "rust",
    "go",
    "java",
    "c",
    "cpp",
    "sql",
    "html",
    "css",
    "yaml",
    "toml",
    "diff",
)


def warm_up_lexers(
    languages: tuple[str, ...] = COMMON_LANGUAGES, *, before_each: Callable[[], None] | None = None
) -> None:
    """Compile each language's lexer; `before_each` runs before each one (it may wait: an answer
    streaming should not share the interpreter with this)."""
    from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]
    from pygments.util import ClassNotFound  # type: ignore[import-untyped]

    for language in languages:
        if before_each is not None:
            before_each()
        try:
            for _ in get_lexer_by_name(language).get_tokens("x = 1\n"):
                pass
        except ClassNotFound:
            continue
