"""A block that arrives whole and is not text: redacted thinking, server tool results, unknown types."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from tui_chat.session.model import Block


class OpaqueBlock(Static):
    DEFAULT_CSS = """
    OpaqueBlock {
        color: $text-muted;
        text-style: italic;
        margin: 0 0 1 0;
    }
    """

    def __init__(self, block: Block) -> None:
        super().__init__(Content.from_markup("[b]$kind[/b] · $text", kind=block.kind, text=block.text), markup=False)
        self.block = block
