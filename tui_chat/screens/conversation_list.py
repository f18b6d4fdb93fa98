"""Saved conversations: open one, rename it, or delete it (after a confirmation)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui_chat.config import display_path
from tui_chat.safety import untrusted_line
from tui_chat.session.store import ConversationStore, ConversationSummary, StoreError
from tui_chat.wording import count_of


class ConversationListScreen(ModalScreen[str | None]):
    """Dismisses with the id of the conversation to open, or None."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close"),
        Binding("enter", "open", "Open", priority=True),
        Binding("r", "rename", "Rename"),
        Binding("d,delete", "delete", "Delete"),
    ]

    def __init__(self, store: ConversationStore, current_id: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.current_id = current_id
        self.summaries: list[ConversationSummary] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="conversation-list"):
            yield Static(id="list-title", markup=False)
            yield OptionList(id="conversations")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def reload(self, select: str | None = None) -> None:
        """Read the list again; highlight `select` (an id) if it is still there, else the newest."""
        try:
            self.summaries = self.store.list_conversations()
        except StoreError as error:
            self.summaries = []
            self.notify(untrusted_line(str(error)), severity="error", markup=False, timeout=10)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([self._option(summary) for summary in self.summaries])
        title = f"{count_of(len(self.summaries), 'saved conversation')}, newest first — {display_path(self.store.path)}"
        self.query_one("#list-title", Static).update(Content(title))
        if self.summaries:
            ids = [summary.id for summary in self.summaries]
            options.highlighted = ids.index(select) if select in ids else 0

    def _option(self, summary: ConversationSummary) -> Option:
        marker = "● " if summary.id == self.current_id else "  "
        model = untrusted_line(summary.model)
        model = f"replay of a recording by {model}" if summary.replay else model
        details = f"{summary.when} · {model} · {count_of(summary.turn_count, 'message')} · {untrusted_line(summary.id)}"
        if summary.unreadable:
            details += f" · could not read {summary.unreadable}"
        return Option(
            Content.assemble(
                marker,
                (untrusted_line(summary.title) or "(untitled)", "bold"),
                "\n    ",
                (untrusted_line(details), "dim"),
            )
        )

    @property
    def highlighted(self) -> ConversationSummary | None:
        index = self.query_one(OptionList).highlighted
        return None if index is None or index >= len(self.summaries) else self.summaries[index]

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_open(self) -> None:
        summary = self.highlighted
        if summary is not None:
            self.dismiss(summary.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.summaries[event.option_index].id)

    def action_rename(self) -> None:
        summary = self.highlighted
        if summary is None:
            return

        def renamed(title: str | None) -> None:
            if title and title.strip():
                try:
                    self.store.rename(summary.id, title.strip())
                except (StoreError, sqlite3.Error) as error:
                    self.notify(f"Not renamed: {untrusted_line(str(error))}", severity="error", markup=False)
                    return
                self.reload(select=summary.id)

        self.app.push_screen(RenameScreen(untrusted_line(summary.title)), renamed)

    def action_delete(self) -> None:
        summary = self.highlighted
        if summary is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                try:
                    self.store.delete(summary.id)
                except (StoreError, sqlite3.Error) as error:
                    self.notify(f"Not deleted: {untrusted_line(str(error))}", severity="error", markup=False)
                    return
                self.notify(f"Deleted “{untrusted_line(summary.title)}”.", markup=False)
                self.reload()

        self.app.push_screen(ConfirmScreen(f"Delete “{untrusted_line(summary.title)}” for good?"), confirmed)


class RenameScreen(ModalScreen[str | None]):
    CSS_PATH = Path(__file__).with_name("conversation_list.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="small-dialog"):
            yield Static(Content("New title:"), markup=False)
            yield Input(value=self.title_text, id="new-title")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    CSS_PATH = Path(__file__).with_name("conversation_list.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "No"),
        Binding("y", "answer(True)", "Yes"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="small-dialog"):
            yield Static(Content(self.question), markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Delete (y)", id="yes", variant="error")
                yield Button("Keep (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
