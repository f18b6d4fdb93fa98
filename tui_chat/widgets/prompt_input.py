"""The prompt: Enter sends, ctrl+j (works over SSH) or shift+enter inserts a newline, ↑/↓ recall history."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingsMap, BindingType
from textual.content import Content
from textual.widget import Widget
from textual.widgets import TextArea

from tui_chat.attachments import Attachment
from tui_chat.bindings import bindings
from tui_chat.commands import Scope, active_keymap
from tui_chat.messages import PromptSubmitted


def own_bindings(widget_class: type[TextArea]) -> dict[str, list[Binding]]:
    """The key bindings a widget class declares (its own and its bases'), by key, with the user's
    `[keys]` applied: a subclass's bindings of a key replace its bases', as Textual merges them."""
    return _own_bindings(widget_class, tuple(sorted(active_keymap().textual_keymap().items())))


@cache
def _own_bindings(widget_class: type[TextArea], keymap: tuple[tuple[str, str], ...]) -> dict[str, list[Binding]]:
    by_key: dict[str, list[Binding]] = {}
    for base in reversed(widget_class.__mro__):
        declared = base.__dict__.get("BINDINGS")
        if declared:
            bindings_map = BindingsMap(declared)
            if keymap:
                bindings_map.apply_keymap(dict(keymap))
            by_key.update(bindings_map.key_to_bindings)
    return by_key


def type_into_prompt(widget: Widget, event: events.Key) -> bool:
    """For a pane that is not a text field (the conversation, the inspector): a printable key that is
    none of the keys active there goes to the prompt, which takes the focus, as if typed there.

    Called from the pane's own key handler, so a burst of keys keeps its order: the focus moves at
    once (keys still to come go to the prompt) and this key is handed to the prompt's queue first."""
    if not event.is_printable or event.character is None:
        return False
    active = widget.screen.active_bindings.get(event.key)
    if active is not None and active.enabled:
        return False
    prompts = widget.screen.query(PromptInput)
    if not prompts or prompts.first().disabled:
        return False
    prompt = prompts.first()
    event.prevent_default()
    event.stop()
    widget.screen.set_focus(prompt)
    prompt.post_message(events.Key(event.key, event.character))
    return True


class PromptInput(TextArea):
    """A multi-line input that posts `PromptSubmitted` on Enter and remembers what was sent."""

    # Enter is handled in `on_key`, in order with the keys typed before it (the binding shows it on the key bar).
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

    def show_attachments(self, attachments: Sequence[Attachment]) -> None:
        """Name the files that go with the next message on the prompt's border (nothing when none)."""
        if not attachments:
            self.border_title = None
            return
        names = "; ".join(attachment.describe() for attachment in attachments)
        self.border_title = Content.assemble(("Attached: ", "bold"), names, ("  (/attach clear)", "dim"))

    @property
    def unsent(self) -> str:
        """What is being written: the text, or (while a sent prompt is recalled with ↑) what was there before."""
        return self._draft if self._position is not None else self.text

    def set_history(self, entries: list[str]) -> None:
        self.sent = [entry for entry in entries if entry.strip()]
        self._position = None

    async def on_key(self, event: events.Key) -> None:
        """Enter sends; every other key bound here (ctrl+j, shift+enter, ↑/↓, and the text area's own
        editing keys: backspace, delete, ctrl+w, ctrl+v...) runs its action here too, in this widget's
        queue, in order with the keys typed around it.

        Neither a priority binding nor an ordinary one would: a priority binding runs when the app
        receives the key, an ordinary one when the key has bubbled back up to the app, and in both
        cases the keys that arrived in the same read (fast typing over SSH, a paste without bracketed
        paste) reach the text on their own schedule: `first` ctrl+j `second` became `firstsecond` and a
        newline at the end, and an Enter would send a truncated prompt."""
        if event.key == "enter":
            event.prevent_default()
            event.stop()
            self.action_submit()
            return
        for binding in own_bindings(type(self)).get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.prevent_default()
                event.stop()
                return

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
