"""Deterministic benchmark answers of a given size and kind, for `python -m tui_chat.bench`.

Three kinds, each exactly `tokens` demo tokens long (`script.count_tokens`), the same bytes on
every run: `prose` (paragraphs), `markdown` (headings, lists, a table, inline code and fenced code
blocks) and `code` (one long fenced Python block, the case that stalls a naive markdown widget).
The demo server answers a prompt like `bench prose 2000` (or `bench code 8000 rate=100`) with them;
see `parse_bench_prompt`. Not listed among the user-facing scenarios.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from tui_chat.demo.script import count_tokens, split_tokens


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


BenchKind = Literal["prose", "markdown", "code"]
KINDS: tuple[BenchKind, ...] = ("prose", "markdown", "code")

_PROMPT = re.compile(
    r"^\s*bench\s+(prose|markdown|code)\s+(\d{1,7})(?:\s+rate=(\d+(?:\.\d+)?))?(?:\s+first=(\d+(?:\.\d+)?))?\s*$",
    re.IGNORECASE,
)

_WORDS = _words(
    "stream token server client event delta frame buffer render widget screen terminal latency budget "
    "answer model request response header chunk socket parser markdown paragraph heading table column "
    "cursor scroll layout refresh timer loop task queue message batch flush window frame rate second "
    "byte line block fence highlight theme colour style measure profile figure target ratio careful "
    "quick steady simple plain clear small large whole partial every other first last next previous"
)

_IDENTIFIERS = _words(
    "buffer chunk delta frame index offset total count width height source target result value item "
    "event parser reader writer stream queue batch limit cursor window timer state"
)


@dataclass(frozen=True)
class BenchRequest:
    """What a `bench ...` prompt asks for."""

    kind: BenchKind
    tokens: int
    tokens_per_second: float
    """0: as fast as possible."""
    first_token_delay: float
    """Seconds between `message_start` and the first delta."""


def parse_bench_prompt(text: str) -> BenchRequest | None:
    """`bench KIND TOKENS [rate=TOKENS_PER_SECOND] [first=SECONDS]`; None if `text` is not one."""
    match = _PROMPT.match(text)
    if match is None:
        return None
    kind, tokens, rate, first = match.groups()
    return BenchRequest(
        kind=kind.lower(),  # type: ignore[arg-type]  # the regex admits only the three kinds
        tokens=max(1, int(tokens)),
        tokens_per_second=float(rate) if rate else 0.0,
        first_token_delay=float(first) if first else 0.0,
    )


def bench_prompt(kind: BenchKind, tokens: int, *, rate: float = 0.0, first: float = 0.0) -> str:
    """The prompt that makes the demo server answer with `bench_text(kind, tokens)`."""
    text = f"bench {kind} {tokens}"
    if rate:
        text += f" rate={rate:g}"
    if first:
        text += f" first={first:g}"
    return text


def bench_text(kind: BenchKind, tokens: int, *, seed: int = 7) -> str:
    """`tokens` demo tokens of `kind` (`code`: at least 2), deterministic for a given seed."""
    rng = random.Random(f"{kind}-{seed}")
    if kind == "code":
        return _fenced(_code_lines(rng), tokens)
    source = _prose(rng) if kind == "prose" else _markdown(rng)
    return _take(source, tokens)


def _take(source: Iterator[str], tokens: int) -> str:
    """The first `tokens` tokens of the text that `source` yields piece by piece."""
    parts: list[str] = []
    estimate = 0
    for text in source:
        parts.append(text)
        estimate += len(text) // 3 + 1  # tokens are at most 4 characters: this overshoots safely
        if estimate > 2 * tokens + 64:
            break
    return "".join(split_tokens("".join(parts))[:tokens])


def _fenced(lines: Iterator[str], tokens: int) -> str:
    """One fenced block of exactly `tokens` tokens: the opening line, code (cut to size), the closing fence."""
    opening, closing = "```python\n", "\n```"
    budget = max(1, tokens - count_tokens(closing))  # the closing fence is one token
    text = _take((opening + line if number == 0 else "\n" + line for number, line in enumerate(lines)), budget)
    return text + closing


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 16))]
    return " ".join(words).capitalize() + rng.choice(".....?!")


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 7)))


def _prose(rng: random.Random) -> Iterator[str]:
    first = True
    while True:
        yield ("" if first else "\n\n") + _paragraph(rng)
        first = False


def _markdown(rng: random.Random) -> Iterator[str]:
    section = 0
    yield "# Benchmark answer\n\n" + _paragraph(rng)
    while True:
        section += 1
        yield f"\n\n## Section {section}: {rng.choice(_WORDS)} {rng.choice(_WORDS)}\n\n" + _paragraph(rng)
        yield "\n\n" + "\n".join(
            f"- **{rng.choice(_WORDS)}**: {_sentence(rng)} Use `{rng.choice(_IDENTIFIERS)}()` here."
            for _ in range(rng.randint(2, 5))
        )
        if section % 3 == 0:
            header = "| name | value | note |\n|---|---:|---|\n"
            rows = "\n".join(
                f"| `{rng.choice(_IDENTIFIERS)}` | {rng.randint(1, 9999)} | {rng.choice(_WORDS)} |"
                for _ in range(rng.randint(3, 6))
            )
            yield "\n\n" + header + rows
        code = "\n".join(_take_lines(_code_lines(rng), rng.randint(8, 30)))
        yield f"\n\n{_paragraph(rng)}\n\n```python\n{code}\n```"


def _take_lines(lines: Iterator[str], count: int) -> list[str]:
    return [line for _, line in zip(range(count), lines, strict=False)]


def _code_lines(rng: random.Random) -> Iterator[str]:
    """Plausible Python: functions with docstrings, loops, strings and comments, line by line."""
    number = 0
    while True:
        number += 1
        name = f"{rng.choice(_IDENTIFIERS)}_{rng.choice(_IDENTIFIERS)}_{number}"
        args = ", ".join(rng.sample(_IDENTIFIERS, rng.randint(1, 3)))
        yield f"def {name}({args}):"
        yield f'    """{_sentence(rng)}"""'
        variable = rng.choice(_IDENTIFIERS)
        yield f"    {variable} = []"
        for _ in range(rng.randint(2, 6)):
            kind = rng.randint(0, 4)
            other = rng.choice(_IDENTIFIERS)
            if kind == 0:
                yield f"    for {other} in range({rng.randint(2, 500)}):"
                yield f"        {variable}.append({other} * {rng.randint(2, 9)})"
            elif kind == 1:
                yield f"    # {_sentence(rng)}"
            elif kind == 2:
                yield f'    {other} = "{rng.choice(_WORDS)} {rng.choice(_WORDS)}"  # {rng.choice(_WORDS)}'
            elif kind == 3:
                yield f"    if len({variable}) > {rng.randint(1, 64)}:"
                yield f"        return {variable}[:{rng.randint(1, 16)}]"
            else:
                yield f"    {variable}.extend([{rng.randint(0, 99)}, {rng.random():.3f}, None])"
        yield f"    return {variable}"
        yield ""
