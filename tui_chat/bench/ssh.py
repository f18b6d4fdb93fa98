"""The app over real OpenSSH on a slow link: bytes per token, lag of the final text, key echo, Esc.

`SshServer` starts its own `sshd` on 127.0.0.1 (temporary host and user keys, its own config and
port; never the system's sshd) and stops it at the end. The client `ssh` reaches it through a relay
(`python -m tui_chat.bench.ssh relay RATE HOST PORT`, its ProxyCommand) that passes client→server bytes
as they come and paces server→client bytes at RATE bytes a second, so sshd's buffers fill as on a slow
link. The client runs on a pseudo-terminal that answers cursor queries as a terminal does; what is "on
screen" is what `vt.Screen` makes of the bytes that reached it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Self

from tui_chat.bench import pty
from tui_chat.bench.raw import BENCH_KEY, MODEL
from tui_chat.demo.bench_content import bench_prompt, bench_text

RATES = (32 * 1024, 8 * 1024)
TARGETS = {32 * 1024: (1.0, 0.25), 8 * 1024: (3.0, 1.0)}
"""Link rate -> (lag of the final text, key echo p95), seconds."""


def openssh_missing() -> str | None:
    """Why the SSH part cannot run here (None: it can)."""
    sshd = shutil.which("sshd") or next(
        (p for p in ("/usr/sbin/sshd", "/usr/local/sbin/sshd") if Path(p).exists()), None
    )
    missing = [
        name
        for name, path in (("sshd", sshd), ("ssh", shutil.which("ssh")), ("ssh-keygen", shutil.which("ssh-keygen")))
        if not path
    ]
    if missing:
        return f"OpenSSH is not installed ({', '.join(missing)} missing): on Debian, apt-get install openssh-server"
    return None


def _sshd_path() -> str:
    return shutil.which("sshd") or next(p for p in ("/usr/sbin/sshd", "/usr/local/sbin/sshd") if Path(p).exists())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SshServer:
    """A private sshd on 127.0.0.1 for the current user, and the `ssh` command line that reaches it."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="claude-tui-sshd-"))
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._log: BinaryIO | None = None

    def __enter__(self) -> Self:
        folder = self.folder
        folder.chmod(0o700)
        for name in ("host_key", "user_key"):
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)],
                check=True,
                capture_output=True,
            )
        (folder / "authorized_keys").write_text((folder / "user_key.pub").read_text())
        (folder / "authorized_keys").chmod(0o600)
        (folder / "sshd_config").write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {folder / 'host_key'}",
                    f"PidFile {folder / 'sshd.pid'}",
                    f"AuthorizedKeysFile {folder / 'authorized_keys'}",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password",
                    "UsePAM no",
                    "StrictModes no",
                    "PrintMotd no",
                    "PrintLastLog no",
                    "LogLevel ERROR",
                    "",
                ]
            )
        )
        self._log = open(folder / "sshd.log", "wb")  # closed in __exit__
        if os.geteuid() == 0:  # sshd started by root wants its privilege separation folder
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        self.process = subprocess.Popen(
            [_sshd_path(), "-D", "-e", "-f", str(folder / "sshd_config")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        log = (folder / "sshd.log").read_text(errors="replace")
        self.__exit__(None, None, None)
        raise RuntimeError(f"sshd did not start: {log[-2000:]}")

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def command(self, rate: int, remote: str) -> list[str]:
        """`ssh` running `remote` on this server, through a relay paced at `rate` bytes a second."""
        relay = shlex.join(
            [sys.executable, "-m", "tui_chat.bench.ssh", "relay", str(rate), "127.0.0.1", str(self.port)]
        )
        return [
            "ssh",
            "-F",
            "/dev/null",
            "-tt",
            "-i",
            str(self.folder / "user_key"),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            f"UserKnownHostsFile={self.folder / 'known_hosts'}",
            "-o",
            "LogLevel=ERROR",
            "-o",
            f"ProxyCommand={relay}",
            "-p",
            str(self.port),
            "127.0.0.1",
            remote,
        ]


# ---------------------------------------------------------------------------------- the relay
def relay(rate: int, host: str, port: int) -> None:
    """Stdin → socket as it comes; socket → stdout at `rate` bytes a second (in 10 ms slices)."""
    connection = socket.create_connection((host, port))
    slice_bytes = max(1, rate // 100)

    def upstream() -> None:
        with contextlib.suppress(OSError):
            while data := os.read(0, 65536):
                connection.sendall(data)
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_WR)

    threading.Thread(target=upstream, daemon=True).start()
    due = time.monotonic()
    with contextlib.suppress(OSError):
        while data := connection.recv(slice_bytes):
            os.write(1, data)
            due = max(due + len(data) / rate, time.monotonic() - 0.05)
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)


# -------------------------------------------------------------------------------- measurement
@dataclass
class SshRun:
    rate: int
    what: str
    """"closed", "open" (the inspector) or "print loop"."""
    tokens: int
    bytes: int
    lag: float | None
    echoes: list[float]
    stop: float | None

    def as_dict(self) -> dict[str, Any]:
        echoes = sorted(self.echoes)
        return {
            "rate": self.rate,
            "what": self.what,
            "tokens": self.tokens,
            "bytes": self.bytes,
            "bytes_per_token": self.bytes / self.tokens if self.tokens else None,
            "lag": self.lag,
            "echo_p50": statistics.median(echoes) if echoes else None,
            "echo_p95": echoes[min(len(echoes) - 1, round(0.95 * (len(echoes) - 1)))] if echoes else None,
            "echoes": self.echoes,
            "stop": self.stop,
        }


def _last_stream_end(base_url: str) -> float | None:
    with urllib.request.urlopen(f"{base_url}/bench/last-stream-end", timeout=10) as response:
        value = json.load(response).get("at")
        return float(value) if value is not None else None


def _remote(base_url: str, home: str, arguments: list[str]) -> str:
    environment = {
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "CLAUDE_TUI_CONFIG_DIR": f"{home}/config",
        "CLAUDE_TUI_DATA_DIR": f"{home}/data",
        "ANTHROPIC_API_KEY": BENCH_KEY,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    variables = " ".join(f"{name}={shlex.quote(value)}" for name, value in environment.items())
    return f"cd {shlex.quote(home)} && exec env {variables} {shlex.join([sys.executable, *arguments])}"


def _wait(app: pty.PtyApp, condition: Any, limit: float) -> float | None:
    """Read until `condition()`; its time, or None after `limit` seconds."""
    deadline = time.perf_counter() + limit
    while not condition():
        if time.perf_counter() > deadline:
            return None
        app.read(0.01)
    return time.perf_counter()


def _prompt_row(screen: Any) -> int | None:
    return next((y for y in range(screen.lines) if "Ask Claude" in screen.row(y)), None)


def run_app(server: SshServer, base_url: str, rate: int, *, inspector: bool, tokens: int) -> SshRun:
    """The app over SSH at `rate`: one answer of `tokens` at 100 tok/s with keys typed during it, then a
    second answer stopped with Esc."""
    home = tempfile.mkdtemp(prefix="claude-tui-ssh-home-")
    remote = _remote(
        base_url, home, ["-m", "tui_chat", "--base-url", base_url, "--model", MODEL, "--max-tokens", "64000"]
    )
    app = pty.PtyApp.start([], command=server.command(rate, remote))
    try:
        screen = app.screen
        if _wait(app, lambda: _prompt_row(screen) is not None, 60) is None:
            raise RuntimeError(f"the app did not start over SSH:\n{screen.text()}")
        app.drain(quiet=1.5, limit=30)
        if inspector:
            app.write(b"\x1bOQ")
            _wait(app, lambda: "Event inspector" in screen.text(), 30)
            app.drain(quiet=1.0, limit=30)
        prompt_row = _prompt_row(screen)
        assert prompt_row is not None
        app.write(bench_prompt("markdown", tokens, rate=100).encode())
        app.drain(quiet=1.0, limit=30)
        text = bench_text("markdown", tokens)
        last_word = text.split()[-1].strip("*_`.!?,:;")
        start = len(app.output)
        app.write(b"\r")
        sent = time.perf_counter()
        _wait(app, lambda: "streaming" in screen.text(), 30)
        echoes: list[float] = []
        typed = ""
        letters = "qwertyuiopasdfghjklzxcvbnm"
        while time.perf_counter() - sent < tokens / 100 - 0.5:
            typed += letters[len(typed) % len(letters)]
            written = time.perf_counter()
            app.write(typed[-1].encode())
            echoed = _wait(app, lambda typed=typed: typed in screen.row(prompt_row), 60)
            if echoed is None:
                break
            echoes.append(echoed - written)
            _wait(app, lambda: False, 0.3)

        def done() -> bool:
            shown = screen.text()
            return "end_turn" in shown and last_word in shown

        finished = _wait(app, done, 300)
        ended = _last_stream_end(base_url)
        lag = None if finished is None or ended is None else max(0.0, finished - ended)
        app.drain(quiet=1.0, limit=60)
        sent_bytes = len(app.output) - start
        # Esc: a second answer, stopped a second in.
        app.write(b"\x15")  # ctrl+u: clear the typed letters
        app.write(bench_prompt("markdown", tokens, rate=100).encode() + b"\r")
        _wait(app, lambda: "streaming" in screen.text(), 30)
        _wait(app, lambda: False, 1.0)
        pressed = time.perf_counter()
        app.write(b"\x1b")
        stopped = _wait(app, lambda: "stopped" in screen.text(), 120)
        return SshRun(
            rate,
            "open" if inspector else "closed",
            tokens,
            sent_bytes,
            lag,
            echoes,
            None if stopped is None else stopped - pressed,
        )
    finally:
        app.close()
        shutil.rmtree(home, ignore_errors=True)


def run_print_loop(server: SshServer, base_url: str, rate: int, *, tokens: int) -> SshRun:
    """The tutorial's print loop over the same link: bytes, lag of the final text, echo of typed keys."""
    code = (
        "import asyncio, sys\n"
        "from tui_chat.bench.raw import make_client, raw_loop\n"
        f"client = make_client({base_url!r})\n"
        f"asyncio.run(raw_loop(client, {bench_prompt('markdown', tokens, rate=100)!r}, sys.stdout))\n"
        "print('\\nDONE-PRINTING', flush=True)\n"
        "import time; time.sleep(2)\n"
    )
    home = tempfile.mkdtemp(prefix="claude-tui-ssh-home-")
    app = pty.PtyApp.start([], command=server.command(rate, _remote(base_url, home, ["-c", code])))
    try:
        start = len(app.output)
        first = _wait(app, lambda: len(app.output) > start + 20, 60)
        echoes: list[float] = []
        if first is not None:
            for letter in "qwertyuiop":
                if b"DONE-PRINTING" in app.output:
                    break
                before = len(app.output)
                written = time.perf_counter()
                app.write(letter.encode())  # the remote tty echoes it

                def echoed(letter: str = letter, before: int = before) -> bool:
                    return letter.encode() in app.output[before:] or b"DONE-PRINTING" in app.output

                at = _wait(app, echoed, 60)
                if at is not None and b"DONE-PRINTING" not in app.output[before:]:
                    echoes.append(at - written)
                _wait(app, lambda: False, 0.5)
        finished = _wait(app, lambda: b"DONE-PRINTING" in app.output, 300)
        ended = _last_stream_end(base_url)
        lag = None if finished is None or ended is None else max(0.0, finished - ended)
        return SshRun(rate, "print loop", tokens, len(bench_text("markdown", tokens).encode()), lag, echoes, None)
    finally:
        app.close()
        shutil.rmtree(home, ignore_errors=True)


def measure(base_url: str, *, quick: bool, say: Any = None) -> dict[str, Any]:
    """Every SSH row (or why there are none)."""
    missing = openssh_missing()
    if missing is not None:
        return {"skipped": missing}
    tokens = 200 if quick else 1000
    rows: list[dict[str, Any]] = []
    with SshServer() as server:
        for rate in RATES:
            if say is not None:
                say(f"SSH at {rate // 1024} KB/s: print loop, inspector closed, inspector open")
            rows.append(run_print_loop(server, base_url, rate, tokens=tokens).as_dict())
            for inspector in (False, True):
                rows.append(run_app(server, base_url, rate, inspector=inspector, tokens=tokens).as_dict())
    return {"tokens": tokens, "rows": rows}


def main(argv: list[str]) -> int:
    if argv[:1] == ["relay"] and len(argv) == 4:
        relay(int(argv[1]), argv[2], int(argv[3]))
        return 0
    print("usage: python -m tui_chat.bench.ssh relay RATE HOST PORT", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
