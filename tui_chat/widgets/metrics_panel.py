"""Live metrics: this turn's timings, tokens and costs, an inter-token sparkline, and session totals."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Sparkline

from tui_chat.messages import MetricsUpdated, TurnEnded, TurnStarted
from tui_chat.session.context import ContextUsage
from tui_chat.session.model import Conversation, Turn, TurnMetrics, TurnStatus
from tui_chat.session.pricing import format_cost
from tui_chat.stream import clock
from tui_chat.widgets.live_text import LiveText

SPARK_POINTS = 40


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _short_count(value: int) -> str:
    """`1M`, `200K`, `1,500`."""
    if value >= 1_000_000 and value % 100_000 == 0:
        return f"{value / 1_000_000:g}M"
    if value >= 1000 and value % 1000 == 0:
        return f"{value // 1000:,}K"
    return f"{value:,}"


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def pairs(*items: tuple[str, str], dim: bool = False) -> Content:
    """`label value · label value`, labels bold (or all dim). Values are plain text, never markup."""
    parts: list[Content | str | tuple[str, str]] = []
    for position, (label, value) in enumerate(items):
        if position:
            parts.append((" · ", "dim"))
        parts.append((f"{label} ", "dim" if dim else "bold"))
        parts.append((value, "dim") if dim else value)
    return Content.assemble(*parts)


class MetricsPanel(Horizontal):
    """Numbers on the left, the inter-token sparkline right.

    While streaming they are redrawn four times a second, with a batch the stream posts
    (`MetricsUpdated`), so in the same frame as the text and the inspector; a ticker keeps the
    clock moving when nothing arrives (waiting for the first token, a stalled stream). A redraw of
    their own would cost a frame of its own.
    """

    TICK = 0.25

    DEFAULT_CSS = """
    MetricsPanel {
        height: auto;
        padding: 0 1;
    }
    MetricsPanel > #metrics-text { width: 1fr; height: auto; text-wrap: nowrap; text-overflow: ellipsis; }
    MetricsPanel > #metrics-spark { width: 26; height: 5; margin-left: 1; }
    MetricsPanel > #metrics-spark > Sparkline { height: 3; }
    MetricsPanel > #metrics-spark > LiveText {
        color: $text-muted; height: 2; text-wrap: nowrap; text-overflow: ellipsis;
    }
    MetricsPanel.-compact > #metrics-spark { display: none; }
    MetricsPanel.-narrow > #metrics-spark { display: none; }
    """

    def __init__(self, conversation: Conversation, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.conversation = conversation
        self.turn: Turn | None = None
        self.context: ContextUsage | None = None
        """How full the context window is (the gauge's row)."""
        self._compact = False
        self._ticker: Timer | None = None
        self._refreshed_at = 0.0
        self._text = LiveText(id="metrics-text")
        self._spark = Sparkline([], id="metrics-sparkline")
        self._spark_label = LiveText(Content("inter-token ms"))
        """Two fixed rows (a fixed height needs no layout pass): what it is, then p50 and max."""

    def compose(self) -> ComposeResult:
        yield self._text
        with Vertical(id="metrics-spark"):
            yield self._spark_label
            yield self._spark

    def on_mount(self) -> None:
        self.border_title = "Metrics"
        self._ticker = self.set_interval(self.TICK, self._tick, pause=True)
        self.refresh_metrics()

    def on_resize(self) -> None:
        """Next to the inspector the panel is narrow: the numbers need the room more than the sparkline."""
        self.set_class(self.size.width < 90, "-narrow")
        self.refresh_metrics()

    @property
    def _spark_shown(self) -> bool:
        return not (self._compact or self.has_class("-narrow"))

    def on_turn_started(self, message: TurnStarted) -> None:
        self.turn = message.turn
        if self._ticker is not None:
            self._ticker.resume()
        self.refresh_metrics()

    def on_metrics_updated(self, message: MetricsUpdated) -> None:
        """With each batch of the stream, so it is drawn in the same frame as the text and events."""
        self.refresh_metrics()

    def _tick(self) -> None:
        """Keep the elapsed time moving when no batch comes (waiting for the first token, a stall)."""
        if time.perf_counter() - self._refreshed_at >= 2 * self.TICK:
            self.refresh_metrics()

    def on_turn_ended(self, message: TurnEnded) -> None:
        if self._ticker is not None:
            self._ticker.pause()
        self.refresh_metrics()

    @property
    def compact(self) -> bool:
        """Two lines and no sparkline (small terminals)."""
        return self._compact

    @compact.setter
    def compact(self, value: bool) -> None:
        if value != self._compact:
            self._compact = value
            self.set_class(value, "-compact")
            self.refresh_metrics()

    def set_conversation(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.turn = None
        self.refresh_metrics()

    def set_context(self, usage: ContextUsage) -> None:
        """The context gauge: redrawn only when its figures change (a count after typing, an answer's end)."""
        if usage != self.context:
            self.context = usage
            self.refresh_metrics()

    def refresh_metrics(self) -> None:
        self._refreshed_at = time.perf_counter()
        self._text.set(self.render_metrics(clock.now()))
        # A hidden widget that changes makes Textual re-arrange the whole screen to find it: only
        # update the sparkline while it is shown (`on_resize` catches up when it appears).
        if self.turn is not None and self._spark_shown:
            gaps = self.turn.metrics.inter_token_ms(SPARK_POINTS)
            self._spark.data = gaps
            if gaps:
                ordered = sorted(gaps)
                median = ordered[len(ordered) // 2]
                paced = " · paced" if self.turn.metrics.read_pace > 0 else ""
                self._spark_label.set(Content(f"inter-token ms{paced}\np50 {median:,.0f} · max {ordered[-1]:,.0f}"))

    def render_metrics(self, now: float) -> Content:
        """The panel's text: always the same number of rows for a width (no re-layout as numbers grow),
        each row cut with an ellipsis rather than wrapped."""
        timing, status, tokens, cache, counts, ident, limits, money = self._turn_items(now)
        if self._compact:
            rows = [pairs(*timing, *status), Content.assemble(pairs(*tokens, *counts, *cache), self._context_short())]
        elif self.has_class("-narrow"):  # beside the inspector: shorter rows, one more of them
            short_money = [(label, value.removesuffix(" est.")) for label, value in money]
            rows = [
                pairs(*timing),
                pairs(*status, *tokens),
                pairs(*counts, *ident[1:], *cache),
                pairs(*ident[:1], dim=True),
                pairs(*limits, *short_money, dim=True),
                self._session_line(short=True),
                self._context_line(bar=10),
            ]
        else:
            rows = [
                pairs(*timing, *status),
                pairs(*tokens[:1], *cache, *tokens[1:], *counts),
                pairs(*ident, *limits, *money, dim=True),
                self._session_line(),
                self._context_line(),
            ]
        if self.turn is None:
            turn_rows = len(rows) if self._compact else len(rows) - 2
            rows[:turn_rows] = [Content.styled("No request yet.", "dim")] + [Content("")] * (turn_rows - 1)
            if self._compact:
                rows[-1] = Content.assemble(rows[-1], self._context_short())
        return Content("\n").join(rows)

    def _context_line(self, *, bar: int = 16) -> Content:
        """`context ████▌··········· 28% of 200K · 56,210 tokens counted` (or a warning past the limit)."""
        usage = self.context
        if usage is None or (usage.limit is None and usage.tokens is None):
            return pairs(("context", "—"), dim=True)
        limit = f" of {_short_count(usage.limit)}" if usage.limit else ""
        how = {"counted": "counted", "estimated": "estimated", "last answer": "last answer"}.get(usage.source, "")
        fraction = usage.fraction
        if usage.tokens is None or fraction is None:
            shown = "—" if usage.tokens is None else f"{usage.tokens:,} tokens"
            return pairs(("context", f"{shown}{limit}"), dim=True)
        colour = "$error" if usage.over else "$warning" if fraction >= 0.8 else "$success"
        filled = min(bar, max(1 if usage.tokens else 0, round(fraction * bar)))
        percent = f"{fraction:.0%}" if fraction >= 0.01 else f"{fraction:.1%}" if fraction >= 0.001 else "<0.1%"
        tail = f" · {usage.tokens:,} tokens {how}"
        if usage.over:
            tail = f" · {usage.tokens:,} tokens: over the limit, the API will refuse it"
        return Content.assemble(
            ("context ", "bold"),
            ("█" * filled, colour),
            ("·" * (bar - filled), "dim"),
            (f" {percent}{limit}", colour if usage.over else ""),
            (tail, "$error" if usage.over else "dim"),
        )

    def _context_short(self) -> Content:
        usage = self.context
        if usage is None or usage.fraction is None:
            return Content("")
        style = "$error" if usage.over else "dim"
        return Content.assemble((" · ", "dim"), ("context ", "bold"), (f"{usage.fraction:.0%}", style))

    def _turn_items(self, now: float) -> tuple[list[tuple[str, str]], ...]:
        """(timing, stop reason, tokens, cache, event counts, request id and retries, rate limits, cost)
        as label/value pairs."""
        turn = self.turn
        if turn is None:
            return [], [], [], [], [], [], [], []
        metrics: TurnMetrics = turn.metrics
        streaming = turn.status is TurnStatus.STREAMING
        loop = self.conversation.loop_requests(turn)  # every request of its tool loop so far: summed
        first = loop[0].metrics
        elapsed = metrics.elapsed(now) if metrics.sent_at > 0 else None
        if len(loop) > 1 and elapsed is not None and first.sent_at > 0:
            elapsed += metrics.sent_at - first.sent_at  # from the first request: tools and approvals included
        rate = metrics.tokens_per_second(now)
        if metrics.output_tokens_final or not streaming:
            output_count: int | None = metrics.output_tokens
            output = _count(sum(t.metrics.output_tokens or 0 for t in loop) if len(loop) > 1 else output_count)
        else:
            earlier = sum(t.metrics.output_tokens or 0 for t in loop if t is not turn)
            output = f"~{earlier + metrics.estimated_output_tokens:,}"
        status = {
            TurnStatus.STREAMING: "streaming…",
            TurnStatus.COMPLETE: metrics.stop_reason or "complete",
            TurnStatus.STOPPED: "stopped",
            TurnStatus.FAILED: "failed",
            TurnStatus.INCOMPLETE: "incomplete",
        }[turn.status]
        timing = [
            ("TTFT", _ms(first.ttft)),
            ("total", _ms(elapsed)),
            ("tok/s", "—" if rate is None else f"{'≈' if metrics.read_pace > 0 else ''}{rate:,.0f}"),
        ]
        inputs = [t.metrics.total_input_tokens for t in loop]
        total_input = sum(i for i in inputs if i is not None) if any(i is not None for i in inputs) else None
        tokens: list[tuple[str, str]] = [("in", _count(total_input)), ("out", output)]
        if len(loop) > 1:
            tokens.append(("requests", str(len(loop))))
        cache: list[tuple[str, str]] = []
        read = sum(t.metrics.cache_read_input_tokens or 0 for t in loop)
        written = sum(t.metrics.cache_creation_input_tokens or 0 for t in loop)
        if read or written:
            cache.append(("cache", f"read {read:,} write {written:,}"))
        thinking = [t.metrics.thinking_tokens for t in loop if t.metrics.thinking_tokens is not None]
        if thinking:
            tokens.append(("thinking", f"{sum(thinking):,}"))
        counts = [("events", f"{metrics.events:,}"), ("pings", str(metrics.pings))]
        ident: list[tuple[str, str]] = [("id", metrics.request_id or "—")]
        if metrics.attempts > 1 or turn.retries:
            ident.append(("retries", str(max(metrics.attempts - 1, len(turn.retries)))))
        limits: list[tuple[str, str]] = []
        for limit in ("requests", "tokens"):
            if limit in metrics.rate_limits:
                left = metrics.rate_limits[limit]
                limits.append((f"{limit} left", f"{int(left):,}" if left.isdecimal() and len(left) < 19 else left))
        costs = [t.metrics.cost(t.model) for t in loop]
        cost = sum(c for c in costs if c is not None) if any(c is not None for c in costs) else None
        money = [("cost", f"{format_cost(cost)} est.")]
        return timing, [("stop", status)], tokens, cache, counts, ident, limits, money

    def _session_line(self, *, short: bool = False) -> Content:
        totals = self.conversation.totals()
        items = [
            ("session turns", str(totals.turns)),
            ("in", f"{totals.total_input_tokens:,}"),
            ("out", f"{'~' if totals.output_estimated else ''}{totals.output_tokens:,}"),
            ("cost", format_cost(totals.cost) if short else f"{format_cost(totals.cost)} est."),
        ]
        if totals.failed:
            items.append(("failed", str(totals.failed)))
        return pairs(*items, dim=True)
