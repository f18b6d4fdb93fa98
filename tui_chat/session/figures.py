"""The metrics pane's figures of one turn as label/value pairs: drawn by the pane, printed by `claude-tui -p --metrics`.

Pure Python (no SDK, no Textual).
"""

from __future__ import annotations

from tui_chat.session.model import Turn, TurnMetrics, TurnStatus
from tui_chat.session.pricing import format_cost

Figures = list[tuple[str, str]]


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def turn_figures(
    turn: Turn, now: float
) -> tuple[Figures, Figures, Figures, Figures, Figures, Figures, Figures, Figures]:
    """(timing, stop reason, tokens, cache, event counts, request id and retries, rate limits, cost) of
    `turn` as label/value pairs (`now`: `clock.now()`, for the time of an answer still streaming)."""
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
    timing = [
        ("TTFT", _ms(metrics.ttft)),
        ("total", _ms(elapsed)),
        ("tok/s", "—" if rate is None else f"{'≈' if metrics.read_pace > 0 else ''}{rate:,.0f}"),
    ]
    tokens: Figures = [("in", _count(metrics.total_input_tokens)), ("out", output)]
    cache: Figures = []
    if metrics.cache_read_input_tokens or metrics.cache_creation_input_tokens:
        read, written = metrics.cache_read_input_tokens or 0, metrics.cache_creation_input_tokens or 0
        cache.append(("cache", f"read {read:,} write {written:,}"))
    if metrics.thinking_tokens is not None:
        tokens.append(("thinking", f"{metrics.thinking_tokens:,}"))
    counts = [("events", f"{metrics.events:,}"), ("pings", str(metrics.pings))]
    ident: Figures = [("id", metrics.request_id or "—")]
    if metrics.attempts > 1 or turn.retries:
        ident.append(("retries", str(max(metrics.attempts - 1, len(turn.retries)))))
    limits: Figures = []
    for limit in ("requests", "tokens"):
        if limit in metrics.rate_limits:
            left = metrics.rate_limits[limit]
            limits.append((f"{limit} left", f"{int(left):,}" if left.isdecimal() and len(left) < 19 else left))
    money = [("cost", f"{format_cost(metrics.cost(turn.model))} est.")]
    return timing, [("stop", status)], tokens, cache, counts, ident, limits, money


def figures_line(turn: Turn, now: float) -> str:
    """Every figure of the turn on one line: `TTFT 312 ms · total 1.4 s · … · cost $0.0012 est.`"""
    pairs = [pair for group in turn_figures(turn, now) for pair in group]
    return " · ".join(f"{label} {value}" for label, value in pairs)
