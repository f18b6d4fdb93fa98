"""A user's message in the conversation (plain text, never markup)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from tui_chat.session.model import Turn


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
        super().__init__(Content(turn.text), markup=False)
        self.turn = turn
