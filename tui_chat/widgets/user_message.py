"""A user's message in the conversation (plain text, never markup)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from tui_chat.session.model import Turn

SHOWN_CHARACTERS = 8_000


class UserMessage(Static):
    DEFAULT_CSS = """
    UserMessage {
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: thick $accent;
        background: $boost;
    }
    """

    def __init__(self, turn: Turn) -> None:
        text = turn.text
        if len(text) > SHOWN_CHARACTERS:  # a huge paste: laying out a megabyte of text would stall the UI
            hidden = len(text) - SHOWN_CHARACTERS
            text = (
                f"{text[:SHOWN_CHARACTERS]}\n… and {hidden:,} more characters (all of it was sent; ctrl+s exports it)"
            )
        super().__init__(Content(text), markup=False)
        self.turn = turn
