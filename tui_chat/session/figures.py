"""The metrics pane's figures of one turn as label/value pairs: drawn by the pane, printed by `claude-tui -p --metrics`.

Pure Python (no SDK, no Textual).
"""

from __future__ import annotations

from tui_chat.session.model import Turn, TurnMetrics, TurnStatus, cut_short, format_tokens
from tui_chat.session.pricing import format_cost
from tui_chat.wording import duration

Figures = list[tuple[str, str]]


CLIENT_WAIT_SHOWN = 0.05
"""A wait on this side before the request left (the SDK still loading) is shown from this many seconds."""


def turn_figures(
    turn: Turn, now: float
) -> tuple[Figures, Figures, Figures, Figures, Figures, Figures, Figures, Figures]:
    """(timing, stop reason, tokens, cache, event counts, request id and retries, rate limits, cost) of
    `turn` as label/value pairs (`now`: `clock.now()`, for the time of an answer still streaming)."""
    metrics: TurnMetrics = turn.metrics
    elapsed = metrics.elapsed(now) if metrics.sent_at > 0 else None
    rate = metrics.tokens_per_second(now)
    output = format_tokens(*metrics.output_count)
    status = {
        TurnStatus.STREAMING: "streaming…",
        TurnStatus.COMPLETE: metrics.stop_reason or "complete",
        TurnStatus.STOPPED: "stopped",
        TurnStatus.FAILED: "failed",
        TurnStatus.INCOMPLETE: "incomplete",
    }[turn.status]
    cut = cut_short(turn)
    if cut is not None:
        status = f"{status} {cut.mark}"
    timing: Figures = [("TTFT", duration(metrics.ttft, "auto"))]
    client_wait = metrics.client_wait
    if client_wait is not None and client_wait >= CLIENT_WAIT_SHOWN:
        timing.append(("client", duration(client_wait, "auto")))
    timing += [
        ("total", duration(elapsed, "auto")),
        ("tok/s", "—" if rate is None else f"{'≈' if metrics.read_pace > 0 else ''}{rate:,.0f}"),
    ]
    tokens: Figures = [("in", format_tokens(metrics.input_count)), ("out", output)]
    cache: Figures = []
    if metrics.cache_read_input_tokens or metrics.cache_creation_input_tokens:
        read, written = metrics.cache_read_input_tokens or 0, metrics.cache_creation_input_tokens or 0
        cache.append(("cache", f"read {read:,} write {written:,}"))
    if metrics.thinking_tokens is not None:
        tokens.append(("thinking", f"{metrics.thinking_tokens:,}"))
    counts: Figures = [("events", f"{metrics.events:,}"), ("pings", str(metrics.pings))]
    ident: Figures = [("id", metrics.request_id or "—")]
    if metrics.attempts > 1 or turn.retries:
        ident.append(("retries", str(max(metrics.attempts - 1, len(turn.retries)))))
    limits: Figures = []
    for limit in ("requests", "tokens"):
        if limit in metrics.rate_limits:
            left = metrics.rate_limits[limit]
            limits.append((f"{limit} left", f"{int(left):,}" if left.isdecimal() and len(left) < 19 else left))
    money: Figures = [("cost", f"{format_cost(metrics.cost(turn.model))} est.")]
    return timing, [("stop", status)], tokens, cache, counts, ident, limits, money


def figures_line(turn: Turn, now: float) -> str:
    """Every figure of the turn on one line: `TTFT 312 ms · total 1.4 s · … · cost $0.0012 est.`"""
    pairs = [pair for group in turn_figures(turn, now) for pair in group]
    return " · ".join(f"{label} {value}" for label, value in pairs)
