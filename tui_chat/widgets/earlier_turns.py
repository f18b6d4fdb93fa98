"""Stands in for the older turns of a long conversation until the user asks to see them."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Center
from textual.message import Message
from textual.widgets import Button

from tui_chat.session.model import Turn


class EarlierTurns(Center):
    DEFAULT_CSS = """
    EarlierTurns { height: auto; margin: 1 0 0 0; }
    """

    @dataclass
    class Show(Message):
        placeholder: EarlierTurns

    def __init__(self, turns: list[Turn]) -> None:
        super().__init__()
        self.turns = turns

    def compose(self) -> ComposeResult:
        yield Button(f"Show {len(self.turns)} earlier messages", id="show-earlier", variant="default")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Show(self))
