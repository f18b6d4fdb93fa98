"""Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`), stdlib only.

The same transport Playwright and Puppeteer use: Chromium reads JSON commands on fd 3 and writes replies and
events on fd 4, each message ended by a NUL byte. No port, no WebSocket, no Node.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# The flags the machine notes ask for (root, closed network), plus the DevTools pipe.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
)

# Capture textual-serve's xterm.js `Terminal`: its page class does `this.terminal = new Terminal(...)`, so a
# setter on Object.prototype sees the instance. The terminal's buffer is what the canvas/WebGL renderer draws.
CAPTURE_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  get() { return undefined; },
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && typeof value.write === "function" && value.buffer && value.buffer.active) {
      window.__xterm = value;
    }
  },
});
"""

# The visible screen of that terminal, one string per row (empty if the terminal is not there yet).
READ_SCREEN = """
(() => {
  const term = window.__xterm;
  if (!term) return [];
  const buffer = term.buffer.active;
  const rows = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows;
})()
"""

# The centre of the first screen cell whose row contains `needle`, in page pixels (or null).
CELL_CENTRE = """
((needle) => {
  const term = window.__xterm;
  const screen = document.querySelector(".xterm-screen");
  if (!term || !screen) return null;
  const rect = screen.getBoundingClientRect();
  const buffer = term.buffer.active;
  for (let y = 0; y < term.rows; y++) {
    const text = buffer.getLine(buffer.viewportY + y).translateToString(true);
    const x = text.indexOf(needle);
    if (x >= 0) {
      const w = rect.width / term.cols, h = rect.height / term.rows;
      return {x: rect.left + (x + 0.5) * w, y: rect.top + (y + 0.5) * h};
    }
  }
  return null;
})
"""


def find_chromium() -> str | None:
    """Debian's Chromium, or whatever `chromium` is on PATH."""
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


class CdpError(RuntimeError):
    """A DevTools command failed, timed out, or Chromium went away."""


class Chromium:
    """One headless Chromium with one page, attached in flat session mode."""

    def __init__(self, executable: str, *, size: tuple[int, int] = (1280, 800), timeout: float = 20.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="claude-tui-chromium-")
        # Our ends of the two pipes, and Chromium's, moved above 10 so dup2 to 3 and 4 cannot collide.
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()
        child_read = fcntl.fcntl(commands_read, fcntl.F_DUPFD_CLOEXEC, 10)
        child_write = fcntl.fcntl(replies_write, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(commands_read)
        os.close(replies_write)

        def pipes_to_3_and_4() -> None:
            os.dup2(child_read, 3)
            os.dup2(child_write, 4)

        width, height = size
        self.process = subprocess.Popen(
            [
                executable,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=pipes_to_3_and_4,
            pass_fds=(3, 4),  # kept open after preexec_fn put the pipes there
            start_new_session=True,
        )
        os.close(child_read)
        os.close(child_write)
        self._next_id = 0
        self._lock = threading.Condition()
        self._results: dict[int, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._stderr: list[bytes] = []
        self._stderr_reader = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_reader.start()
        self.session: str | None = None
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._stderr.append(line)

    @property
    def stderr(self) -> str:
        return b"".join(self._stderr[-40:]).decode(errors="replace")

    def _read(self) -> None:
        pending = b""
        while True:
            try:
                chunk = os.read(self._replies, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._lock:
                    self._closed = True
                    self._lock.notify_all()
                return
            pending += chunk
            *messages, pending = pending.split(b"\0")
            with self._lock:
                for raw in messages:
                    message = json.loads(raw)
                    if "id" in message:
                        self._results[message["id"]] = message
                    else:
                        self.events.append(message)
                self._lock.notify_all()

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a command (to the page's session once attached) and wait for its result."""
        with self._lock:
            self._next_id += 1
            ident = self._next_id
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if self.session is not None:
            message["sessionId"] = self.session
        try:
            os.write(self._commands, json.dumps(message).encode() + b"\0")
        except OSError as error:
            raise CdpError(f"{method}: Chromium is gone ({error}); stderr:\n{self.stderr}") from error
        deadline = time.monotonic() + self.timeout
        with self._lock:
            while ident not in self._results:
                remaining = deadline - time.monotonic()
                if self._closed or remaining <= 0:
                    why = "Chromium closed the pipe" if self._closed else "no answer"
                    raise CdpError(f"{method}: {why} in {self.timeout} s; stderr:\n{self.stderr}")
                self._lock.wait(remaining)
            reply = self._results.pop(ident)
        if "error" in reply:
            raise CdpError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-serialisable values only)."""
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise CdpError(f"JavaScript error: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def add_init_script(self, source: str) -> None:
        """Run `source` in every new document before the page's own scripts."""
        self.send("Page.addScriptToEvaluateOnNewDocument", source=source)

    def navigate(self, url: str) -> None:
        reply = self.send("Page.navigate", url=url)
        if reply.get("errorText"):
            raise CdpError(f"navigating to {url}: {reply['errorText']}")

    def click(self, x: float, y: float) -> None:
        """A left click at page coordinates, as a mouse would send it."""
        self.send("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def type_text(self, text: str, *, delay: float = 0.03) -> None:
        """Type printable characters one key at a time (keyDown with text, then keyUp)."""
        for char in text:
            self.send("Input.dispatchKeyEvent", type="keyDown", key=char, text=char, unmodifiedText=char)
            self.send("Input.dispatchKeyEvent", type="keyUp", key=char)
            time.sleep(delay)

    def press_enter(self) -> None:
        common = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "nativeVirtualKeyCode": 13}
        self.send("Input.dispatchKeyEvent", type="keyDown", text="\r", unmodifiedText="\r", **common)
        self.send("Input.dispatchKeyEvent", type="keyUp", **common)

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        """Close the browser (Browser.close, then SIGKILL if it lingers) and remove its profile."""
        try:
            if self.process.poll() is None:
                self.session = None
                self.timeout = 5.0
                self.send("Browser.close")
        except CdpError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait(timeout=10)
        os.close(self._commands)
        self._reader.join(timeout=5)  # Chromium's end is closed now: the reader sees end of file
        if not self._reader.is_alive():
            os.close(self._replies)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
