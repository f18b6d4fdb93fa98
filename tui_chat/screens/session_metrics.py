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

from tui_chat.session.conversation import Conversation, Turn, cut_short, format_tokens
from tui_chat.session.pricing import PRICES_AS_OF, format_cost
from tui_chat.session.ttft import TtftExperiment
from tui_chat.wording import duration

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


def status_text(turn: Turn) -> str:
    """`complete`, `failed`..., or what cut a complete answer short (`✂ cut`; the stop column says why)."""
    cut = cut_short(turn)
    text = f"{cut.mark} {cut.word}" if cut is not None else turn.status.value
    return text + (" (replay)" if turn.replay else "")


class SessionMetricsScreen(ModalScreen[None]):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,f3", "close", "Close")]

    def __init__(self, conversation: Conversation, experiments: list[TtftExperiment]) -> None:
        super().__init__()
        self.conversation = conversation
        self.experiments = experiments

    def compose(self) -> ComposeResult:
        with Vertical(id="session-metrics"):
            yield Static(Content("Turns of this conversation"), id="turn-title", classes="section-title", markup=False)
            yield DataTable(id="turn-table", zebra_stripes=True, cursor_type="row")
            yield Static(Content("TTFT experiments (this session)"), classes="section-title", markup=False)
            yield DataTable(id="ttft-table", zebra_stripes=True, cursor_type="row")
            yield Static(
                Content(
                    "in: the request's input tokens, cache reads and writes included (cache r/w splits them "
                    "out); ~: an estimate, the turn had no output count. "
                    f"Costs are estimates from a price table dated {PRICES_AS_OF} (input/output per million "
                    "tokens; cache writes 1.25×, reads 0.1× the input price). Check the current pricing page."
                ),
                id="price-note",
                markup=False,
            )
        yield Footer()

    def on_mount(self) -> None:
        turns = self.query_one("#turn-table", DataTable)
        rows = []
        answers = [turn for turn in self.conversation.turns if turn.role == "assistant"]
        for turn in answers:
            m = turn.metrics
            rate = m.tokens_per_second()
            rows.append(
                (
                    str(turn.number),
                    turn.model,
                    status_text(turn),
                    duration(m.ttft),
                    duration(m.elapsed() if m.sent_at else None),
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
            )
        # Columns with nothing to say for any turn (one model throughout: it goes in the title) are left
        # out, so the rest, request-id and cost included, fit a 120-column terminal without scrolling.
        empty = {"model": "", "cache r/w": "0/0", "thinking": "—", "retries": "0"}
        shown = [
            position
            for position, name in enumerate(COLUMNS)
            if name not in empty or any(row[position] != empty[name] for row in rows)
        ]
        models = {turn.model for turn in answers}
        if len(models) == 1:
            shown.remove(COLUMNS.index("model"))
            self.query_one("#turn-title", Static).update(Content(f"Turns of this conversation · {models.pop()}"))
        turns.add_columns(*(COLUMNS[position] for position in shown))
        for row in rows:
            turns.add_row(*(row[position] for position in shown))
        ttft = self.query_one("#ttft-table", DataTable)
        ttft.add_columns("when", "model", "streaming TTFT", "streaming total", "non-streaming total", "tokens", "×")
        for experiment in self.experiments:
            s, n = experiment.streaming, experiment.non_streaming
            speedup = experiment.speedup
            ttft.add_row(
                experiment.when.astimezone().strftime("%H:%M:%S"),
                experiment.model,
                duration(s.ttft),
                duration(s.total),
                duration(n.total),
                f"{s.output_tokens or 0:,} / {n.output_tokens or 0:,}",
                "—" if speedup is None else f"{speedup:,.1f}×",
            )

    def action_close(self) -> None:
        self.dismiss(None)
