"""A tool call: its name, and its JSON input as it streams (pretty-printed when complete)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from tui_chat.session.model import Block


class ToolUseBlock(Vertical):
    DEFAULT_CSS = """
    ToolUseBlock {
        height: auto;
        margin: 1 0;
        padding: 0 1;
        border: round $secondary;
    }
    ToolUseBlock .tool-input { color: $text-muted; }
    """

    def __init__(self, block: Block) -> None:
        super().__init__()
        self.block = block
        self._input = ""
        where = "runs on the server" if block.kind == "server_tool_use" else "claude-tui does not run tools"
        self.border_title = Content.from_markup("⚙ tool call: $name", name=block.name or block.kind)
        self.border_subtitle = Content(where)

    def compose(self) -> ComposeResult:
        yield Static(Content(self._input or "…"), markup=False, classes="tool-input")

    def add_text(self, text: str) -> None:
        self._input += text
        self.query_one(".tool-input", Static).update(Content(self._input))

    def complete(self, block: Block) -> None:
        self._input = block.text
        if self.is_mounted:
            self.query_one(".tool-input", Static).update(Content(block.text))
