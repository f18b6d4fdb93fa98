"""Saved conversations: search them all as you type, open one (at the match), rename it, or delete it."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui_chat.bindings import bindings
from tui_chat.commands import Scope
from tui_chat.config import display_path
from tui_chat.safety import untrusted_line
from tui_chat.session.search import MatchingLine
from tui_chat.session.store import (
    ConversationStore,
    ConversationSummary,
    SearchHit,
    StoreError,
    search_conversations,
)
from tui_chat.wording import count_of

SEARCH_DELAY = 0.12
"""Seconds of quiet in the search box before it searches (each key does not start a search of its own)."""

SEARCH_LIMIT = 100
"""Conversations a search lists."""

PAGE = 60
"""Conversations put in the list at a time: more as the highlight or the scroll nears the end (an option
list measures every option it holds, so thousands at once are slow to show)."""


@dataclass(frozen=True)
class ListChoice:
    """The conversation to open and, when it was found by a search, where: its matching message and the words."""

    conversation_id: str
    position: int | None = None
    query: str = ""


class ConversationListScreen(ModalScreen[ListChoice | None]):
    """Dismisses with the conversation to open, or None."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")

    BINDINGS: ClassVar[list[BindingType]] = bindings(Scope.LIST)

    def __init__(self, store: ConversationStore, current_id: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.current_id = current_id
        self.summaries: list[ConversationSummary] = []
        self.hits: list[SearchHit] | None = None
        """The results of the search in the box (None: no search, every conversation is listed)."""
        self.searched = ""
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="conversation-list"):
            yield Static(id="list-title", markup=False)
            yield Input(placeholder="Search every message and answer…  (Tab: the list)", id="list-search")
            yield OptionList(id="conversations")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#list-search", Input).focus()
        self.watch(self.options, "scroll_y", self._scrolled, init=False)

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    def reload(self, select: str | None = None) -> None:
        """Read the list again; highlight `select` (an id) if it is still there, else the newest."""
        try:
            self.summaries = self.store.list_conversations()
        except StoreError as error:
            self.summaries = []
            self.notify(untrusted_line(str(error)), severity="error", markup=False, timeout=10)
        self.hits = None
        self._show(select)

    def _show(self, select: str | None = None) -> None:
        options = self.options
        options.clear_options()
        listed = self.listed
        wanted = next((i for i, summary in enumerate(listed) if summary.id == select), 0) if select else 0
        self._add_options(max(PAGE, wanted + PAGE // 2))
        if self.hits is None:
            title = f"{count_of(len(self.summaries), 'saved conversation')}, newest first"
        else:
            found = count_of(len(self.hits), "conversation")
            more = " (the first shown)" if len(self.hits) >= SEARCH_LIMIT else ""
            title = f"{found} found{more}, best match first" if self.hits else "Nothing matches."
        self.query_one("#list-title", Static).update(Content(f"{title} — {display_path(self.store.path)}"))
        if listed:
            options.highlighted = wanted

    def _add_options(self, up_to: int) -> None:
        """Put the listed conversations up to `up_to` in the option list (those not there yet)."""
        options = self.options
        start = options.option_count
        if self.hits is None:
            new = [self._option(summary) for summary in self.summaries[start:up_to]]
        else:
            new = [self._option(hit.conversation, hit) for hit in self.hits[start:up_to]]
        if new:
            options.add_options(new)

    def _more_if_near_the_end(self, position: int) -> None:
        if position >= self.options.option_count - PAGE // 3:
            self._add_options(self.options.option_count + PAGE)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._more_if_near_the_end(event.option_index)

    def _scrolled(self, scroll_y: float) -> None:
        options = self.options
        if scroll_y >= options.max_scroll_y - options.size.height:
            self._more_if_near_the_end(options.option_count)

    @property
    def listed(self) -> list[ConversationSummary]:
        return self.summaries if self.hits is None else [hit.conversation for hit in self.hits]

    def _option(self, summary: ConversationSummary, hit: SearchHit | None = None) -> Option:
        marker = "● " if summary.id == self.current_id else "  "
        title = untrusted_line(summary.title) or "(untitled)"
        model = untrusted_line(summary.model)
        model = f"replay of a recording by {model}" if summary.replay else model
        details = f"{summary.when} · {model} · {count_of(summary.turn_count, 'message')} · {untrusted_line(summary.id)}"
        if summary.unreadable:
            details += f" · could not read {summary.unreadable}"
        parts: list[Content | str | tuple[str, str]] = [
            marker,
            _highlighted(MatchingLine(title, ()), "bold") if hit is None else _title(title, self.searched),
            "\n    ",
            (untrusted_line(details), "dim"),
        ]
        if hit is not None:
            who = "You" if hit.role == "user" else "Claude"
            parts += ["\n    ", (f"{who}: ", "italic"), _highlighted(hit.line, "")]
        return Option(Content.assemble(*parts))

    # search
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "list-search":
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SEARCH_DELAY, lambda: self.search(event.value))

    @work(exclusive=True, group="search", exit_on_error=False)
    async def search(self, query: str) -> None:
        """Search every message and answer (in a thread, on a connection of its own); list the results."""
        if not query.strip():
            self.searched = ""
            self.hits = None
            self._show()
            return
        try:
            hits = await asyncio.to_thread(
                search_conversations, self.store.path, query, limit=SEARCH_LIMIT, prefix_last=True
            )
        except StoreError as error:
            self.notify(untrusted_line(str(error)), severity="error", markup=False)
            return
        self.searched = query
        self.hits = hits
        self._show()

    # keys
    @property
    def highlighted(self) -> ConversationSummary | None:
        index = self.options.highlighted
        listed = self.listed
        return None if index is None or index >= len(listed) else listed[index]

    def action_cursor(self, step: int) -> None:
        options = self.options
        current = options.highlighted if options.highlighted is not None else 0
        self._more_if_near_the_end(current + step)
        if options.option_count:
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def action_search(self) -> None:
        self.query_one("#list-search", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_open(self) -> None:
        self._open(self.options.highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option_index)

    def _open(self, index: int | None) -> None:
        if index is None or index >= len(self.listed):
            return
        if self.hits is None:
            self.dismiss(ListChoice(self.summaries[index].id))
        else:
            hit = self.hits[index]
            self.dismiss(ListChoice(hit.conversation.id, hit.position, self.searched))

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
                self._refresh_after_change(summary.id)

        self.app.push_screen(RenameScreen(summary.title), renamed)

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
                self._refresh_after_change(None)

        self.app.push_screen(ConfirmScreen(f"Delete “{untrusted_line(summary.title)}” for good?"), confirmed)

    def _refresh_after_change(self, select: str | None) -> None:
        self.summaries = self.store.list_conversations()
        if self.hits is None:
            self._show(select)
        else:
            self.search(self.searched)


def _highlighted(line: MatchingLine, style: str) -> Content:
    """A line with its matching spans highlighted (plain text: never markup)."""
    content = Content.styled(line.text, style) if style else Content(line.text)
    for start, end in line.spans:
        content = content.stylize("reverse bold", start, end)
    return content


def _title(title: str, query: str) -> Content:
    from tui_chat.session.search import term_pattern

    pattern = term_pattern(query)
    spans = tuple(match.span() for match in pattern.finditer(title)) if pattern is not None else ()
    return _highlighted(MatchingLine(title, spans), "bold")


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
