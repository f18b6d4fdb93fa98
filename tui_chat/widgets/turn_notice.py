"""What happened to a turn that did not simply complete: stopped, failed, incomplete, retrying."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from tui_chat.session.model import Turn, TurnStatus
from tui_chat.stream.types import RetryNotice


class TurnNotice(Static):
    DEFAULT_CSS = """
    TurnNotice {
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: thick $warning;
        color: $text;
        background: $warning 10%;
    }
    TurnNotice.-error {
        border-left: thick $error;
        background: $error 10%;
    }
    """

    @staticmethod
    def for_retry(notice: RetryNotice, remaining: float | None = None) -> Content:
        left = notice.wait if remaining is None else remaining
        when = f"Retrying in {left:.1f} s (Esc cancels)." if left > 0 else "Retrying now…"
        return Content.from_markup(
            "[b]Attempt $attempt of $total failed[/b] — $reason.\n$when",
            attempt=str(notice.attempt),
            total=str(notice.max_attempts),
            reason=notice.reason,
            when=when,
        )

    @staticmethod
    def for_turn(turn: Turn) -> Content | None:
        elapsed = f"{turn.metrics.elapsed():.1f}"
        if turn.status is TurnStatus.STOPPED:
            kept = "the partial answer above is kept" if turn.blocks else "nothing had arrived yet"
            return Content.from_markup(
                "[b]■ Stopped[/b] after $elapsed s — $kept. ctrl+r asks again.", elapsed=elapsed, kept=kept
            )
        if turn.status in (TurnStatus.FAILED, TurnStatus.INCOMPLETE):
            error = turn.error
            if error is None:
                return Content.from_markup("[b]✗ Failed[/b] after $elapsed s. ctrl+r retries.", elapsed=elapsed)
            lines = [Content.from_markup("[b]✗ $kind[/b] — $summary", kind=error.kind, summary=error.summary)]
            details = []
            if error.request_id:
                details.append(f"request-id {error.request_id}")
            if turn.blocks:
                details.append("partial answer kept")
            if details:
                lines.append(Content.from_markup("[dim]$details[/dim]", details=" · ".join(details)))
            if error.hint:
                lines.append(Content.from_markup("$hint [b]ctrl+r[/b] retries.", hint=error.hint))
            return Content("\n").join(lines)
        return None
