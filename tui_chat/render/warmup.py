"""Compile the syntax highlighters of common languages off the UI thread, before the first code block.

Pygments compiles a lexer's regular expressions the first time the lexer is used, a visible stall in
the middle of the first answer with code (README, Performance). The start-up thread pays it instead.
"""

from __future__ import annotations

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


def warm_up_lexers(languages: tuple[str, ...] = COMMON_LANGUAGES) -> None:
    from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]
    from pygments.util import ClassNotFound  # type: ignore[import-untyped]

    for language in languages:
        try:
            for _ in get_lexer_by_name(language).get_tokens("x = 1\n"):
                pass
        except ClassNotFound:
            continue
