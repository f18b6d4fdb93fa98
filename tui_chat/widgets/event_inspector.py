"""The event inspector: one line per wire event, in arrival order, for every turn of the session.

A line-API widget: rows live in a plain list and only the visible ones are rendered, so 10,000
events cost no more to draw than 40. Rows arrive in batches (`WireEventsArrived`). Filters only
change which rows are listed; every row stays, so any turn can be studied after it ended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_chat.bindings import bindings
from tui_chat.commands import Scope
from tui_chat.messages import RequestSent, RetryScheduled, TurnConnected, TurnEnded, TurnStarted, WireEventsArrived
from tui_chat.render.strips import cropped, filtered
from tui_chat.safety import sanitize_line
from tui_chat.session.inspect import (
    KNOWN_EVENTS,
    HelperEvent,
    InspectorFilter,
    format_offset,
    summarize,
    summarize_helper,
    summarize_request,
)
from tui_chat.session.model import Turn, TurnStatus
from tui_chat.stream.wire import RequestRecord, WireEvent, WireRecord
from tui_chat.widgets.fast_scrollbar import FastScrollbars

TIME_WIDTH = 9
NAME_WIDTH = 20
INDEX_WIDTH = 3


@dataclass(slots=True, eq=False)
class InspectorRow:
    """A line: a wire event, an SDK helper event, the response headers, or a note about the turn."""

    turn_id: int
    turn_number: int = 0
    wire: WireEvent | None = None
    helper: HelperEvent | None = None
    record: WireRecord | None = None
    """Set on the headers row ("event 0" of a turn)."""
    note: str = ""
    error: bool = False
    requesting: bool = False
    """A request row: the first of each request (`request` is None until it has been sent)."""
    request: RequestRecord | None = None

    @property
    def name(self) -> str:
        if self.wire is not None:
            return self.wire.name
        if self.helper is not None:
            return self.helper.type
        if self.requesting:
            return "request"
        return "headers" if self.record is not None else "note"

    @property
    def selectable(self) -> bool:
        return self.wire is not None or self.helper is not None or self.record is not None or self.request is not None


@dataclass
class TurnCounts:
    number: int
    counts: dict[str, int] = field(default_factory=dict)
    read_pace: float = 0.0
    """The turn was read with paced reads (its times are read times, in steps of this many seconds)."""


class EventInspector(FastScrollbars, ScrollView, can_focus=True):
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
        self.rows: list[InspectorRow] = []
        """Every row of the session, whatever the filter."""
        self.listed: list[int] = []
        """Indices into `rows` of the rows the filter lets through, in order."""
        self.filter = InspectorFilter()
        self.following = True
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
        self._requests: dict[tuple[int, int], InspectorRow] = {}
        """The request row of each request, by (turn id, request index): filled in when it is sent."""

    # ------------------------------------------------------------------------------ content
    def _accepts(self, row: InspectorRow) -> bool:
        if row.wire is None and row.helper is None:
            return not self.filter.errors_only or row.error
        return self.filter.accepts(row.name, helper=row.helper is not None)

    def add_rows(self, rows: list[InspectorRow]) -> None:
        start = len(self.rows)
        self.rows.extend(rows)
        added = 0
        for offset, row in enumerate(rows):
            if row.wire is not None:
                counts = self.turns.setdefault(row.turn_id, TurnCounts(row.turn_number)).counts
                counts[row.wire.name] = counts.get(row.wire.name, 0) + 1
            if self._accepts(row):
                self.listed.append(start + offset)
                added += 1
        if not added:
            return
        self._set_rows(len(self.listed))
        if self.following:
            self.cursor = None
            # Now, not after the next refresh: the new rows and the scroll then share one frame.
            bottom = max(0, len(self.listed) - self.scrollable_content_region.height)
            self.scroll_to(y=bottom, animate=False, immediate=True)
        else:
            self.unseen += added
        self._state_changed()
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
        turn = message.turn
        self.turns[turn.id] = TurnCounts(turn.number)
        request = f" · request {turn.request_index + 1} (the tool results)" if turn.request_index else ""
        note = f"turn {turn.number}{request} · POST /v1/messages · {turn.model} · sending…"
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

    def on_turn_ended(self, message: TurnEnded) -> None:
        turn = message.turn
        pending = self._requests.get((turn.id, turn.request_index))
        if pending is not None and pending.request is None:  # it never went out (no client, stopped first)
            pending.note = f"turn {turn.number} · POST /v1/messages · {turn.model} · not sent"
            self._line_cache.clear()
        counts = turn.wire.counts() if turn.wire is not None else {}
        summary = f"{sum(counts.values())} events, {counts.get('ping', 0)} pings"
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
        self.add_rows([InspectorRow(turn.id, turn.number, note=note, error=error)])

    def add_past_turns(self, turns: list[Turn]) -> None:
        """The rows of finished turns (a resumed conversation), so their events stay browsable. A long
        conversation has tens of thousands of events: they are added `PAST_ROWS_PER_PASS` at a time,
        oldest first, between frames (a new turn first adds what is left)."""
        self._past.extend(turn for turn in turns if turn.role == "assistant")
        for turn in self._past:
            self.turns[turn.id] = TurnCounts(turn.number, read_pace=turn.metrics.read_pace)
        self._add_past(self.PAST_ROWS_PER_PASS)

    PAST_ROWS_PER_PASS = 5000

    def _add_past(self, budget: int | None) -> None:
        rows: list[InspectorRow] = []
        while self._past and (budget is None or len(rows) < budget):
            turn = self._past.pop(0)
            request = turn.wire.request if turn.wire is not None else None
            if request is not None:
                rows.append(InspectorRow(turn.id, turn.number, requesting=True, request=request))
            else:
                rows.append(InspectorRow(turn.id, turn.number, note=f"── turn {turn.number} (saved) · {turn.model} ──"))
            if turn.wire is not None:
                rows.append(InspectorRow(turn.id, turn.number, record=turn.wire))
                rows.extend(InspectorRow(turn.id, turn.number, wire=event) for event in turn.wire.events)
        if rows:
            self.add_rows(rows)
        if self._past:
            self.call_after_refresh(self._add_past, self.PAST_ROWS_PER_PASS)

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
        self.listed.clear()
        self.turns.clear()
        self._requests.clear()
        self.cursor = None
        self.unseen = 0
        self.following = True
        self._line_cache.clear()
        self._set_rows(0)
        self._state_changed()
        self.refresh()

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        """Textual calls this on every layout pass of the screen, with the viewport as `virtual_size`;
        a `ScrollView` then always refreshes its scrollbar, which costs a second repaint after any
        layout anywhere. The rows set the scrollbar themselves (`_set_rows`): skip it when the size
        did not change."""
        if size == self._size and size - self.styles.gutter.totals == self._container_size:
            return False
        return super()._size_updated(size, virtual_size, container_size, layout)

    def _set_rows(self, count: int) -> None:
        """The scrollable height. Set around the reactive: its layout pass would re-arrange the whole
        screen for every batch of events, when only the scrollbar changes."""
        size = Size(self.size.width, count)
        if size != self.virtual_size:
            self.set_reactive(EventInspector.virtual_size, size)
            self._scroll_update(size)

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
        self.listed = [i for i, row in enumerate(self.rows) if self._accepts(row)]
        self._line_cache.clear()
        self._set_rows(len(self.listed))
        self.cursor = None
        if keep is not None and not self.following:
            index = self.rows.index(keep)
            for position, row_index in enumerate(self.listed):
                if row_index >= index:
                    self.cursor = position
                    break
            self._scroll_to_cursor()
        elif self.following:
            self.scroll_end(animate=False, immediate=False, x_axis=False)
        self._state_changed()
        self.refresh()

    def pause(self) -> None:
        self.following = False
        if self.cursor is None and self.listed:
            self.cursor = min(len(self.listed) - 1, int(self.scroll_y) + self.scrollable_content_region.height - 1)
        self._state_changed()
        self.refresh()

    def follow(self) -> None:
        self.following = True
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
        if self.following:
            self.pause()
        else:
            self.follow()

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

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not self.listed:
            return
        position = int(self.scroll_y) + offset.y
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
        background) has nothing to add to them and costs more than drawing them (~6 ms a paint)."""
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
        key = (self.listed[position], width, highlighted)
        strip = self._line_cache.get(key)
        if strip is None:
            strip = self._render_row(self.rows[self.listed[position]], width, highlighted)
            if len(self._line_cache) > 1200:
                self._line_cache.clear()
            self._line_cache[key] = strip
        return strip

    def _render_row(self, row: InspectorRow, width: int, highlighted: bool) -> Strip:
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
                _headers_summary(row.record),
                width,
            )
        if row.wire is not None:
            wire = row.wire
            name = wire.name
            style_name = name if name in KNOWN_EVENTS else "unknown"
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
        columns = [
            f"{format_offset(at):>{TIME_WIDTH}} ",
            f"{name[:NAME_WIDTH]:<{NAME_WIDTH}}",
            f"{'' if index is None else index:>{INDEX_WIDTH}} ",
        ]
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


def _headers_summary(record: WireRecord) -> str:
    parts = [f"HTTP {record.status}"]
    if record.request_id:
        parts.append(sanitize_line(record.request_id))
    remaining = record.header("anthropic-ratelimit-requests-remaining")
    if remaining is not None:
        parts.append(f"requests left {sanitize_line(remaining)}")
    if record.attempts > 1:
        parts.append(f"attempt {record.attempts}")
    return " · ".join(parts)
