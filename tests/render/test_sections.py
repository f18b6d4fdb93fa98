"""The conversation view's sections (`render/sections.py`): the start card, the TTFT bars."""

from __future__ import annotations

import re

from rich.cells import cell_len

from tui_chat.render.sections import HintSection, bar


def test_the_start_card_keeps_each_phrase_whole() -> None:
    phrases = [
        "every server-sent event",
        r"F1\s+every key and slash command",
        r"ctrl\+p\s+the command palette",
        r"ctrl\+l\s+saved conversations",
        r"/replay\s+recorded streams, step by step",
    ]
    for width in (80, 120, 200):  # the conversation pane of an 80-, 120- and 200-column terminal
        lines = [line.plain for line in HintSection().lines(width - 4)]
        assert all(cell_len(line) <= width - 4 for line in lines)
        for phrase in phrases:
            assert any(re.search(phrase, line) for line in lines), (width, phrase, lines)
    wide = [line.plain for line in HintSection().lines(116)]
    assert any("every key and slash command" in line and "ctrl+p" in line for line in wide)  # two columns


def test_bars() -> None:
    assert bar(1.0, 1.0, 10) == "█" * 10
    assert bar(0.5, 1.0, 10) == "█" * 5 + " " * 5
    assert bar(0.0001, 1.0, 10).strip() == "▏"
    assert bar(None, 1.0, 4) == "    "
