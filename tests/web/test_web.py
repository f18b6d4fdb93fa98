"""`claude-tui --web`: the served command, the loopback-only server, and the app used from headless Chromium."""

from __future__ import annotations

import contextlib
import http.client
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.chromium import CAPTURE_TERMINAL, CELL_CENTRE, READ_SCREEN, Chromium, find_chromium
from tests.support.paths import REPO
from tui_chat.cli import build_parser, main
from tui_chat.web import served_arguments, served_command


def test_served_command_is_the_same_app_without_web_flags() -> None:
    parser = build_parser()
    system = 'it\'s $(rm -rf ~); `x` --web "q"'
    arguments = ["--web", "--demo", "--port", "9000", "--system", system, "--po=9001", "--we"]
    kept = served_arguments(arguments, parser)
    assert kept == ["--demo", "--system", system]
    command = served_command(kept)
    assert shlex.split(command) == ["exec", sys.executable, "-m", "tui_chat", "--demo", "--system", system]
    assert served_arguments(["--system=--web", "--web"], parser) == ["--system=--web"]
    assert served_arguments(["--web", "--system", "--port 1"], parser) == ["--system", "--port 1"]


def test_port_without_web_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--port", "9000"])
    assert exit_info.value.code == 2
    assert "--port needs --web" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--web", "--port", "70000"])
    assert "NO authentication" in build_parser().format_help()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class WebServer:
    """`python -m tui_chat --web --demo --port N` in its own process group, as a terminal would run it."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = tmp_path / "web-server.log"
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "CLAUDE_TUI_DATA_DIR": str(tmp_path / "data"),
            "CLAUDE_TUI_CONFIG_DIR": str(tmp_path / "config"),
            "CLAUDE_TUI_DEMO_PACE": "0",
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tui_chat", "--web", "--demo", "--port", str(self.port)],
                env=env,
                cwd=tmp_path,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_until_listening(30)

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def _wait_until_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"claude-tui --web exited with {self.process.returncode}:\n{self.output}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"claude-tui --web did not listen on port {self.port} in {timeout} s:\n{self.output}")

    def group_alive(self) -> bool:
        """Whether any process of the server's group (the server, an app it started) is still running."""
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def interrupt(self, timeout: float = 15) -> int:
        """Ctrl+C as a terminal sends it: SIGINT to the whole foreground process group."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.group_alive():
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[WebServer]:
    server = WebServer(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def listening_addresses(port: int) -> list[str]:
    """The local addresses of the sockets listening on `port`, from /proc/net/tcp and tcp6 (hex, as there)."""
    addresses = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                addresses.append(address)
    return addresses


def get(port: int, path: str, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def test_web_server_listens_on_loopback_only_and_refuses_foreign_pages(web_server: WebServer) -> None:
    # One listening socket, on 127.0.0.1 (0100007F in /proc's byte order): not 0.0.0.0, not ::, no LAN address.
    assert listening_addresses(web_server.port) == ["0100007F"]
    output = web_server.output
    assert f"http://127.0.0.1:{web_server.port}" in output
    assert "NO authentication" in output

    port = web_server.port
    assert get(port, "/", {}) == 200
    # DNS rebinding (a foreign Host) and cross-site WebSocket hijacking (a foreign Origin) are refused.
    assert get(port, "/", {"Host": f"evil.example:{port}"}) == 403
    upgrade = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    }
    assert get(port, "/ws", {**upgrade, "Origin": "http://evil.example"}) == 403
    assert get(port, "/ws", {**upgrade, "Origin": "null"}) == 403


@pytest.fixture
def chromium() -> str:
    """Chromium's path; skips the test without it (fails instead if CLAUDE_TUI_REQUIRE_WEB=1)."""
    executable = find_chromium()
    if executable is None:
        message = "headless Chromium not found (Debian: apt-get install chromium)"
        if os.environ.get("CLAUDE_TUI_REQUIRE_WEB") == "1":
            pytest.fail(message + "; CLAUDE_TUI_REQUIRE_WEB=1 requires it")
        pytest.skip(message)
    return executable


def screen(browser: Chromium) -> str:
    rows: list[str] = browser.evaluate(READ_SCREEN) or []
    return "\n".join(rows)


def wait_for_screen(browser: Chromium, needle: str, timeout: float, tmp_path: Path) -> str:
    """Poll the xterm.js screen until it shows `needle`; on timeout, fail with the screen and a screenshot."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = screen(browser)
        if needle in text:
            return text
        time.sleep(0.1)
    shot = browser.screenshot(tmp_path / "web-failure.png")
    found = browser.evaluate("window.__xterm !== undefined")
    pytest.fail(
        f"{needle!r} not on the browser's screen after {timeout} s (screenshot: {shot}; xterm.js terminal "
        f"{'found' if found else 'NOT found: has textual-serve changed its page?'}):\n{text}"
    )


def test_demo_in_headless_chromium_answers_and_ctrl_c_ends_it(
    chromium: str, web_server: WebServer, tmp_path: Path
) -> None:
    with Chromium(chromium, size=(1280, 800)) as browser:
        browser.add_init_script(CAPTURE_TERMINAL)
        browser.navigate(web_server.url)
        wait_for_screen(browser, "Ask Claude", 30, tmp_path)
        assert browser.evaluate("window.__xterm !== undefined"), "textual-serve's xterm.js terminal not found"

        # Click into the prompt, type as a person would, and send.
        prompt = browser.evaluate(f"{CELL_CENTRE}('Ask Claude')")
        assert prompt is not None
        browser.click(prompt["x"], prompt["y"])
        browser.type_text("hello")
        wait_for_screen(browser, "hello", 10, tmp_path)
        browser.press_enter()

        # The demo's welcome answer streams in and ends with "(N input tokens)."; the metrics show the turn.
        wait_for_screen(browser, "input tokens).", 60, tmp_path)
        wait_for_screen(browser, "stop end_turn", 10, tmp_path)

        # Ctrl+C in the server's terminal: the server and the tab's app exit; the page says the session ended.
        assert web_server.interrupt() == 0, web_server.output
        deadline = time.monotonic() + 10
        while web_server.group_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not web_server.group_alive(), "an app process outlived the server"
        while "-closed" not in str(browser.evaluate("document.body.className")):
            assert time.monotonic() < deadline, "the page did not see its session end"
            time.sleep(0.1)
    assert "Traceback" not in web_server.output, web_server.output


def app_processes(server_pid: int) -> list[int]:
    """The `python -m tui_chat` processes started under the --web server (its descendants)."""
    children: dict[int, list[int]] = {}
    commands: dict[int, bytes] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            commands[int(entry.name)] = (entry / "cmdline").read_bytes()
    found, queue = [], list(children.get(server_pid, []))
    while queue:
        pid = queue.pop()
        if b"tui_chat" in commands.get(pid, b"") and b"--web" not in commands.get(pid, b""):
            found.append(pid)
        queue.extend(children.get(pid, []))
    return found


def open_websocket(port: int) -> tuple[socket.socket, int]:
    """A WebSocket handshake on /ws with no Origin (a program, not a browser); the socket stays open."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection.sendall(
        f"GET /ws?width=80&height=24 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: Upgrade\r\n"
        "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n".encode()
    )
    status = int(connection.recv(4096).split(b" ", 2)[1])
    return connection, status


def test_web_caps_the_app_processes_it_starts(tmp_path: Path) -> None:
    """Item 5: ten WebSockets with no Origin (any local program can open them) do not start ten apps."""
    from tui_chat.web import MAX_APPS

    server = WebServer(tmp_path)
    sockets: list[socket.socket] = []
    try:
        statuses = []
        for _ in range(10):
            connection, status = open_websocket(server.port)
            sockets.append(connection)
            statuses.append(status)
        assert statuses.count(101) == MAX_APPS and statuses.count(503) == 10 - MAX_APPS, statuses
        deadline = time.monotonic() + 20
        while len(app_processes(server.process.pid)) < MAX_APPS and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)
        assert len(app_processes(server.process.pid)) == MAX_APPS
        # A tab that closes makes room for another.
        sockets.pop(0).close()
        deadline = time.monotonic() + 20
        status = 503
        while status == 503 and time.monotonic() < deadline:
            connection, status = open_websocket(server.port)
            sockets.append(connection)
            time.sleep(0.2)
        assert status == 101
    finally:
        for connection in sockets:
            connection.close()
        server.stop()
