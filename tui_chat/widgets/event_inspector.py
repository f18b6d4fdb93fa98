"""The event inspector: one line per wire event, in arrival order, for every turn of the session.

A line-API widget: rows live in a plain list and only the visible ones are rendered, so 10,000
events cost no more to show than 40. Rows arrive in batches (`WireEventsArrived`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_chat.messages import RetryScheduled, TurnConnected, TurnEnded, TurnStarted, WireEventsArrived
from tui_chat.safety import sanitize_line
from tui_chat.session.inspect import KNOWN_EVENTS, format_offset, summarize
from tui_chat.session.model import TurnStatus
from tui_chat.stream.wire import WireEvent

TIME_WIDTH = 9
NAME_WIDTH = 20
INDEX_WIDTH = 3


@dataclass(slots=True)
class InspectorRow:
    """A line: a wire event, or a note about the turn (request sent, headers, retry, end)."""

    turn_id: int
    wire: WireEvent | None = None
    note: str = ""
    note_kind: str = "note"


class EventInspector(ScrollView, can_focus=True):
    """Every stream event as it arrives: time since the request, type (coloured), block index, payload."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "event-inspector--time",
        "event-inspector--index",
        "event-inspector--payload",
        "event-inspector--note",
        "event-inspector--note-error",
        "event-inspector--unknown",
        *(f"event-inspector--{name}" for name in KNOWN_EVENTS),
    }

    DEFAULT_CSS = """
    EventInspector {
        background: $surface;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: list[InspectorRow] = []
        self._styles: dict[str, Style] = {}
        self._line_cache: dict[tuple[int, int], Strip] = {}

    # ------------------------------------------------------------------------------ content
    def _add_rows(self, rows: list[InspectorRow]) -> None:
        following = self.scroll_y >= self.max_scroll_y - 1
        self.rows.extend(rows)
        self.virtual_size = Size(self.size.width, len(self.rows))
        if following:
            self.scroll_end(animate=False, immediate=False, x_axis=False)
        self.refresh()

    def on_turn_started(self, message: TurnStarted) -> None:
        turn = message.turn
        self._add_rows(
            [InspectorRow(turn.id, note=f"── turn {turn.number}: POST /v1/messages · {turn.model} ──")]
        )

    def on_turn_connected(self, message: TurnConnected) -> None:
        record = message.record
        request_id = record.request_id or "no request-id"
        after = format_offset(record.headers_at or 0)
        note = f"HTTP {record.status} · {sanitize_line(request_id)} · headers after {after}"
        self._add_rows([InspectorRow(message.turn_id, note=note)])

    def on_retry_scheduled(self, message: RetryScheduled) -> None:
        notice = message.notice
        attempt = f"attempt {notice.attempt}/{notice.max_attempts}"
        note = f"{attempt} failed: {notice.reason} — retrying in {notice.wait:.1f}s"
        self._add_rows([InspectorRow(message.turn_id, note=note, note_kind="error")])

    def on_wire_events_arrived(self, message: WireEventsArrived) -> None:
        self._add_rows([InspectorRow(message.turn_id, wire=wire) for wire in message.events])

    def on_turn_ended(self, message: TurnEnded) -> None:
        turn = message.turn
        counts = turn.wire.counts() if turn.wire is not None else {}
        total = sum(counts.values())
        pings = counts.get("ping", 0)
        summary = f"{total} events, {pings} pings"
        if turn.status is TurnStatus.COMPLETE:
            note = f"── turn {turn.number} complete: {summary} ──"
        else:
            reason = turn.error.kind if turn.error is not None else turn.status.value
            note = f"── turn {turn.number} {turn.status.value} ({reason}): {summary} ──"
        kind = "note" if turn.status is TurnStatus.COMPLETE else "error"
        self._add_rows([InspectorRow(turn.id, note=note, note_kind=kind)])

    def clear(self) -> None:
        self.rows.clear()
        self._line_cache.clear()
        self.virtual_size = Size(self.size.width, 0)
        self.refresh()

    # ------------------------------------------------------------------------------ rendering
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._line_cache.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(
                f"event-inspector--{name}", partial=True
            )
        return style

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        key = (index, width)
        strip = self._line_cache.get(key)
        if strip is None:
            strip = self._render_row(self.rows[index], width)
            if len(self._line_cache) > 2000:
                self._line_cache.clear()
            self._line_cache[key] = strip
        return strip.crop(scroll_x, scroll_x + width)

    def _render_row(self, row: InspectorRow, width: int) -> Strip:
        base = self.rich_style
        if row.wire is None:
            style = self._style("note-error" if row.note_kind == "error" else "note")
            return Strip([Segment(row.note, base + style)]).adjust_cell_length(width, base)
        wire = row.wire
        name = wire.name
        name_style = self._style(name if name in KNOWN_EVENTS else "unknown")
        block_index = wire.block_index
        segments = [
            Segment(format_offset(wire.at).rjust(TIME_WIDTH) + " ", base + self._style("time")),
            Segment(sanitize_line(name)[:NAME_WIDTH].ljust(NAME_WIDTH), base + name_style),
            Segment(
                (str(block_index) if block_index is not None else "").rjust(INDEX_WIDTH) + " ",
                base + self._style("index"),
            ),
            Segment(summarize(wire, limit=max(width, 20)), base + self._style("payload")),
        ]
        return Strip(segments).adjust_cell_length(width, base)

    def on_resize(self) -> None:
        self._line_cache.clear()
        self.virtual_size = Size(self.size.width, len(self.rows))
