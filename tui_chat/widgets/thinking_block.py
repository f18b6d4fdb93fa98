"""A thinking block: collapsed by default, its text streams in as plain text."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Collapsible, Static


class ThinkingBlock(Collapsible):
    DEFAULT_CSS = """
    ThinkingBlock {
        margin: 0;
        padding: 0;
        border: none;
        background: transparent;
        color: $text-muted;
    }
    ThinkingBlock > Contents { padding: 0 0 0 2; }
    """

    def __init__(self, text: str = "") -> None:
        self._text = text
        self._body = Static(Content(text), markup=False, classes="thinking-text")
        super().__init__(self._body, title="Thinking…", collapsed=True)

    def add_text(self, text: str) -> None:
        self._text += text
        self._body.update(Content(self._text))

    def complete(self, text: str) -> None:
        self._text = text
        self._body.update(Content(text))
        self.title = f"Thinking ({len(text):,} characters)"
