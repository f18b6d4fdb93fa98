"""F1: every key of the app and every slash command, generated from the command table."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tui_chat.commands import SCOPE_TITLES, KeyMap, Scope, help_rows, slash_commands

Section = tuple[str, list[tuple[str, str]]]

METRIC_WORDS = [
    ("TTFT", "from sending the request to the first content_block_delta (after a retry: from the first attempt)"),
    ("client", "beside TTFT when the request waited on this side first (the SDK still loading at start-up)"),
    ("in", "the request's input tokens, cache included: uncached + cache reads + cache writes"),
    ("out", "output tokens, from the last message_delta"),
    ("~", "an estimate (about 4 characters a token): while streaming, or a turn that ended without a count"),
    ("—", "no count to trust yet (a gateway may send 0 in message_start and the real count only later)"),
]
"""The words of the metrics pane, F3 and exports (they count the same way everywhere)."""


class HelpScreen(ModalScreen[None]):
    CSS_PATH = Path(__file__).with_name("session_metrics.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "close", "Close")]

    def __init__(self, sections: list[Section]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="session-metrics"):
            for title, rows in self.sections:
                yield Static(Content(title), classes="section-title", markup=False)
                width = max((len(key) for key, _ in rows), default=10) + 2
                text = "\n".join(f"  {key:<{width}} {what}" for key, what in rows)
                yield Static(Content(text), markup=False)
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)


def help_sections(keymap: KeyMap) -> list[Section]:
    """Every key of every place (with the user's `[keys]` applied), the slash commands, and pointers."""
    sections: list[Section] = [(SCOPE_TITLES[scope], help_rows(scope, keymap)) for scope in Scope]
    sections.append(
        (
            "Slash commands (type them in the prompt)",
            [(command.slash_usage, command.help) for command in slash_commands()],
        )
    )
    sections.append(("Metrics (the metrics pane, F3 and exports count the same way)", METRIC_WORDS))
    sections.append(
        (
            "Learn more",
            [
                ("Tab", "moves between the prompt, the conversation and the inspector"),
                ("typing", "in the conversation or the inspector goes to the prompt (the inspector keeps its keys)"),
                (
                    "config.toml",
                    '[keys] rebinds a command: its id = a key (e.g. toggle_inspector = "f6"); ids in the README',
                ),
                (
                    "demo scenarios",
                    "in demo mode, put long, code, think, tool, error, drop, slow, 429, 529 … in a message",
                ),
                ("replays", "claude-tui replay (or /replay): recorded streams, --step for one event per key"),
                ("README", "the full guide: keys, configuration, gateways, the benchmark"),
            ],
        )
    )
    return [(title, rows) for title, rows in sections if rows]
