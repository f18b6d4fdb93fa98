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
        if self._ticker is None or self.turn is None or self.turn.status is not TurnStatus.STREAMING:
            self.refresh_metrics()

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
        self.update(self.render_metrics(time.perf_counter()))

    def render_metrics(self, now: float) -> Content:
        return Content("\n").join([*self._turn_lines(now), self._session_line()])

    def _turn_lines(self, now: float) -> list[Content]:
        turn = self.turn
        if turn is None:
            return [Content.styled("No request yet.", "dim"), Content("")]
        metrics: TurnMetrics = turn.metrics
        streaming = turn.status is TurnStatus.STREAMING
        elapsed = metrics.elapsed(now) if metrics.sent_at > 0 else None
        rate = metrics.tokens_per_second(now)
        if metrics.output_tokens_final or not streaming:
            output = _count(metrics.output_tokens)
        else:
            output = f"~{metrics.estimated_output_tokens:,}"
        status = {
            TurnStatus.STREAMING: "streaming…",
            TurnStatus.COMPLETE: metrics.stop_reason or "complete",
            TurnStatus.STOPPED: "stopped",
            TurnStatus.FAILED: "failed",
            TurnStatus.INCOMPLETE: "incomplete",
        }[turn.status]
        timing = _pairs(
            ("TTFT", _ms(metrics.ttft)),
            ("total", _ms(elapsed)),
            ("tok/s", "—" if rate is None else f"{rate:,.0f}"),
            ("stop", status),
        )
        tokens = _pairs(
            ("in", _count(metrics.total_input_tokens)),
            ("out", output),
            ("events", f"{metrics.events:,}"),
            ("pings", str(metrics.pings)),
        )
        return [timing, tokens]

    def _session_line(self) -> Content:
        totals = self.conversation.totals()
        pairs = [
            ("session turns", str(totals.turns)),
            ("in", f"{totals.input_tokens:,}"),
            ("out", f"{totals.output_tokens:,}"),
        ]
        if totals.failed:
            pairs.append(("failed", str(totals.failed)))
        return _pairs(*pairs, dim=True)


def _pairs(*pairs: tuple[str, str], dim: bool = False) -> Content:
    """`label value · label value`, labels bold (or all dim). Values are plain text, never markup."""
    parts: list[Content | str | tuple[str, str]] = []
    for position, (label, value) in enumerate(pairs):
        if position:
            parts.append((" · ", "dim"))
        parts.append((f"{label} ", "dim" if dim else "bold"))
        parts.append((value, "dim") if dim else value)
    return Content.assemble(*parts)
