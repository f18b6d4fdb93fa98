"""Every turn of the session in one table, and the TTFT experiments, for comparing as you learn."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from tui_chat.session.model import Conversation, format_tokens
from tui_chat.session.pricing import PRICES_AS_OF, format_cost
from tui_chat.session.ttft import TtftExperiment

COLUMNS = (
    "#",
    "model",
    "status",
    "TTFT",
    "total",
    "in",
    "cache r/w",
    "out",
    "thinking",
    "tok/s",
    "stop",
    "retries",
    "request-id",
    "cost (est.)",
)


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


class SessionMetricsScreen(ModalScreen[None]):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,f3", "close", "Close")]

    def __init__(self, conversation: Conversation, experiments: list[TtftExperiment]) -> None:
        super().__init__()
        self.conversation = conversation
        self.experiments = experiments

    def compose(self) -> ComposeResult:
        with Vertical(id="session-metrics"):
            yield Static(Content("Turns of this conversation"), classes="section-title", markup=False)
            yield DataTable(id="turn-table", zebra_stripes=True, cursor_type="row")
            yield Static(Content("TTFT experiments (this session)"), classes="section-title", markup=False)
            yield DataTable(id="ttft-table", zebra_stripes=True, cursor_type="row")
            yield Static(
                Content(
                    f"Costs are estimates from a price table dated {PRICES_AS_OF} (input/output per million "
                    "tokens; cache writes 1.25×, reads 0.1× the input price). Check the current pricing page."
                ),
                id="price-note",
                markup=False,
            )
        yield Footer()

    def on_mount(self) -> None:
        turns = self.query_one("#turn-table", DataTable)
        turns.add_columns(*COLUMNS)
        for turn in self.conversation.turns:
            if turn.role != "assistant":
                continue
            m = turn.metrics
            rate = m.tokens_per_second()
            turns.add_row(
                str(turn.number),
                turn.model,
                turn.status.value + (" (replay)" if turn.replay else ""),
                _seconds(m.ttft),
                _seconds(m.elapsed()) if m.sent_at else "—",
                format_tokens(m.input_count),
                f"{m.cache_read_input_tokens or 0:,}/{m.cache_creation_input_tokens or 0:,}",
                format_tokens(*m.output_count),
                "—" if m.thinking_tokens is None else f"{m.thinking_tokens:,}",
                "—" if rate is None else f"{'≈' if m.read_pace > 0 else ''}{rate:,.0f}",
                m.stop_reason or "—",
                str(max(m.attempts - 1, len(turn.retries))),
                m.request_id or "—",
                format_cost(m.cost(turn.model)),
            )
        ttft = self.query_one("#ttft-table", DataTable)
        ttft.add_columns("when", "model", "streaming TTFT", "streaming total", "non-streaming total", "tokens", "×")
        for experiment in self.experiments:
            s, n = experiment.streaming, experiment.non_streaming
            speedup = experiment.speedup
            ttft.add_row(
                experiment.when.astimezone().strftime("%H:%M:%S"),
                experiment.model,
                _seconds(s.ttft),
                _seconds(s.total),
                _seconds(n.total),
                f"{s.output_tokens or 0:,} / {n.output_tokens or 0:,}",
                "—" if speedup is None else f"{speedup:,.1f}×",
            )

    def action_close(self) -> None:
        self.dismiss(None)
