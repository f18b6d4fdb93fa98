"""Run claude-tui in a real pseudo-terminal: type into it, and read every byte it writes to the terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

from tests.support.paths import REPO


def demo_env(home: Path, pace: str = "0", **extra: str) -> dict[str, str]:
    """Environment for `--demo` in a pty: data and config under `home`, the demo server at `pace`."""
    return {"CLAUDE_TUI_DATA_DIR": str(home), "CLAUDE_TUI_CONFIG_DIR": str(home), "CLAUDE_TUI_DEMO_PACE": pace, **extra}


class PtyApp:
    """`python -m tui_chat ARGS` (or `command`) on a pty of the given size; `output` holds every byte written."""

    def __init__(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        size: tuple[int, int] = (120, 40),
        command: list[str] | None = None,
        answer_queries: bool = True,
    ) -> None:
        self.master, slave = pty.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        full_env = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "PYTHONPATH": str(REPO),
            **(env or {}),
        }
        self.process = subprocess.Popen(
            command or [sys.executable, "-m", "tui_chat", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.answer_queries = answer_queries
        """Answer the app's cursor queries as a terminal does (it waits for the answers; see `TerminalLink`)."""
        self.answered = 0
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.1)
                if not ready:
                    if self.process.poll() is not None:
                        return
                    continue
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                tail = self._chunks[-1][-3:] if self._chunks else b""
                self._chunks.append(data)
            if self.answer_queries:
                self.answer((tail + data).count(b"\x1b[6n"))

    def answer(self, count: int) -> None:
        """Answer `count` cursor queries."""
        if count > 0:
            os.write(self.master, b"\x1b[1;1R" * count)
            self.answered += count

    @property
    def output(self) -> bytes:
        with self._lock:
            return b"".join(self._chunks)

    def mark(self) -> int:
        """A position in the output, to look only at what comes after it."""
        return len(self.output)

    def write(self, data: str | bytes, *, delay: float = 0.03) -> None:
        """Type `data`, one key at a time (a burst would look like a paste to the app)."""
        raw = data.encode() if isinstance(data, str) else data
        for byte in raw:
            os.write(self.master, bytes([byte]))
            time.sleep(delay)

    def press_enter(self) -> None:
        time.sleep(0.15)
        os.write(self.master, b"\r")

    def send(self, text: str) -> None:
        """Type `text` and press Enter, as a person would."""
        self.write(text)
        self.press_enter()

    def wait_for(self, needle: bytes, timeout: float = 20.0, since: int = 0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.output[since:]:
                return True
            if self.process.poll() is not None:
                return needle in self.output[since:]
            time.sleep(0.05)
        return False

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=10)

    def quit(self) -> None:
        """ctrl+q, then make sure it is gone."""
        if self.process.poll() is None:
            os.write(self.master, b"\x11")
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def close(self) -> None:
        self.quit()
        self._reader.join(timeout=2)
        os.close(self.master)
