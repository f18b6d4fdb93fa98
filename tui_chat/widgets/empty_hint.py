"""What an empty conversation shows: how to start, and where to look (switch off with `hints = false`)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

HINT = Content.assemble(
    ("Ask anything, then press Enter.", "bold"),
    "\n\n",
    ("F2  ", "bold"),
    "the event inspector: every server-sent event of the answer as it arrives\n",
    ("F1  ", "bold"),
    "every key and slash command        ",
    ("ctrl+p  ", "bold"),
    "the command palette\n",
    ("ctrl+l  ", "bold"),
    "saved conversations                ",
    ("/replay  ", "bold"),
    "recorded streams, step by step\n\n",
    ("In demo mode, try a message with: ", "dim"),
    ("long · code · think · tool · error · drop · slow · 429 · 日本語", "dim italic"),
)


class EmptyHint(Static):
    DEFAULT_CSS = """
    EmptyHint {
        margin: 2 2;
        padding: 1 2;
        color: $text-muted;
        border: round $primary 30%;
    }
    """

    def __init__(self) -> None:
        super().__init__(HINT, markup=False)
