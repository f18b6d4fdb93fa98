"""Pick one of a few values (thinking display, effort level), each with a line on what it sends."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option


class ChoiceScreen(ModalScreen[str | None]):
    """`choices`: (value, what it does); dismissed with the value chosen, or None."""

    DEFAULT_CSS = """
    ChoiceScreen { align: center middle; background: $background 60%; }
    ChoiceScreen > #choice { width: 80; max-width: 95%; height: auto; max-height: 80%;
        border: round $secondary; background: $surface; padding: 0 1; }
    ChoiceScreen #choice-title { margin: 0 0 1 0; color: $text-muted; }
    ChoiceScreen #choice-list { height: auto; max-height: 20; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]], current: str) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="choice"):
            yield Static(Content(self.title_text), id="choice-title", markup=False)
            yield OptionList(*[self._option(value, help) for value, help in self.choices], id="choice-list")
        yield Footer()

    def _option(self, value: str, help: str) -> Option:
        marker = "● " if value == self.current else "  "
        return Option(Content.assemble(marker, (value, "bold"), "\n    ", (help, "dim")))

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        for index, (value, _) in enumerate(self.choices):
            if value == self.current:
                options.highlighted = index

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index][0])

    def action_cancel(self) -> None:
        self.dismiss(None)
