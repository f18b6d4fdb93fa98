"""The event inspector: one line per wire event, in arrival order, for every turn of the session.

A line-API widget: rows live in a plain list and only the visible ones are rendered, so 10,000
events cost no more to draw than 40. Rows arrive in batches (`WireEventsArrived`). Filters only
change which rows are listed; every row stays, so any turn can be studied after it ended.
"""

from __future__ import annotations

import bisect
import itertools
from array import array
from dataclasses import dataclass, field
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip

from tui_chat.adapters import textual_private
from tui_chat.adapters.textual_private import SteadyScrollView
from tui_chat.bindings import bindings
from tui_chat.commands import Scope
from tui_chat.messages import RequestSent, RetryScheduled, TurnConnected, TurnEnded, TurnStarted, WireEventsArrived
from tui_chat.render.strips import cropped, filtered
from tui_chat.safety import sanitize_line
from tui_chat.session.conversation import Turn, TurnStatus
from tui_chat.session.inspect import (
    InspectorFilter,
    headers_summary,
    row_columns,
    summarize,
    summarize_helper,
    summarize_request,
    summarize_run,
)
from tui_chat.stream.wire import KNOWN_EVENTS, PackedEvents, WireEvent, WireRecord
from tui_chat.widgets.fast_scrollbar import FastScrollbars
from tui_chat.widgets.inspector_rows import InspectorRow, InspectorRows
from tui_chat.widgets.prompt_input import type_into_prompt
from tui_chat.wording import count_of

__all__ = ["EventInspector", "InspectorRow", "TurnCounts"]

JUMP = 0.5
"""While a turn streams, a following inspector scrolls by this part of a page at once (see
`ConversationView`'s `JUMP`): rows scrolled by one change every row on the terminal."""


@dataclass
class TurnCounts:
    number: int
    counts: dict[str, int] = field(default_factory=dict)
    read_pace: float = 0.0
    """The turn was read with paced reads (its times are read times, in steps of this many seconds)."""


class EventInspector(FastScrollbars, SteadyScrollView, can_focus=True):
    """Every stream event as it arrives: time since the request, type (coloured), block index, payload."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(Scope.INSPECTOR)

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "event-inspector--time",
        "event-inspector--index",
        "event-inspector--payload",
        "event-inspector--note",
        "event-inspector--note-error",
        "event-inspector--headers",
        "event-inspector--request",
        "event-inspector--request-row",
        "event-inspector--unknown",
        "event-inspector--sdk",
        "event-inspector--cursor",
        *(f"event-inspector--{name}" for name in KNOWN_EVENTS),
    }

    DEFAULT_CSS = """
    EventInspector {
        background: $surface;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    """

    @dataclass
    class Selected(Message):
        """The user asked for the details of a row."""

        inspector: EventInspector
        row: InspectorRow

    @dataclass
    class StateChanged(Message):
        """Following, filter or the turn being looked at changed (for the status line)."""

        inspector: EventInspector

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows = InspectorRows()
        """Every row of the session, whatever the filter (a finished answer's events packed: see `InspectorRows`)."""
        self.listed: array[int] = array("I")
        """Indices into `rows` of the rows the filter lets through, in order."""
        self.filter = InspectorFilter()
        self.following = True
        self.held = False
        """Paused with `p` (not just by selecting a row): a new turn then stays paused too."""
        self.cursor: int | None = None
        """Position in `visible` of the highlighted row (None: no row highlighted)."""
        self.unseen = 0
        """Rows that arrived while paused."""
        self.turns: dict[int, TurnCounts] = {}
        self._styles: dict[str, Style] = {}
        self._line_cache: dict[tuple[int, int, bool], Strip] = {}
        self._blank: Strip | None = None
        self._past: list[Turn] = []
        """Saved turns whose rows are still to be added (see `add_past_turns`)."""
        self._paint_style: Style | None = None
        self._column_styles: dict[tuple[Style, str], tuple[Style, Style, Style, Style]] = {}
        self._state_posted = False
        self._streaming = 0
        """Turns streaming now (their deltas are listed a row per batch while the inspector follows)."""
        self._runs: dict[int, int] = {}
        """Rows listed as one while a turn streams and the inspector follows: first row's index -> the
        index after the run's last row. Undone (`_list_every_row`) when the user pauses, clicks, filters,
        and when the turn ends."""
        self._gathered: array[int] = array("I")
        """The rows listed within runs (not on their own), in order: listed again when the runs are undone."""
        self._run_sizes: dict[int, list[int]] = {}
        """The listed wire events and SDK helper events in each run, by its first row's index (counted as
        the run grows: its row shows them without going through its members)."""
        self._requests: dict[tuple[int, int], InspectorRow] = {}
        """The request row of each request, by (turn id, request index): filled in when it is sent."""
        self._ended: dict[int, WireRecord] = {}
        """Answers that have ended and whose rows are not packed yet, by turn id."""

    # ------------------------------------------------------------------------------ content
    def _accepts(self, row: InspectorRow) -> bool:
        wire = row.wire
        if wire is not None:
            return self.filter.accepts(wire.name)
        if row.helper is not None:
            return self.filter.accepts(row.helper.type, helper=True)
        return not self.filter.errors_only or row.error

    def add_rows(self, rows: list[InspectorRow]) -> None:
        self._show_added(self._append(rows))

    def _append(self, rows: list[InspectorRow]) -> int:
        """Add `rows` and list those the filter lets through (gathered into runs while a turn streams and
        the inspector follows); returns how many were listed. The view is updated by `_show_added`."""
        start = len(self.rows)
        self.rows.extend(rows)
        added = 0
        gather = self.following and self._streaming > 0
        run_start: int | None = None
        accepts = self.filter.accepts
        counts: dict[str, int] = {}
        counts_turn: int | None = None
        for index, row in enumerate(rows, start):
            wire = row.wire
            if wire is not None:
                name = wire.name
                if row.turn_id != counts_turn:
                    counts_turn = row.turn_id
                    counts = self.turns.setdefault(row.turn_id, TurnCounts(row.turn_number)).counts
                counts[name] = counts.get(name, 0) + 1
                if not accepts(name):
                    continue
                streamed = name == "content_block_delta"
            elif row.helper is not None:
                if not accepts(row.helper.type, helper=True):
                    continue
                streamed = True
            else:
                if not self._accepts(row):
                    continue
                streamed = False
            if gather and streamed:  # (a row of the answer's stream proper: a delta, or an SDK helper event)
                if run_start is not None:
                    self._runs[run_start] = index + 1
                    self._run_sizes[run_start][wire is None] += 1
                    self._gathered.append(index)
                    continue
                run_start = index
                self._run_sizes[index] = [0, 1] if wire is None else [1, 0]
            else:
                run_start = None
            self.listed.append(index)
            added += 1
        return added

    def _show_added(self, added: int) -> None:
        """Show `added` newly listed rows: follow them (in jumps while a turn streams), or count them unseen."""
        if not added:
            return
        if self.following:
            self.cursor = None
            # Now, not after the next refresh: the new rows and the scroll then share one frame.
            height = self.scrollable_content_region.height
            top = bottom = max(0, len(self.listed) - height)
            if self._streaming and height >= 4:
                current = int(self.scroll_y)
                top = bottom + int(height * JUMP) if len(self.listed) > current + height else current
            scrolled = top != int(self.scroll_y)
            self._set_rows(max(len(self.listed), top + height))
            self.scroll_to(y=top, animate=False, immediate=True)
            if not scrolled:  # only the new rows are drawn (a scroll redraws them all)
                self._state_changed()
                self.refresh_lines(len(self.listed) - added, added)
                return
        else:
            self._set_rows(len(self.listed))
            self.unseen += added
        self._state_changed()
        self.refresh()

    def _list_every_row(self) -> None:
        """List every row again, runs of deltas undone (before the user looks at single rows, and when
        the turn ends: the listing is then the same as if no row had been gathered)."""
        if not self._runs:
            return
        first = min(self._runs)  # the rows before the first run are listed as they are
        self._runs.clear()
        self._run_sizes.clear()
        cut = bisect.bisect_left(self.listed, first)
        listed_after = self.listed[cut:]
        del self.listed[cut:]
        self.listed.extend(sorted(itertools.chain(listed_after, self._gathered)))  # (two sorted runs: merged)
        self._gathered = array("I")
        self._line_cache.clear()
        self._set_rows(len(self.listed))
        if self.following:
            bottom = max(0, len(self.listed) - self.scrollable_content_region.height)
            self.scroll_to(y=bottom, animate=False, immediate=True)
        self.refresh()

    def _state_changed(self) -> None:
        # Soon, not after the next refresh: the status line then changes in the same frame as the rows.
        if not self._state_posted:
            self._state_posted = True
            self.call_later(self._post_state)

    def _post_state(self) -> None:
        self._state_posted = False
        self.post_message(self.StateChanged(self))

    def on_turn_started(self, message: TurnStarted) -> None:
        self._add_past(None)  # the saved turns' rows come first
        if not self.following and not self.held:
            self.follow()  # a row selected by a click or ↑/↓ does not hold the new turn's stream
        self._pack_ended()
        turn = message.turn
        self._streaming += 1
        self.turns[turn.id] = TurnCounts(turn.number)
        request = f" · request {turn.request_index + 1} (the tool results)" if turn.request_index else ""
        what = f"replay of {turn.replay}" if turn.replay is not None else f"POST /v1/messages · {turn.model}"
        note = f"turn {turn.number}{request} · {what} · sending…"
        row = InspectorRow(turn.id, turn.number, note=note, requesting=True)
        self._requests[(turn.id, turn.request_index)] = row
        self.add_rows([row])

    def on_request_sent(self, message: RequestSent) -> None:
        """Fill the request's row in (a retry's attempt replaces the one before); a further request of the
        turn gets a row of its own."""
        request = message.request
        row = self._requests.get((message.turn_id, request.index))
        if row is None:
            row = InspectorRow(message.turn_id, self._number(message.turn_id), requesting=True, request=request)
            self._requests[(message.turn_id, request.index)] = row
            self.add_rows([row])
            return
        row.request = request
        self._line_cache.clear()
        self._state_changed()
        self.refresh()

    def on_turn_connected(self, message: TurnConnected) -> None:
        record = message.record
        if (turn := self.turns.get(message.turn_id)) is not None:
            turn.read_pace = record.read_pace
        number = self._number(message.turn_id)
        self.add_rows([InspectorRow(message.turn_id, number, record=record)])

    def on_retry_scheduled(self, message: RetryScheduled) -> None:
        notice = message.notice
        attempt = f"attempt {notice.attempt}/{notice.max_attempts}"
        note = f"{attempt} failed: {notice.reason} — retrying in {notice.wait:.1f}s"
        self.add_rows([InspectorRow(message.turn_id, self._number(message.turn_id), note=note, error=True)])

    def on_wire_events_arrived(self, message: WireEventsArrived) -> None:
        number = self._number(message.turn_id)
        self.add_rows(
            [
                InspectorRow(message.turn_id, number, wire=event)
                if isinstance(event, WireEvent)
                else InspectorRow(message.turn_id, number, helper=event)
                for event in message.events
            ]
        )

    def _pack_ended(self) -> None:
        """Keep the rows of the answers that have ended packed (their records are packed once the next answer
        starts): a long session's events would otherwise cost a few hundred bytes each. Not while the user
        is looking at earlier rows (the rows' places change): at the next answer then."""
        if not self.following:
            return
        self._list_every_row()  # (row indices change: no runs over them)
        runs = {turn_id: packed for turn_id, record in self._ended.items() if (packed := record.packed) is not None}
        first = self.rows.pack(runs)
        if first is not None:
            for turn_id in runs:
                del self._ended[turn_id]
            del self.listed[bisect.bisect_left(self.listed, first) :]
            self.listed.extend(self.rows.positions(self._accepts, self.filter.accepts, start=first))
            self._line_cache.clear()
            self.cursor = None
            self._set_rows(len(self.listed))

    def on_turn_ended(self, message: TurnEnded) -> None:
        turn = message.turn
        pending = self._requests.get((turn.id, turn.request_index))
        if pending is not None and pending.request is None:  # it never went out (no client, stopped first)
            pending.note = f"turn {turn.number} · POST /v1/messages · {turn.model} · not sent"
            self._line_cache.clear()
        if turn.wire is not None:
            self._ended[turn.id] = turn.wire
        counted = self.turns.get(turn.id)  # (the rows' own count: the record's would read every frame again)
        if counted is not None and counted.counts:
            counts = counted.counts
        else:
            counts = turn.wire.counts() if turn.wire is not None else {}
        summary = f"{count_of(sum(counts.values()), 'event')}, {count_of(counts.get('ping', 0), 'ping')}"
        which = f"turn {turn.number}" + (f" request {turn.request_index + 1}" if turn.request_index else "")
        if turn.status is TurnStatus.COMPLETE and turn.metrics.stop_reason == "tool_use" and turn.tool_calls:
            calls = len(turn.tool_calls)
            note = (
                f"── {which}: stop_reason tool_use, {calls} tool call{'s' if calls > 1 else ''} to answer: {summary} ──"
            )
        elif turn.status is TurnStatus.COMPLETE:
            note = f"── {which} complete: {summary} ──"
        else:
            reason = turn.error.kind if turn.error is not None else turn.status.value
            note = f"── {which} {turn.status.value} ({reason}): {summary} ──"
        error = turn.status is not TurnStatus.COMPLETE
        self._streaming = max(0, self._streaming - 1)
        if not self._streaming:
            self._list_every_row()
        self.add_rows([InspectorRow(turn.id, turn.number, note=note, error=error)])

    def add_past_turns(self, turns: list[Turn]) -> None:
        """The rows of finished turns (a resumed conversation), so their events stay browsable. A long
        conversation has tens of thousands of events: they are added `PAST_ROWS_PER_PASS` at a time,
        oldest first, between frames (a new turn first adds what is left)."""
        self._past.extend(turn for turn in turns if turn.role == "assistant")
        for turn in self._past:
            self.turns[turn.id] = TurnCounts(turn.number, read_pace=turn.metrics.read_pace)
        self._add_past(self.PAST_ROWS_PER_PASS)

    PAST_ROWS_PER_PASS = 20_000

    def _add_past(self, budget: int | None) -> None:
        rows: list[InspectorRow] = []
        added = counted = 0
        while self._past and (budget is None or counted < budget):
            turn = self._past.pop(0)
            request = turn.wire.request if turn.wire is not None else None
            if request is not None:
                rows.append(InspectorRow(turn.id, turn.number, requesting=True, request=request))
            else:
                rows.append(InspectorRow(turn.id, turn.number, note=f"── turn {turn.number} (saved) · {turn.model} ──"))
            counted += 1
            if turn.wire is not None:
                rows.append(InspectorRow(turn.id, turn.number, record=turn.wire))
                packed = turn.wire.packed
                if packed is None:
                    rows.extend(InspectorRow(turn.id, turn.number, wire=event) for event in turn.wire.events)
                    counted += len(turn.wire.events)
                else:  # (a saved answer's frames come packed: their rows are made when drawn)
                    added += self._append(rows)
                    rows = []
                    added += self._append_run(turn.id, turn.number, packed)
                    counted += len(packed)
        added += self._append(rows)
        self._show_added(added)  # (once for the whole pass: scrolling costs as much as adding 200 turns)
        if self._past:
            self.call_after_refresh(self._add_past, self.PAST_ROWS_PER_PASS)

    def _append_run(self, turn_id: int, turn_number: int, packed: PackedEvents) -> int:
        """Add the rows of a packed record's events (as `_append` adds rows); returns how many are listed."""
        start = len(self.rows)
        self.rows.add_run(turn_id, turn_number, packed)
        counts = self.turns.setdefault(turn_id, TurnCounts(turn_number)).counts
        names = packed.names()
        for name in names:
            counts[name] = counts.get(name, 0) + 1
        accepts = self.filter.accepts
        accepted = [start + offset for offset, name in enumerate(names) if accepts(name)]
        self.listed.extend(accepted)
        return len(accepted)

    @property
    def adding_saved_rows(self) -> bool:
        """Rows of saved turns are still being added."""
        return bool(self._past)

    def _number(self, turn_id: int) -> int:
        counts = self.turns.get(turn_id)
        return counts.number if counts is not None else 0

    def clear(self) -> None:
        self._past.clear()
        self.rows.clear()
        self.listed = array("I")
        self._runs.clear()
        self._run_sizes.clear()
        self._gathered = array("I")
        self._ended.clear()
        self.turns.clear()
        self._requests.clear()
        self.cursor = None
        self.unseen = 0
        self.following = True
        self._line_cache.clear()
        self._set_rows(0)
        self._state_changed()
        self.refresh()

    def _set_rows(self, count: int) -> None:
        """The scrollable height. Set around the reactive: its layout pass would re-arrange the whole
        screen for every batch of events, when only the scrollbar changes."""
        size = Size(self.size.width, count)
        if size != self.virtual_size:
            self.set_reactive(EventInspector.virtual_size, size)
            textual_private.update_scrollbars(self, size)

    # ------------------------------------------------------------------------------ state
    @property
    def selected_row(self) -> InspectorRow | None:
        if self.cursor is None or not self.listed:
            return None
        return self.rows[self.listed[min(self.cursor, len(self.listed) - 1)]]

    @property
    def current_turn_id(self) -> int | None:
        """The turn the user is looking at: the highlighted row's, else the newest."""
        row = self.selected_row
        if row is not None:
            return row.turn_id
        return self.rows[-1].turn_id if self.rows else None

    def set_filter(self, new_filter: InspectorFilter) -> None:
        keep = self.selected_row
        self.filter = new_filter
        self._runs.clear()
        self._run_sizes.clear()
        self._gathered = array("I")
        self.listed = self.rows.positions(self._accepts, self.filter.accepts)
        self._line_cache.clear()
        self._set_rows(len(self.listed))
        self.cursor = None
        if keep is not None and not self.following:
            index = self.rows.index(keep)
            self.cursor = min(bisect.bisect_left(self.listed, index), max(0, len(self.listed) - 1))
            self._scroll_to_cursor()
        elif self.following:
            self.scroll_end(animate=False, immediate=False, x_axis=False)
        self._state_changed()
        self.refresh()

    def pause(self) -> None:
        self._list_every_row()
        self.following = False
        if self.cursor is None and self.listed:
            self.cursor = min(len(self.listed) - 1, int(self.scroll_y) + self.scrollable_content_region.height - 1)
        self._state_changed()
        self.refresh()

    def follow(self) -> None:
        self.following = True
        self.held = False
        self.unseen = 0
        self.cursor = None
        self.scroll_end(animate=False, immediate=False, x_axis=False)
        self._state_changed()
        self.refresh()

    # ------------------------------------------------------------------------------ actions
    def action_cursor(self, step: int) -> None:
        if not self.listed:
            return
        if self.cursor is None:
            self.pause()
        assert self.cursor is not None
        self.cursor = max(0, min(len(self.listed) - 1, self.cursor + step))
        self.following = False
        self._scroll_to_cursor()
        self._state_changed()
        self.refresh()

    def _scroll_to_cursor(self) -> None:
        if self.cursor is None:
            return
        height = self.scrollable_content_region.height
        if self.cursor < self.scroll_y:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= self.scroll_y + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_first(self) -> None:
        if self.listed:
            self.following = False
            self.cursor = 0
            self.scroll_to(y=0, animate=False, immediate=True)
            self._state_changed()
            self.refresh()

    def action_follow(self) -> None:
        self.follow()

    def action_toggle_pause(self) -> None:
        if self.held:
            self.follow()
        else:  # following, or stopped on a selected row: `p` pauses for good (until `p` or End)
            self.pause()
            self.held = True
            self._state_changed()

    def action_open(self) -> None:
        row = self.selected_row
        if row is None and self.listed:
            self.pause()
            row = self.selected_row
        if row is not None and row.selectable:
            self.post_message(self.Selected(self, row))

    def _toggle(self, **change: bool) -> None:
        values = {**vars(self.filter), **change}
        self.set_filter(InspectorFilter(**values))

    def action_toggle_pings(self) -> None:
        self._toggle(pings=not self.filter.pings, errors_only=False)

    def action_toggle_deltas(self) -> None:
        self._toggle(deltas=not self.filter.deltas, errors_only=False)

    def action_toggle_errors(self) -> None:
        self._toggle(errors_only=not self.filter.errors_only)

    def action_toggle_sdk(self) -> None:
        self._toggle(sdk_events=not self.filter.sdk_events, errors_only=False)

    def on_key(self, event: events.Key) -> None:
        """A printable key that is none of the inspector's own (p h d e s...) goes to the prompt."""
        type_into_prompt(self, event)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not self.listed:
            return
        position = int(self.scroll_y) + offset.y
        if self._runs and 0 <= position < len(self.listed):  # the row clicked, among every row
            clicked = self.listed[position]
            self._list_every_row()
            position = bisect.bisect_left(self.listed, clicked)
        if 0 <= position < len(self.listed):
            if position == self.cursor:
                self.action_open()
                return
            self.following = False
            self.cursor = position
            self._state_changed()
            self.refresh()

    # ------------------------------------------------------------------------------ rendering
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._line_cache.clear()
        self._blank = None
        self._paint_style = None
        self._column_styles.clear()

    @property
    def _base_style(self) -> Style:
        """The widget's own style, read once a paint (`rich_style` walks every ancestor)."""
        if self._paint_style is None:
            self._paint_style = self.rich_style
        return self._paint_style

    def _style(self, name: str) -> Style:
        """A component's style, to add to the row's base. Its colour is resolved against the widget's
        background (the partial style alone leaves `$text`-like "auto" colours to a transparent one,
        which made them white on the light theme)."""
        style = self._styles.get(name)
        if style is None:
            component = f"event-inspector--{name}"
            partial = self.get_component_rich_style(component, partial=True)
            color = self.get_component_rich_style(component).color
            style = self._styles[name] = partial + Style(color=color) if color is not None else partial
        return style

    def render_lines(self, crop: Region) -> list[Strip]:
        """The visible rows, straight from the row cache: Textual's per-line styling pass (padding,
        background) has nothing to add to them and costs more than drawing them."""
        self._paint_style = None
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        rows = [self._row_strip(scroll_y + y, width).crop(scroll_x, scroll_x + width) for y in crop.line_range]
        return cropped(filtered(self, rows), crop, width)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        return self._row_strip(scroll_y + y, width).crop(scroll_x, scroll_x + width)

    def _row_strip(self, position: int, width: int) -> Strip:
        """Listed row `position`, `width` cells wide (cached)."""
        if position >= len(self.listed):
            if self._blank is None or self._blank.cell_length != width:
                self._blank = Strip.blank(width, self._base_style)
            return self._blank
        highlighted = position == self.cursor
        index = self.listed[position]
        key = (index, width, highlighted)
        strip = self._line_cache.get(key)  # (a run is complete once its batch is listed)
        if strip is None:
            strip = self._render_row(self.rows[index], width, highlighted, index)
            if len(self._line_cache) > 1200:
                self._line_cache.clear()
            self._line_cache[key] = strip
        return strip

    def _run_payload(self, index: int, limit: int) -> str:
        wires, helpers = self._run_sizes[index]
        members = (self.rows[member] for member in range(index, self._runs[index]))
        listed = (row.wire for row in members if row.wire is not None and self._accepts(row))
        return summarize_run(listed, wires, helpers, limit)

    def _render_row(self, row: InspectorRow, width: int, highlighted: bool, index: int = -1) -> Strip:
        base = self._base_style
        if row.requesting:
            base = base + self._style("request-row")
        if highlighted:
            base = base + self._style("cursor")
        if row.requesting:
            request = row.request
            if request is None:
                return self._columns(base, 0.0, "request", "request", None, row.note, width)
            payload = summarize_request(request, row.turn_number)
            return self._columns(base, request.at, "request", "request", None, payload, width)
        if row.record is not None:
            return self._columns(
                base,
                0.0 if row.record.headers_at is None else row.record.headers_at,
                "headers",
                "headers",
                None,
                headers_summary(row.record),
                width,
            )
        if row.wire is not None:
            wire = row.wire
            name = wire.name
            style_name = name if name in KNOWN_EVENTS else "unknown"
            if index in self._runs:
                payload = self._run_payload(index, max(width, 20))
            else:
                payload = summarize(wire, limit=max(width, 20))
            return self._columns(base, wire.at, sanitize_line(name), style_name, wire.block_index, payload, width)
        if row.helper is not None:
            helper = row.helper
            payload = summarize_helper(helper, limit=max(width, 20))
            return self._columns(base, helper.at, f"  sdk·{helper.type}", "sdk", None, payload, width)
        style = self._style("note-error" if row.error else "note")
        return Strip([Segment(row.note, base + style)]).adjust_cell_length(width, base)

    def _columns(
        self, base: Style, at: float, name: str, style_name: str, index: int | None, payload: str, width: int
    ) -> Strip:
        key = (base, style_name)
        styles = self._column_styles.get(key)
        if styles is None:
            styles = self._column_styles[key] = (
                base + self._style("time"),
                base + self._style(style_name),
                base + self._style("index"),
                base + self._style("payload"),
            )
        time_style, name_style, index_style, payload_style = styles
        columns = list(row_columns(at, name, index))
        room = width - sum(len(column) for column in columns)
        if 0 <= len(payload) <= room and payload.isascii() and name.isascii():  # a cell a character: no measuring
            segments = [
                Segment(columns[0], time_style),
                Segment(columns[1], name_style),
                Segment(columns[2], index_style),
                Segment(payload, payload_style),
            ]
            if room > len(payload):
                segments.append(Segment(" " * (room - len(payload)), base))
            return Strip(segments, width)
        segments = [
            Segment(columns[0], time_style),
            Segment(columns[1], name_style),
            Segment(columns[2], index_style),
            Segment(payload, payload_style),
        ]
        return Strip(segments).adjust_cell_length(width, base)

    def on_resize(self) -> None:
        self._line_cache.clear()
        self._set_rows(len(self.listed))
        if self.following:
            self.scroll_end(animate=False, immediate=False, x_axis=False)
