"""The inspector's pane: a status line (following or paused, filter, the turn's read pacing and counts)
above the events."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content

from tui_chat.commands import active_keymap
from tui_chat.stream.wire import KNOWN_EVENTS
from tui_chat.widgets.event_inspector import EventInspector
from tui_chat.widgets.live_text import LiveText
from tui_chat.wording import duration

SHORT_NAMES = {
    "message_start": "msg_start",
    "content_block_start": "block_start",
    "content_block_delta": "delta",
    "content_block_stop": "block_stop",
    "message_delta": "msg_delta",
    "message_stop": "msg_stop",
}


class InspectorPane(Vertical):
    DEFAULT_CSS = """
    InspectorPane > #inspector-status {
        height: 3;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding: 0 1;
        color: $text-muted;
        background: $surface;
    }
    InspectorPane > EventInspector { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.status = LiveText(id="inspector-status")
        self.inspector = EventInspector(id="inspector")
        self._low_bandwidth = False

    @property
    def low_bandwidth(self) -> bool:
        """The app is in low-bandwidth mode (the status says so)."""
        return self._low_bandwidth

    @low_bandwidth.setter
    def low_bandwidth(self, value: bool) -> None:
        if value != self._low_bandwidth:
            self._low_bandwidth = value
            if self.is_mounted:
                self.update_status()

    def compose(self) -> ComposeResult:
        yield self.status
        yield self.inspector

    def on_mount(self) -> None:
        keys = active_keymap()
        self.border_title = f"Event inspector ({keys.label('toggle_inspector')})"
        self.border_subtitle = "↑↓ select · " + " · ".join(
            f"{keys.label(command_id).lower()} {word}"
            for command_id, word in (
                ("inspector_open", "details"),
                ("inspector_pause", "pause"),
                ("inspector_pings", "pings"),
                ("inspector_deltas", "deltas"),
                ("inspector_errors", "errors"),
                ("inspector_sdk", "SDK"),
            )
        )
        self.update_status()

    def on_event_inspector_state_changed(self, message: EventInspector.StateChanged) -> None:
        self.update_status()

    def on_resize(self) -> None:
        self.update_status()

    def update_status(self) -> None:
        inspector = self.inspector
        if inspector.following:
            state = Content.styled("● following", "bold $success")
        else:
            unseen = f" · {inspector.unseen:,} new" if inspector.unseen else ""
            why = "" if inspector.held else " on the selected row (End follows; so does a new turn)"
            state = Content.styled(f"❚❚ paused{unseen}{why}", "bold $warning")
        lines = [Content.assemble(state, "  ", inspector.filter.describe())]
        turn_id = inspector.current_turn_id
        turn = inspector.turns.get(turn_id) if turn_id is not None else None
        if turn is not None and turn.read_pace > 0:  # the times of this turn are read times, in steps
            lines[0] += f" · read every {duration(turn.read_pace, 'ms')}"
        if self._low_bandwidth:
            lines[0] += Content.styled(" · low bandwidth", "$warning")
        if turn is not None and turn.counts:
            ordered = [name for name in KNOWN_EVENTS if name in turn.counts]
            ordered += [name for name in turn.counts if name not in KNOWN_EVENTS]
            items = [f"{SHORT_NAMES.get(name, name)} {turn.counts[name]:,}" for name in ordered]
            lines += self._rows(f"turn {turn.number}: ", items, self.status.content_region.width)
        self.status.set(Content("\n").join(lines))

    @staticmethod
    def _rows(head: str, items: list[str], width: int, rows: int = 2) -> list[Content]:
        """`head` and the items joined by " · ", wrapped between items into at most `rows` rows (a
        continued row starts with "·"; the status has a fixed height, so what does not fit ends the last row
        with an ellipsis)."""
        lines: list[str] = []
        line = head
        for item in items:
            piece = item if line == head else f" · {item}"
            if line != head and width > 0 and len(line) + len(piece) > width and len(lines) < rows - 1:
                lines.append(line)
                line, piece = "", f"· {item}"
            line += piece
        lines.append(line)
        return [Content(text) for text in lines]
