"""The prompt: Enter sends, ctrl+j (works over SSH) or shift+enter inserts a newline."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import TextArea

from tui_chat.messages import PromptSubmitted


class PromptInput(TextArea):
    """A multi-line input that posts `PromptSubmitted` on Enter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Send", priority=True),
        Binding("ctrl+j", "newline", "Newline", key_display="^j"),
        Binding("shift+enter", "newline", "Newline", show=False),
    ]

    DEFAULT_CSS = """
    PromptInput {
        height: auto;
        min-height: 3;
        max-height: 12;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            "",
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            compact=False,
            placeholder="Ask Claude…  (Enter sends · ctrl+j newline · /help)",
        )

    def action_submit(self) -> None:
        text = self.text
        if not text.strip():
            return
        self.post_message(PromptSubmitted(text))
        self.clear()

    def action_newline(self) -> None:
        self.insert("\n")
