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
from tui_chat.session.conversation import Conversation, Turn, TurnStatus
from tui_chat.session.figures import turn_figures
from tui_chat.session.pricing import format_cost
from tui_chat.stream import clock
from tui_chat.widgets.live_text import LiveText

SPARK_POINTS = 40

SPARK_INTERVAL = 2.0
"""Seconds between redraws of the sparkline while an answer streams (and once at its end): each redraw
shifts every bar, each in its own colour: for a terminal (over SSH: per frame) more bytes than the rest of
the screen while an answer streams."""


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

    While streaming they are redrawn at most every `LIVE_INTERVAL` seconds, with a batch the stream
    posts (`MetricsUpdated`), so in the same frame as the text and the inspector; a ticker keeps the
    clock moving when nothing arrives (waiting for the first token, a stalled stream). A redraw of
    their own would cost a frame of its own. Every redraw of the rows whose figures moved costs
    terminal bytes (a tenth of what a streamed token costs over SSH at every batch).
    """

    TICK = 0.25
    LIVE_INTERVAL = 0.4
    """Seconds between redraws while a turn streams: every other batch of the stream (`FLUSH_INTERVAL`)."""

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
        self._spark_at = 0.0
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
        self._spark_at = 0.0  # a sparkline that appears is drawn at once
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
        """With a batch of the stream, so it is drawn in the same frame as the text and events; while it
        streams, not more often than `LIVE_INTERVAL` (a batch skipped is shown by the next, or the ticker)."""
        turn = self.turn
        streaming = turn is not None and turn.status is TurnStatus.STREAMING
        if streaming and time.perf_counter() - self._refreshed_at < self.LIVE_INTERVAL:
            return
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
        """Show `conversation`'s totals, and its last answer's metrics (a reopened one has some)."""
        self.conversation = conversation
        self.turn = next((turn for turn in reversed(conversation.turns) if turn.role == "assistant"), None)
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
        streaming = self.turn is not None and self.turn.status is TurnStatus.STREAMING
        if streaming and self._refreshed_at - self._spark_at < SPARK_INTERVAL:
            return
        self._spark_at = self._refreshed_at if streaming else 0.0
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
        return turn_figures(turn, now, self.conversation.loop_requests(turn))

    def _session_line(self, *, short: bool = False) -> Content:
        totals = self.conversation.totals()
        items = [
            ("session turns", str(totals.turns)),
            ("in", totals.input_text),
            ("out", f"{'~' if totals.output_estimated else ''}{totals.output_tokens:,}"),
            ("cost", format_cost(totals.cost) if short else f"{format_cost(totals.cost)} est."),
        ]
        if totals.failed:
            items.append(("failed", str(totals.failed)))
        return pairs(*items, dim=True)
