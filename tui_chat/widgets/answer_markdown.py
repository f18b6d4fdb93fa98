"""Markdown for an answer that is still arriving: fed text, re-rendered on a timer, not per token.

`Markdown.append` re-parses the last top-level block each time, so appending every token costs
~6 ms a token and an open code block far more (TEXTUAL-NOTES.md). Text is buffered here and
flushed every `MIN_INTERVAL` seconds; when an append is slow the interval grows to three times
its cost, so the event loop is never held for long.
"""

from __future__ import annotations

import time

from textual.timer import Timer
from textual.widgets import Markdown


class AnswerMarkdown(Markdown):
    MIN_INTERVAL = 0.05
    MAX_INTERVAL = 1.0

    DEFAULT_CSS = """
    AnswerMarkdown {
        margin: 0;
        padding: 0;
        background: transparent;
    }
    """

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(text, id=id, classes=classes, open_links=False)
        self._pending: list[str] = []
        self._timer: Timer | None = None
        self._interval = self.MIN_INTERVAL
        self._flushing = False
        self.last_append_seconds = 0.0

    def feed(self, text: str) -> None:
        """Queue text for the next render."""
        if text:
            self._pending.append(text)
            self._schedule()

    def on_mount(self) -> None:
        self._schedule()

    def _schedule(self) -> None:
        if self._timer is None and not self._flushing and self._pending and self.is_mounted:
            self._timer = self.set_timer(self._interval, self._flush)

    async def _flush(self) -> None:
        self._timer = None
        if not self._pending or self._flushing:
            return
        text = "".join(self._pending)
        self._pending.clear()
        self._flushing = True
        started = time.perf_counter()
        try:
            await self.append(text)
        finally:
            self._flushing = False
        took = time.perf_counter() - started
        self.last_append_seconds = took
        self._interval = min(self.MAX_INTERVAL, max(self.MIN_INTERVAL, 3 * took))
        self._schedule()

    async def finish(self) -> None:
        """Render everything still queued, now."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._pending:
            text = "".join(self._pending)
            self._pending.clear()
            await self.append(text)
