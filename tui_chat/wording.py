"""Small helpers for the words shown to people (no Textual import)."""

from __future__ import annotations

from typing import Literal


def count_of(count: int, noun: str, plural: str | None = None) -> str:
    """`1 conversation`, `3 conversations`, `1,200 events`: a number with its noun agreeing."""
    word = noun if count == 1 else (plural or noun + "s")
    return f"{count:,} {word}"


def duration(seconds: float | None, unit: Literal["s", "ms", "auto"] = "s", *, compact: bool = False) -> str:
    """A time as people read it, `—` when it is not known.

    `s`: seconds to the hundredth (`1.25 s`); `ms`: whole milliseconds (`1,250 ms`); `auto`: milliseconds
    under 10 s, tenths of a second from there (`12.5 s`). `compact` leaves out the space (a narrow column).
    """
    if seconds is None:
        return "—"
    if unit == "ms" or (unit == "auto" and seconds < 10):
        number, symbol = f"{seconds * 1000:,.0f}", "ms"
    elif unit == "auto":
        number, symbol = f"{seconds:,.1f}", "s"
    else:
        number, symbol = f"{seconds:,.2f}", "s"
    return f"{number}{symbol}" if compact else f"{number} {symbol}"
