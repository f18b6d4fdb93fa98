"""The metrics pane's figures of one turn as label/value pairs: drawn by the pane, printed by `claude-tui -p --metrics`.

Pure Python (no SDK, no Textual).
"""

from __future__ import annotations

from collections.abc import Sequence

from tui_chat.session.conversation import Turn, TurnMetrics, TurnStatus, cut_short, format_tokens
from tui_chat.session.pricing import format_cost
from tui_chat.wording import duration

Figures = list[tuple[str, str]]


CLIENT_WAIT_SHOWN = 0.05
"""A wait on this side before the request left (the SDK still loading) is shown from this many seconds."""


def turn_figures(
    turn: Turn, now: float, loop: Sequence[Turn] = ()
) -> tuple[Figures, Figures, Figures, Figures, Figures, Figures, Figures, Figures]:
    """(timing, stop reason, tokens, cache, event counts, request id and retries, rate limits, cost) of
    `turn` as label/value pairs (`now`: `clock.now()`, for the time of an answer still streaming). `loop`:
    every request of its tool loop so far (see `Conversation.loop_requests`): their tokens and costs are
    summed, TTFT is the first request's, the total runs from the first request."""
    requests = list(loop) or [turn]
    metrics: TurnMetrics = turn.metrics
    first = requests[0].metrics
    elapsed = metrics.elapsed(now) if metrics.sent_at > 0 else None
    if len(requests) > 1 and elapsed is not None and first.sent_at > 0:
        elapsed += metrics.sent_at - first.sent_at  # from the first request: tools and approvals included
    rate = metrics.tokens_per_second(now)
    output, estimated = metrics.output_count
    earlier = [t.metrics.output_count[0] for t in requests if t is not turn]
    if earlier:
        output = (output or 0) + sum(count or 0 for count in earlier)
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
    timing: Figures = [("TTFT", duration(first.ttft, "auto"))]
    client_wait = first.client_wait
    if client_wait is not None and client_wait >= CLIENT_WAIT_SHOWN:
        timing.append(("client", duration(client_wait, "auto")))
    timing += [
        ("total", duration(elapsed, "auto")),
        ("tok/s", "—" if rate is None else f"{'≈' if metrics.read_pace > 0 else ''}{rate:,.0f}"),
    ]
    inputs = [t.metrics.input_count for t in requests if t.metrics.input_count is not None]
    tokens: Figures = [
        ("in", format_tokens(sum(inputs) if inputs else None)),
        ("out", format_tokens(output, estimated)),
    ]
    if len(requests) > 1:
        tokens.append(("requests", str(len(requests))))
    cache: Figures = []
    read = sum(t.metrics.cache_read_input_tokens or 0 for t in requests)
    written = sum(t.metrics.cache_creation_input_tokens or 0 for t in requests)
    if read or written:
        cache.append(("cache", f"read {read:,} write {written:,}"))
    thinking = [t.metrics.thinking_tokens for t in requests if t.metrics.thinking_tokens is not None]
    if thinking:
        tokens.append(("thinking", f"{sum(thinking):,}"))
    counts: Figures = [("events", f"{metrics.events:,}"), ("pings", str(metrics.pings))]
    ident: Figures = [("id", metrics.request_id or "—")]
    if metrics.attempts > 1 or turn.retries:
        ident.append(("retries", str(max(metrics.attempts - 1, len(turn.retries)))))
    limits: Figures = []
    for limit in ("requests", "tokens"):
        if limit in metrics.rate_limits:
            left = metrics.rate_limits[limit]
            limits.append((f"{limit} left", f"{int(left):,}" if left.isdecimal() and len(left) < 19 else left))
    costs = [t.metrics.cost(t.model) for t in requests]
    cost = sum(c for c in costs if c is not None) if any(c is not None for c in costs) else None
    money: Figures = [("cost", f"{format_cost(cost)} est.")]
    return timing, [("stop", status)], tokens, cache, counts, ident, limits, money


def figures_line(turn: Turn, now: float) -> str:
    """Every figure of the turn on one line: `TTFT 312 ms · total 1.4 s · … · cost $0.0012 est.`"""
    pairs = [pair for group in turn_figures(turn, now) for pair in group]
    return " · ".join(f"{label} {value}" for label, value in pairs)
