"""Instruments for a running app: paints (with the bytes a terminal would get) and event-loop stalls.

`AppProbe` sees each frame where it goes to the terminal (`textual_private.intercept_frames`). Headless, Textual
composes every update but skips encoding it; the probe encodes it (as the terminal driver would)
so the cost is paid and the bytes can be counted. Each paint calls the registered checks, so "on
screen" means: painted by a frame computed after the widget had the text.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

PaintCheck = Callable[[float], bool]
"""Called after each paint with its time; returns True when it is satisfied (and is then dropped)."""


class LoopMonitor:
    """A task that wakes every `period` seconds; a late wake-up is a stall of the event loop."""

    def __init__(self, period: float = 0.01) -> None:
        self.period = period
        self.max_stall = 0.0
        self.stalls_over_50ms = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def reset(self) -> None:
        self.max_stall = 0.0
        self.stalls_over_50ms = 0

    async def _run(self) -> None:
        clock = time.perf_counter
        period = self.period
        while True:
            before = clock()
            await asyncio.sleep(period)
            stall = clock() - before - period
            if stall > self.max_stall:
                self.max_stall = stall
            if stall > 0.05:
                self.stalls_over_50ms += 1

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


class AppProbe:
    """Counts paints and terminal bytes of `app`, and runs paint checks (see `PaintCheck`)."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.paints = 0
        self.bytes = 0
        self.last_paint = 0.0
        self.checks: list[PaintCheck] = []
        from tui_chat.adapters.textual_private import frame_bytes, in_batch_update, intercept_frames

        self._in_batch_update = in_batch_update
        self._frame_bytes = frame_bytes
        intercept_frames(app, self._displayed)

    def _displayed(self, screen: Any, renderable: Any) -> None:
        app = self.app
        if renderable is None or self._in_batch_update(app):
            return
        if app.is_headless:  # what the driver would have been sent (the real driver encodes this itself)
            self.bytes += len(self._frame_bytes(app, renderable).encode())
        now = time.perf_counter()
        self.paints += 1
        self.last_paint = now
        if self.checks:
            self.checks = [check for check in self.checks if not check(now)]

    async def wait_for(self, condition: Callable[[], bool], limit: float = 120.0) -> float:
        """The time of the first paint at which `condition()` holds (forcing a repaint if none comes)."""
        done: asyncio.Future[float] = asyncio.get_running_loop().create_future()

        def check(now: float) -> bool:
            if done.done():
                return True
            if condition():
                done.set_result(now)
                return True
            return False

        self.checks.append(check)
        deadline = time.perf_counter() + limit
        while not done.done():
            try:
                return await asyncio.wait_for(asyncio.shield(done), 0.1)
            except TimeoutError:
                if condition():
                    self.app.screen.refresh()  # nothing left to paint: ask for one frame
                if time.perf_counter() > deadline:
                    raise
        return done.result()
