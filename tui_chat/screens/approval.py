"""The approval prompt: Claude asks to run a tool; y runs it, a always runs this tool (in this
conversation), n refuses it with a reason Claude reads, Esc stops the turn.

A modal screen, so the keys cannot reach the prompt (or be typed into it), and the prompt's text is
left as it was. Keys pressed in the first moment after it opens are ignored (and restart that moment):
someone typing a message when it appears does not approve a call by accident.
"""

from __future__ import annotations

import time
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui_chat.bindings import bindings
from tui_chat.commands import Scope, active_keymap
from tui_chat.session.approval import Approval, ApprovalRequest, Decision

ARMING_DELAY = 0.6
"""Seconds with no key pressed before y/a/n/Esc count (a key in that time restarts it)."""
SHOWN_INPUT_CHARACTERS = 20_000


class ApprovalScreen(ModalScreen[Approval]):
    """One tool call: its name, where it runs, its input JSON; dismissed with the user's decision."""

    DEFAULT_CSS = """
    ApprovalScreen { align: center middle; background: $background 50%; }
    ApprovalScreen > #approval { width: 96; max-width: 96%; height: auto; max-height: 90%;
        border: thick $warning; background: $surface; padding: 0 1; }
    ApprovalScreen #approval-title { margin: 0 0 1 0; }
    ApprovalScreen #approval-input { height: auto; max-height: 20; border: round $secondary 60%;
        border-title-color: $text-muted; background: $boost; padding: 0 1; }
    ApprovalScreen #approval-keys { margin: 1 0 0 0; }
    ApprovalScreen #approval-reason { display: none; margin: 1 0 0 0; }
    ApprovalScreen.-refusing #approval-reason { display: block; }
    ApprovalScreen.-refusing #approval-keys { display: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings(Scope.APPROVAL)

    def __init__(self, request: ApprovalRequest, *, arming_delay: float = ARMING_DELAY) -> None:
        super().__init__()
        self.request = request
        self.arming_delay = arming_delay
        self._armed_at = time.monotonic() + arming_delay

    @property
    def armed(self) -> bool:
        return time.monotonic() >= self._armed_at

    def compose(self) -> ComposeResult:
        request = self.request
        count = f" ({request.position} of {request.count} calls in this answer)" if request.count > 1 else ""
        title = Content.assemble(
            ("Claude asks to run a tool", "bold $warning"),
            count,
            "\n",
            ("⚙ ", "bold"),
            (request.name, "bold $secondary"),
            ("  ·  ", "dim"),
            (request.where, "italic"),
            "\n",
            (request.description, "$text-muted"),
        )
        shown = request.input_json
        if len(shown) > SHOWN_INPUT_CHARACTERS:
            shown = f"{shown[:SHOWN_INPUT_CHARACTERS]}\n… ({len(request.input_json):,} characters in all)"
        with Vertical(id="approval"):
            yield Static(title, id="approval-title", markup=False)
            with VerticalScroll(id="approval-input") as scroll:
                scroll.border_title = "input (JSON, as Claude sent it)"
                yield Static(Content(shown), markup=False)
            yield Static(self._keys(), id="approval-keys", markup=False)
            yield Input(placeholder="Why not? (Claude reads this; Enter refuses, Esc goes back)", id="approval-reason")

    def _keys(self, waiting: bool = False) -> Content:
        keys = active_keymap()

        def key(command_id: str, what: str) -> Content:
            return Content.assemble((f" {keys.label(command_id)} ", "bold reverse"), f" {what}   ")

        row = Content.assemble(
            key("approve_run", "run"),
            key("approve_always", f"always run {self.request.name} here"),
            key("approve_refuse", "refuse…"),
            key("approve_stop", "stop"),
        )
        if waiting:
            return Content.assemble(row, ("\n(keys count in a moment: a key pressed just now is ignored)", "dim"))
        return row

    def on_mount(self) -> None:
        self.query_one("#approval").focus()
        self.set_timer(self.arming_delay + 0.05, self._refresh_keys)

    def _refresh_keys(self) -> None:
        self.query_one("#approval-keys", Static).update(self._keys(waiting=not self.armed))

    def on_key(self, event: events.Key) -> None:
        """A key before the prompt is armed is swallowed, and restarts the wait."""
        if self.has_class("-refusing"):
            return
        if not self.armed:
            event.stop()
            event.prevent_default()
            self._armed_at = time.monotonic() + self.arming_delay
            self._refresh_keys()
            self.set_timer(self.arming_delay + 0.05, self._refresh_keys)

    def action_decide(self, decision: str) -> None:
        if not self.armed:
            return
        if self.has_class("-refusing"):  # Esc in the reason box: back to the choice
            if decision == Decision.STOP:
                self.remove_class("-refusing")
                self.query_one("#approval").focus()
            return
        if decision == Decision.REFUSE:
            self.add_class("-refusing")
            self.query_one("#approval-reason", Input).focus()
            return
        self.dismiss(Approval(Decision(decision)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(Approval(Decision.REFUSE, event.value.strip()))
