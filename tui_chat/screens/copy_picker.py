"""Choose what to copy: an answer, a message, or one code block."""

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

from tui_chat.session.clipboard import CopyItem


class CopyPickerScreen(ModalScreen[CopyItem | None]):
    CSS_PATH = Path(__file__).with_name("replay_picker.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, items: list[CopyItem]) -> None:
        super().__init__()
        self.items = items

    def compose(self) -> ComposeResult:
        with Vertical(id="replay-picker"):
            yield Static(Content("Copy to the clipboard (OSC 52, works over SSH):"), id="replay-title", markup=False)
            yield OptionList(*[Option(Content(item.label)) for item in self.items], id="replay-list")
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.items[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
