"""The link to the terminal: only changed cells are written, and no faster than the terminal shows them.

Over SSH the app never feels a slow link: sshd reads the pty at once and the channel window holds
megabytes, so frames pile up on the way and the user sees them seconds (or a minute) late. So the app
asks the terminal where its cursor is ("\\x1b[6n") after each frame it writes; the answer comes back
only once the terminal has drawn everything before it. A frame waits while too many are unanswered
(two; one in low-bandwidth mode); the frames Textual draws meanwhile only update the picture in
`TerminalScreen`, and the next frame written carries their sum. A terminal that never answers is
noticed after a second and written to without waiting, and writes that block (the writer thread's
queue not emptying) hold frames back in every mode.

Low-bandwidth mode (`--low-bandwidth`, the `low_bandwidth` preference, on by default over SSH) also
writes at most `LOW_BANDWIDTH_FPS` frames a second (except right after a key or a click: an echo waits only
for the link) and waits for each answer before the next frame.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from rich.color import ColorSystem
from rich.style import Style
from textual.strip import Strip

from tui_chat.adapters.textual_private import frame_pieces, intercept_display, pending_terminal_writes, write_frame
from tui_chat.render.terminal_screen import Sgr, StyleCodes, TerminalScreen

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

CURSOR_QUERY = "\x1b[6n"
"""Device status report: the terminal answers with its cursor position once it got this far."""

FRAMES_IN_FLIGHT = 2
LOW_BANDWIDTH_FRAMES_IN_FLIGHT = 1
LOW_BANDWIDTH_FPS = 4
NO_ANSWER_AFTER = 1.0
"""Seconds without any answer to the first queries: this terminal does not answer; stop waiting."""
LOST_ANSWER_AFTER = 5.0
"""Seconds after which an unanswered frame is taken as shown (an answer lost, e.g. inside a paste)."""
INPUT_WINDOW = 0.5
"""Seconds after a key or a click during which frames skip low-bandwidth mode's frame interval: an echo
waits only for the link."""
BLOCKED_RETRY = 0.02
"""Seconds to wait before trying again when the terminal's writes are still queued."""

_COLOR_SYSTEMS = {
    "standard": ColorSystem.STANDARD,
    "256": ColorSystem.EIGHT_BIT,
    "truecolor": ColorSystem.TRUECOLOR,
    "windows": ColorSystem.WINDOWS,
}


def ssh_session() -> bool:
    """Running inside an SSH session (`SSH_CONNECTION` is set)."""
    return bool(os.environ.get("SSH_CONNECTION"))


def style_codes(color_system: str | None) -> StyleCodes:
    """A function from a Rich style to its terminal codes, as Textual writes them for `color_system`."""
    system = _COLOR_SYSTEMS.get(color_system or "", ColorSystem.TRUECOLOR)

    def codes(style: Style) -> Sgr:
        foreground = ";".join(style.color.downgrade(system).get_ansi_codes()) if style.color else ""
        background = ";".join(style.bgcolor.downgrade(system).get_ansi_codes(False)) if style.bgcolor else ""
        attributes = Strip.render_ansi(style.without_color, system)
        link = style.link or ""
        return Sgr(attributes, foreground, background, link, style.link_id if link else "")

    return codes


class TerminalLink:
    """Writes the app's frames to its terminal (see the module doc). `install()` once the app runs."""

    def __init__(self, app: App[Any], *, low_bandwidth: bool = False) -> None:
        self.app = app
        self.low_bandwidth = low_bandwidth
        self.screen = TerminalScreen(0, 0, style_codes(app.console.color_system))
        self.frames = 0
        """Frames written."""
        self.bytes = 0
        """Bytes written (frames and queries)."""
        self.blocked = 0
        """Times a frame waited for the terminal's writes to drain."""
        self.answers = 0
        self._answering: bool | None = None
        """Whether the terminal answers cursor queries (None: not known yet)."""
        self._in_flight: deque[float] = deque()
        """When each unanswered frame was written."""
        self._last_write = 0.0
        self._input_at = -INPUT_WINDOW
        self._timer: asyncio.TimerHandle | None = None
        self._paused = False

    def install(self) -> None:
        intercept_display(self.app, self._frame)
        self.app.app_suspend_signal.subscribe(self.app, self._suspended)
        self.app.app_resume_signal.subscribe(self.app, self._resumed)

    def _suspended(self, _app: App[Any]) -> None:
        """The terminal is lent to another program (an editor): write nothing until it is back."""
        self._paused = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _resumed(self, _app: App[Any]) -> None:
        """Back from a suspend: the screen was the editor's; send every cell."""
        self._paused = False
        self._in_flight.clear()
        self.screen.forget()
        self._schedule()

    def _frame(self, screen: Screen[Any], renderable: Any) -> bool:
        found = frame_pieces(renderable)
        if found is None:
            return False
        pieces, _full = found
        width, height = self.app.size
        if (width, height) != (self.screen.width, self.screen.height):
            self.screen.resize(width, height)
            self.screen.forget()
        for x, y, end, segments in pieces:
            self.screen.paint(x, y, segments, end)
        cursor = self.app.cursor_position
        self.screen.cursor = (max(0, min(cursor.x, width - 1)), max(0, min(cursor.y, height - 1)))
        self._schedule()
        return True

    # ------------------------------------------------------------------------------ pacing
    @property
    def frames_in_flight(self) -> int:
        return LOW_BANDWIDTH_FRAMES_IN_FLIGHT if self.low_bandwidth else FRAMES_IN_FLIGHT

    def _schedule(self) -> None:
        if self._timer is not None or self._paused or not self.screen.dirty:
            return
        delay = self._delay()
        if delay <= 0:
            self._write()
        else:
            self._timer = asyncio.get_running_loop().call_later(delay, self._wake)

    def _wake(self) -> None:
        self._timer = None
        self._schedule()

    def _delay(self) -> float:
        """Seconds until the next frame may be written (0: now)."""
        now = time.monotonic()
        if pending_terminal_writes(self.app) > 0:  # the terminal is not taking what it was sent
            self.blocked += 1
            return BLOCKED_RETRY
        paced = self.low_bandwidth and now - self._input_at > INPUT_WINDOW
        delay = self._last_write + 1 / LOW_BANDWIDTH_FPS - now if paced else 0.0
        in_flight = self._in_flight
        while self._answering is not False and len(in_flight) >= self.frames_in_flight:
            waited = now - in_flight[0]
            if self._answering is None and waited >= NO_ANSWER_AFTER:
                self._answering = False
                in_flight.clear()
            elif waited >= LOST_ANSWER_AFTER:
                in_flight.popleft()
            else:
                limit = NO_ANSWER_AFTER if self._answering is None else LOST_ANSWER_AFTER
                return max(delay, limit - waited)
        return delay

    def _write(self) -> None:
        data = self.screen.render()
        if not data:
            return
        if self._answering is not False:
            data += CURSOR_QUERY
            self._in_flight.append(time.monotonic())
        write_frame(self.app, data)
        self._last_write = time.monotonic()
        self.frames += 1
        self.bytes += len(data.encode("utf-8", "replace"))

    def answered(self) -> None:
        """The terminal answered a cursor query: the oldest unanswered frame is on its screen."""
        self.answers += 1
        self._answering = True
        if self._in_flight:
            self._in_flight.popleft()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._schedule()

    def user_input(self) -> None:
        """A key or a click arrived: what it changes is drawn as soon as the link allows."""
        self._input_at = time.monotonic()
        if self._timer is not None and not self._in_flight:
            self._timer.cancel()
            self._timer = None
            self._schedule()
