"""The prompt: Enter sends, ctrl+j (works over SSH) or shift+enter inserts a newline, ↑/↓ recall history."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import BindingType
from textual.widgets import TextArea

from tui_chat.bindings import bindings
from tui_chat.commands import Scope, active_keymap
from tui_chat.messages import PromptSubmitted


class PromptInput(TextArea):
    """A multi-line input that posts `PromptSubmitted` on Enter and remembers what was sent."""

    # Enter is handled in `_on_key`, in order with the keys typed before it (the binding shows it on the key bar).
    BINDINGS: ClassVar[list[BindingType]] = bindings(Scope.PROMPT)

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
            placeholder=f"Ask Claude…  (Enter sends · {active_keymap().label('newline')} newline · ↑ history · /help)",
        )
        self.sent: list[str] = []
        self._position: int | None = None
        """Index into `sent` being shown, None when showing the draft."""
        self._draft = ""

    @property
    def unsent(self) -> str:
        """What is being written: the text, or (while a sent prompt is recalled with ↑) what was there before."""
        return self._draft if self._position is not None else self.text

    def set_history(self, entries: list[str]) -> None:
        self.sent = [entry for entry in entries if entry.strip()]
        self._position = None

    async def _on_key(self, event: events.Key) -> None:
        """Enter sends. Handled here, in this widget's queue, not as a priority binding: a priority
        binding runs when the app receives the key, before the keys typed just ahead of it reach the
        text (fast typing over SSH, a paste without bracketed paste), and would send a truncated prompt."""
        if event.key == "enter":
            event.prevent_default()
            event.stop()
            self.action_submit()

    def action_submit(self) -> None:
        text = self.text
        if not text.strip():
            return
        self.post_message(PromptSubmitted(text))
        if not self.sent or self.sent[-1] != text:
            self.sent.append(text)
        self._position = None
        self._draft = ""
        self.clear()

    def action_newline(self) -> None:
        self.insert("\n")

    def action_history(self, step: int) -> None:
        """↑ on the first line (↓ on the last) walks the prompts sent; elsewhere it moves the cursor."""
        row, _ = self.cursor_location
        at_edge = row == 0 if step < 0 else row == self.document.line_count - 1
        if not at_edge or not self.sent:
            self.action_cursor_up() if step < 0 else self.action_cursor_down()
            return
        if self._position is None:
            if step > 0:
                return
            self._draft = self.text
            position = len(self.sent) - 1
        else:
            position = self._position + step
        if position >= len(self.sent):
            self._position = None
            self.text = self._draft
        else:
            self._position = max(0, position)
            self.text = self.sent[self._position]
        self.move_cursor(self.document.end)
