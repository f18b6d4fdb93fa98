"""Choose the model for the next turns, from the Models API (or the offline list)."""

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

from tui_chat.session.model_catalog import ModelChoice, describe_capabilities, describe_limits


class ModelPickerScreen(ModalScreen[str | None]):
    CSS_PATH = Path(__file__).with_name("replay_picker.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, models: list[ModelChoice], current: str, note: str) -> None:
        super().__init__()
        self.models = models
        self.current = current
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="replay-picker"):
            yield Static(Content(self.note), id="replay-title", markup=False)
            yield OptionList(*[self._option(m) for m in self.models], id="replay-list")
        yield Footer()

    def _option(self, model: ModelChoice) -> Option:
        marker = "● " if model.id == self.current else "  "
        name = "" if model.display_name in ("", model.id) else model.display_name  # a gateway may give none
        takes = describe_capabilities(model.capabilities)
        return Option(
            Content.assemble(
                marker,
                (model.id, "bold"),
                "  " if name else "",
                (name, "dim"),
                "\n    ",
                (describe_limits(model), "dim"),
                ("\n    takes: " + takes, "dim") if takes else "",
            )
        )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        for index, model in enumerate(self.models):
            if model.id == self.current:
                options.highlighted = index

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.models[event.option_index].id)

    def action_cancel(self) -> None:
        self.dismiss(None)
