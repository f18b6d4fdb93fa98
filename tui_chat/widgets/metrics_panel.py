"""Live metrics: this turn (TTFT, elapsed, tokens in/out, tokens/s, stop reason) and session totals."""

from __future__ import annotations

import time

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from tui_chat.messages import MetricsUpdated, TurnEnded, TurnStarted
from tui_chat.session.model import Conversation, Turn, TurnMetrics, TurnStatus


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


class MetricsPanel(Static):
    """Two lines of numbers, redrawn at most ten times a second while a turn streams."""

    DEFAULT_CSS = """
    MetricsPanel {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, conversation: Conversation, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.conversation = conversation
        self.turn: Turn | None = None
        self._ticker: Timer | None = None
        self._dirty = False

    def on_mount(self) -> None:
        self.border_title = "Metrics"
        self._ticker = self.set_interval(0.1, self._tick, pause=True)
        self.refresh_metrics()

    def on_turn_started(self, message: TurnStarted) -> None:
        self.turn = message.turn
        if self._ticker is not None:
            self._ticker.resume()
        self.refresh_metrics()

    def on_metrics_updated(self, message: MetricsUpdated) -> None:
        self._dirty = True

    def on_turn_ended(self, message: TurnEnded) -> None:
        if self._ticker is not None:
            self._ticker.pause()
        self.refresh_metrics()

    def _tick(self) -> None:
        self.refresh_metrics()

    def set_conversation(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.turn = None
        self.refresh_metrics()

    def refresh_metrics(self) -> None:
        self._dirty = False
        self.update(self.render_metrics(time.perf_counter()))

    def render_metrics(self, now: float) -> Content:
        return Content("\n").join([self._turn_line(now), self._session_line()])

    def _turn_line(self, now: float) -> Content:
        turn = self.turn
        if turn is None:
            return Content.from_markup("[dim]This turn:[/] no request yet")
        metrics: TurnMetrics = turn.metrics
        streaming = turn.status is TurnStatus.STREAMING
        started = metrics.sent_at > 0
        elapsed = metrics.elapsed(now) if started else None
        rate = metrics.tokens_per_second(now)
        if metrics.output_tokens_final or not streaming:
            output = _count(metrics.output_tokens)
        else:
            output = f"~{metrics.estimated_output_tokens:,}"
        status = {
            TurnStatus.STREAMING: "streaming",
            TurnStatus.COMPLETE: metrics.stop_reason or "complete",
            TurnStatus.STOPPED: "stopped",
            TurnStatus.FAILED: "failed",
            TurnStatus.INCOMPLETE: "incomplete",
        }[turn.status]
        return Content.from_markup(
            "[b]TTFT[/] $ttft  [b]total[/] $elapsed  [b]in[/] $input  [b]out[/] $output  "
            "[b]tok/s[/] $rate  [b]stop[/] $status  [dim]$events ev · $pings pings[/]",
            ttft=_ms(metrics.ttft),
            elapsed=_ms(elapsed),
            input=_count(metrics.total_input_tokens),
            output=output,
            rate="—" if rate is None else f"{rate:,.0f}",
            status=status,
            events=f"{metrics.events:,}",
            pings=str(metrics.pings),
        )

    def _session_line(self) -> Content:
        totals = self.conversation.totals()
        return Content.from_markup(
            "[dim]Session:[/] $turns turns  in $input  out $output$failed",
            turns=str(totals.turns),
            input=f"{totals.input_tokens:,}",
            output=f"{totals.output_tokens:,}",
            failed=f"  ({totals.failed} failed)" if totals.failed else "",
        )
