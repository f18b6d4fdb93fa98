"""One event, studied: its exact bytes, its JSON, what the SDK made of it, and what it means."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown, Static

from tui_chat.safety import sanitize
from tui_chat.session.inspect import (
    explain,
    explain_wire,
    pretty_json,
    raw_lines,
    request_body,
    request_call,
    request_head,
    sdk_object_text,
)
from tui_chat.stream.wire import KEPT_MESSAGES, WireEvent
from tui_chat.widgets.event_inspector import EventInspector, InspectorRow
from tui_chat.wording import count_of, duration


class EventDetailScreen(ModalScreen[None]):
    CSS_PATH = Path(__file__).with_suffix(".tcss")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close"),
        Binding("right,n", "step(1)", "Next event"),
        Binding("left,b", "step(-1)", "Previous event"),
    ]

    def __init__(self, inspector: EventInspector, row: InspectorRow) -> None:
        super().__init__()
        self.inspector = inspector
        self.row = row

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="event-detail"):
            yield Static(id="detail-title", markup=False)
            yield Markdown(id="detail-explanation", open_links=False)
            yield Static(id="detail-wire-title", classes="section-title", markup=False)
            yield Static(id="detail-wire", classes="code", markup=False)
            yield Static(Content("Parsed JSON"), id="detail-json-title", classes="section-title", markup=False)
            yield Static(id="detail-json", classes="code", markup=False)
            yield Static(id="detail-sdk-title", classes="section-title", markup=False)
            yield Static(id="detail-sdk", classes="code", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.row)

    def show(self, row: InspectorRow) -> None:
        self.row = row
        title, explanation, wire_title, wire, parsed, sdk = describe_row(row)
        self.query_one("#detail-title", Static).update(title)
        self.query_one("#detail-explanation", Markdown).update(explanation)
        self.query_one("#detail-wire-title", Static).update(wire_title)
        self.query_one("#detail-wire", Static).update(Content(wire))
        self.query_one("#detail-json", Static).update(Content(parsed))
        request = row.request is not None
        self.query_one("#detail-json-title", Static).update(Content("The body" if request else "Parsed JSON"))
        self.query_one("#detail-sdk-title", Static).update(
            Content("The SDK call that sent it" if request else "What the SDK made of it")
        )
        self.query_one("#detail-sdk", Static).update(Content(sdk))
        self.query_one("#event-detail", VerticalScroll).scroll_home(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_step(self, step: int) -> None:
        inspector = self.inspector
        if self.row not in inspector.rows:  # (the inspector was cleared, or its rows packed, meanwhile)
            self.notify("This event's place in the inspector changed: close and select it again.", markup=False)
            return
        index = inspector.rows.index(self.row)
        positions = inspector.listed
        # the next selectable visible row in the direction of travel
        candidates = [p for p, i in enumerate(positions) if (i > index if step > 0 else i < index)]
        ordered = candidates if step > 0 else list(reversed(candidates))
        for position in ordered:
            row = inspector.rows[positions[position]]
            if row.selectable:
                inspector.following = False
                inspector.cursor = position
                inspector.refresh()
                self.show(row)
                return
        self.notify("No more events in that direction.", markup=False)


def describe_row(row: InspectorRow) -> tuple[Content, str, Content, str, str, str]:
    """Title, explanation (trusted markdown), wire title, wire text, parsed JSON, SDK object text."""
    if row.request is not None:
        request = row.request
        attempt = f" · attempt {request.attempt}" if request.attempt > 1 else ""
        title = Content.from_markup(
            "[b]Request[/b] · turn $turn · request $number$attempt · +$at",
            turn=str(row.turn_number),
            number=str(request.index + 1),
            attempt=attempt,
            at=duration(request.at, "ms", compact=True),
        )
        folded = ""
        if request.messages > KEPT_MESSAGES:
            folded = f"(the history folded to its last {KEPT_MESSAGES} messages; attached files shown by size)\n"
        return (
            title,
            explain("request"),
            Content(f"Sent: {request.method}, {request.size:,} bytes of JSON, {count_of(request.messages, 'message')}"),
            request_head(request),
            folded + request_body(request),
            request_call(request),
        )
    if row.record is not None:
        record = row.record
        headers = "\n".join(f"{name}: {sanitize(value)}" for name, value in record.headers) or "(none)"
        status = f"HTTP {record.status}"
        if record.replay:  # the local server's headers are not shown: they say nothing about the recording
            status = f"As recorded: HTTP {record.status}" if record.headers else "A replay: no headers recorded"
            headers = headers if record.headers else "(the recording has no .sse.json sidecar with its headers)"
        if record.attempts > 1:
            status += f" (after {count_of(record.attempts - 1, 'failed attempt')})"
        title = Content.from_markup(
            "[b]Response headers[/b] · turn $turn · event 0 · +$at",
            turn=str(row.turn_number),
            at=duration(record.headers_at or 0.0, "ms", compact=True),
        )
        return (
            title,
            explain("headers"),
            Content(status),
            headers,
            "(headers have no JSON)",
            "(the SDK keeps these on stream.response.headers; request_id is stream.request_id)",
        )
    if row.helper is not None:
        helper = row.helper
        title = Content.from_markup(
            "[b]sdk·$type[/b] · made by the SDK, not on the wire · turn $turn · +$at",
            type=helper.type,
            turn=str(row.turn_number),
            at=duration(helper.at, "ms", compact=True),
        )
        made_from = f"Made from wire event {helper.wire_index} of this turn (the row above it)."
        return (
            title,
            explain("sdk"),
            Content("On the wire"),
            made_from,
            "(nothing: not on the wire)",
            sdk_object_text(helper.obj),
        )
    assert row.wire is not None
    wire = row.wire
    name = sanitize(wire.name)
    index = "" if wire.block_index is None else f" · block {wire.block_index}"
    title = Content.from_markup(
        "[b]$name[/b] · turn $turn · event $number$index · +$at",
        name=name,
        turn=str(row.turn_number),
        number=str(wire.index + 1),
        index=index,
        at=duration(wire.at, "ms", compact=True),
    )
    wire_title = Content(
        f"On the wire: {len(wire.raw):,} bytes, exactly as received (↵ = LF, ← = CR, · = trailing space)"
    )
    return (
        title,
        explain_wire(wire),
        wire_title,
        raw_lines(wire),
        pretty_json(wire),
        sdk_object_text(_sdk_object(wire)),
    )


def _sdk_object(wire: WireEvent) -> object:
    """What the SDK made of the frame. Deltas (and the frames of saved turns) keep no object: their
    object is rebuilt from the frame, exactly as the stream builds it."""
    if wire.parsed is not None:
        return wire.parsed
    from tui_chat.stream.sdk_objects import rebuild_raw_event

    return rebuild_raw_event(wire.event, wire.data)
