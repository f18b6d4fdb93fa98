"""Measurements that need a real terminal: start-up to the first frame, and bytes written per token.

The app runs as `python -m tui_chat` on a pseudo-terminal (120x40, TERM=xterm-256color) in a
scratch config/data directory; everything it writes is read from the master side. The first
frame is the first moment the output holds a screenful of visible characters.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tui_chat.bench.raw import BENCH_KEY, MODEL
from tui_chat.bench.vt import Screen

COLUMNS, LINES = 120, 40
FIRST_FRAME_CHARS = 600
"""Visible characters (escape sequences removed) that make a first frame: a real screen has ~4,800."""

_ESCAPES = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def visible_chars(data: bytes) -> int:
    """Printable characters in terminal output (escape sequences and controls removed)."""
    text = _ESCAPES.sub(b"", data)
    return len(text.decode("utf-8", errors="replace").translate({c: None for c in range(32)}))


@dataclass
class PtyApp:
    """A process on a pseudo-terminal, its output collected, and the screen it makes (`screen`): like a
    terminal, it answers cursor queries."""

    process: subprocess.Popen[bytes]
    master: int
    started: float
    output: bytearray
    home: tempfile.TemporaryDirectory[str]
    screen: Screen

    @classmethod
    def start(
        cls, arguments: list[str], env: dict[str, str] | None = None, *, command: list[str] | None = None
    ) -> PtyApp:
        """`python ARGUMENTS` (or `command`) on a 120x40 pty, in a scratch home."""
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        home = tempfile.TemporaryDirectory(prefix="claude-tui-bench-")
        environment = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "COLUMNS": str(COLUMNS),
            "LINES": str(LINES),
            "CLAUDE_TUI_CONFIG_DIR": str(Path(home.name) / "config"),
            "CLAUDE_TUI_DATA_DIR": str(Path(home.name) / "data"),
            **(env or {}),
        }
        for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "TEXTUAL", "SSH_CONNECTION"):
            if env is None or name not in env:
                environment.pop(name, None)
        started = time.perf_counter()
        process = subprocess.Popen(
            command or [sys.executable, *arguments],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=home.name,
            env=environment,
            start_new_session=True,
        )
        os.close(slave)
        return cls(process, master, started, bytearray(), home, Screen(COLUMNS, LINES))

    def read(self, timeout: float) -> bytes:
        """What arrives within `timeout` seconds (b"" if nothing)."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return b""
        try:
            data = os.read(self.master, 65536)
        except OSError:  # the child closed the terminal
            return b""
        self.output += data
        self.screen.feed(data)
        if answers := self.screen.answers():
            with contextlib.suppress(OSError):
                self.write(answers)
        return data

    def read_until(self, predicate: Callable[[], bool], timeout: float) -> float:
        """Read until `predicate()` holds; return `time.perf_counter()` at that moment."""
        deadline = time.perf_counter() + timeout
        while not predicate():
            if time.perf_counter() > deadline:
                raise TimeoutError("the app did not show what was expected in time")
            self.read(0.05)
        return time.perf_counter()

    def drain(self, quiet: float, limit: float = 10.0) -> None:
        """Read until nothing arrives for `quiet` seconds."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline and self.read(quiet):
            pass

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def cpu_seconds(self) -> float:
        """The child's CPU time so far (user + system), from /proc."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.write(b"\x11")  # ctrl+q
        try:
            self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        with contextlib.suppress(OSError):
            os.close(self.master)
        self.home.cleanup()


def first_frame_seconds() -> float:
    """`python -m tui_chat --demo` on a pty: seconds from spawn to the first screen paint."""
    app = PtyApp.start(["-m", "tui_chat", "--demo"])
    try:
        painted = app.read_until(lambda: visible_chars(bytes(app.output)) >= FIRST_FRAME_CHARS, 30)
        return painted - app.started
    finally:
        app.close()


def import_anthropic_seconds() -> float:
    """`python -c "import anthropic"`: seconds from spawn to exit."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import anthropic"], check=True)
    return time.perf_counter() - started


@dataclass
class StreamBytes:
    tokens: int
    bytes: int
    seconds: float
    cpu_seconds: float


def stream_bytes(
    base_url: str, prompt: str, tokens: int, done_marker: bytes = b"end_turn", *, inspector: bool = True
) -> StreamBytes:
    """The app on a pty, inspector open (F2) or closed, streaming `prompt` from `base_url`: bytes written
    from Enter until the answer is complete (`done_marker` on screen) and the screen is quiet."""
    app = PtyApp.start(
        ["-m", "tui_chat", "--base-url", base_url, "--model", MODEL, "--max-tokens", "64000"],
        env={"ANTHROPIC_API_KEY": BENCH_KEY},
    )
    try:
        app.read_until(lambda: visible_chars(bytes(app.output)) >= FIRST_FRAME_CHARS, 30)
        app.drain(quiet=1.0)  # the SDK is imported in a thread after the first frame
        if inspector:
            app.write(b"\x1bOQ")  # F2: the inspector
            app.drain(quiet=0.5)
        app.write(prompt.encode())
        app.drain(quiet=0.3)
        start = len(app.output)
        cpu = app.cpu_seconds()
        started = time.perf_counter()
        app.write(b"\r")
        app.read_until(lambda: done_marker in app.output[start:], 300)
        seconds = time.perf_counter() - started
        cpu = app.cpu_seconds() - cpu
        app.drain(quiet=0.3)
        return StreamBytes(tokens, len(app.output) - start, seconds, cpu)
    finally:
        app.close()
