"""F1: every key of the app and every slash command, read from the bindings themselves."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tui_chat import slash_commands

EXTRA_KEYS = [
    ("Enter", "send the prompt"),
    ("ctrl+j, shift+enter", "a new line in the prompt (ctrl+j works over SSH)"),
    ("↑ / ↓ in the prompt", "the prompts you sent before (from the first / last line)"),
    ("Tab", "move between the prompt, the conversation and the inspector"),
    ("typing", "in the conversation or the inspector, goes to the prompt (the inspector keeps its own keys below)"),
    ("ctrl+e", "in the conversation: show the earlier turns of a long saved conversation"),
    ("ctrl+p", "the command palette: every command, themes included"),
    ("ctrl+q", "quit"),
]


METRIC_WORDS = [
    ("TTFT", "from sending the request to the first content_block_delta (after a retry: from the first attempt)"),
    ("client", "beside TTFT when the request waited on this side first (the SDK still loading at start-up)"),
    ("in", "the request's input tokens, cache included: uncached + cache reads + cache writes"),
    ("out", "output tokens, from the last message_delta"),
    ("~", "an estimate (about 4 characters a token): while streaming, or a turn that ended without a count"),
    ("—", "no count to trust yet (a gateway may send 0 in message_start and the real count only later)"),
]


STEP_ACTIONS = ("step(",)
"""Keys that only work while a replay steps (`--step`): listed in their own section."""


def binding_rows(bindings: list[BindingType], *, step: bool = False) -> list[tuple[str, str]]:
    """The described bindings; `step`: those of a stepping replay only (else all the others)."""
    rows = []
    for entry in bindings:
        if isinstance(entry, Binding) and entry.description and entry.action.startswith(STEP_ACTIONS) == step:
            keys = ", ".join(key.strip() for key in entry.key.split(","))
            rows.append((keys, entry.description))
    return rows


Section = tuple[str, list[tuple[str, str]]]


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


def help_sections(
    screen_bindings: list[BindingType], inspector_bindings: list[BindingType]
) -> list[tuple[str, list[tuple[str, str]]]]:
    slash = [(command.usage, command.help) for command in slash_commands.COMMANDS]
    return [
        ("Keys", EXTRA_KEYS + binding_rows(screen_bindings)),
        ("In the event inspector", binding_rows(inspector_bindings)),
        (
            "While a replay steps (claude-tui replay --step, or s in the replay picker)",
            binding_rows(screen_bindings, step=True),
        ),
        ("Slash commands (type them in the prompt)", slash),
        ("Metrics (the metrics pane, F3 and exports count the same way)", METRIC_WORDS),
        (
            "Learn more",
            [
                (
                    "demo scenarios",
                    "in demo mode, put long, code, think, tool, error, drop, slow, 429, 529 … in a message",
                ),
                ("replays", "claude-tui replay (or /replay): recorded streams, --step for one event per key"),
                ("README", "the full guide: keys, configuration, gateways, the benchmark"),
            ],
        ),
    ]
