"""The find bar (ctrl+f): a one-line box under the conversation, and how many matches there are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from tui_chat.bindings import bindings
from tui_chat.commands import Scope


class FindInput(Input):
    """What to find: typing searches, Enter/↓ and ↑ step through the matches, Esc closes."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(Scope.FIND)

    @dataclass
    class Step(Message):
        """Go to the next (`1`) or previous (`-1`) match."""

        step: int

    class Close(Message):
        """Close the find bar."""

    def action_step(self, step: int) -> None:
        self.post_message(self.Step(step))

    def action_close(self) -> None:
        self.post_message(self.Close())


class FindBar(Horizontal):
    """The find box and its count (`3 of 12`); hidden until ctrl+f."""

    DEFAULT_CSS = """
    FindBar { height: 1; display: none; padding: 0 1; }
    FindBar.-open { display: block; }
    FindBar > FindInput { width: 1fr; height: 1; border: none; padding: 0; }
    FindBar > #find-count { width: auto; min-width: 12; color: $text-muted; padding-left: 1; }
    """

    def compose(self) -> ComposeResult:
        yield FindInput(placeholder="Find in the conversation…  (Enter/↓ next · ↑ previous · Esc closes)", compact=True)
        yield Static(id="find-count", markup=False)

    @property
    def input(self) -> FindInput:
        return self.query_one(FindInput)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open(self, query: str | None = None) -> None:
        """Show the bar with the focus in it (`query` in the box, if given; else what was there, selected)."""
        self.add_class("-open")
        box = self.input
        if query is not None:
            box.value = query
            box.cursor_position = len(query)
        else:
            box.select_all()
        box.focus()

    def close(self) -> None:
        self.remove_class("-open")
        self.show_count(None)

    def show_count(self, position: tuple[int, int] | None) -> None:
        """`(current, total)` of the matches, or None for nothing to say."""
        if position is None or not self.input.value.strip():
            text = ""
        elif position[1] == 0:
            text = "no match"
        else:
            text = f"{position[0]} of {position[1]}"
        self.query_one("#find-count", Static).update(Content(text))
