"""Small helpers for the words shown to people (no Textual import)."""

from __future__ import annotations


def count_of(count: int, noun: str, plural: str | None = None) -> str:
    """`1 conversation`, `3 conversations`, `1,200 events`: a number with its noun agreeing."""
    word = noun if count == 1 else (plural or noun + "s")
    return f"{count:,} {word}"
