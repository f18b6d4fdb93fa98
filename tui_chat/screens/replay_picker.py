"""Pick a recording to replay: the shipped examples and the `.sse` files in the current directory."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tui_chat.safety import sanitize_line
from tui_chat.session.recording import ReplayChoice, WireRecording, load_recording, packaged_recordings
from tui_chat.wording import count_of


class ReplayPickerScreen(ModalScreen[ReplayChoice | None]):
    CSS_PATH = Path(__file__).with_suffix(".tcss")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "choose(1.0, False)", "Replay", priority=True),
        Binding("f", "choose(4.0, False)", "Replay ×4", priority=True),
        Binding("s", "choose(1.0, True)", "Step through", priority=True),
    ]

    def __init__(self, cwd: Path | None = None) -> None:
        super().__init__()
        self.recordings = packaged_recordings()
        for path in sorted((cwd or Path.cwd()).glob("*.sse"))[:50]:
            try:
                recording = load_recording(path)
            except OSError:
                continue
            recording.description = "from the current directory" + (" (with timing)" if recording.arrival else "")
            self.recordings.append(recording)

    def compose(self) -> ComposeResult:
        with Vertical(id="replay-picker"):
            yield Static(
                Content("Replay a recorded stream through the same code and panes as a live answer (offline)."),
                id="replay-title",
            )
            yield OptionList(*[self._option(r) for r in self.recordings], id="replay-list")
        yield Footer()

    @staticmethod
    def _option(recording: WireRecording) -> Option:
        frames = len(recording.frames)
        label = Content.assemble(
            (sanitize_line(recording.name), "bold"),
            f"  ({count_of(frames, 'event')})\n",
            (sanitize_line(recording.description), "dim"),
        )
        return Option(label)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_choose(self, speed: float, step: bool) -> None:
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is None:
            return
        self.dismiss(ReplayChoice(self.recordings[highlighted], speed, step))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(ReplayChoice(self.recordings[event.option_index], 1.0, False))
