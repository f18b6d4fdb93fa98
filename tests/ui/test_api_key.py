"""The API key never leaves the process: not on screen, in a file, a crash report or an echo of a server, and a
malformed key is refused at start. The app in a real pty."""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

import pytest

from tests.support.attacks import KEY_PIECES, LINE_BROKEN_KEY, hostile_env, screen_of
from tests.support.hostile_server import HostileServer, json_reply
from tests.support.paths import SUPPORT
from tests.support.pty import PtyApp
from tui_chat.config import load_settings
from tui_chat.demo.server import DemoServer, DemoThread

SENTINEL = "sk-sentinel-5f3c2a9e7d1b4c6a8e0f-KEY"


def test_the_key_never_leaves_the_process(tmp_path: Path) -> None:
    demo = DemoThread(DemoServer(pace=0))
    base_url = demo.start()
    env = {
        "CLAUDE_TUI_DATA_DIR": str(tmp_path / "data"),
        "CLAUDE_TUI_CONFIG_DIR": str(tmp_path / "config"),
        "ANTHROPIC_API_KEY": SENTINEL,
    }
    app = PtyApp("--base-url", base_url, env=env, size=(140, 45))
    try:
        assert app.wait_for(b"LIVE", 20)
        app.write(b"\x1b[12~")  # F2
        app.send("hello there")
        assert app.wait_for(b"input tokens)", 30)
        app.send("error please")
        assert app.wait_for(b"overloaded_error", 30)
        for command in (
            f"/export {tmp_path / 'out.md'}",
            f"/export-json {tmp_path / 'out.json'}",
            f"/save-sse {tmp_path / 'out.sse'}",
            "/copy",
        ):
            app.send(command)
            time.sleep(0.5)
        # Open the inspector's first event: the response headers.
        app.write(b"\t\t")
        app.write(b"\x1b[H")  # home
        time.sleep(0.2)
        app.write(b"\x1b[B\r")  # down, enter
        time.sleep(0.5)
        app.write(b"\x1b")
    finally:
        app.close()
        requests = list(demo.server.requests)
        demo.stop()
    assert any(request.had_api_key for request in requests)  # the key was used
    assert SENTINEL.encode() not in app.output  # nothing on screen, ever
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "conversations.sqlite3" for p in written)
    assert any(p.name == "claude-tui.log" for p in written)
    for path in written:
        assert SENTINEL.encode() not in path.read_bytes(), path
    with sqlite3.connect(tmp_path / "data" / "conversations.sqlite3") as db:
        dump = "\n".join(db.iterdump())
    assert SENTINEL not in dump


def test_a_crash_report_has_no_key(tmp_path: Path) -> None:
    """A crash prints its traceback (Textual would include every frame's locals: the key was one)."""
    env = {"CLAUDE_TUI_DATA_DIR": str(tmp_path), "CLAUDE_TUI_CONFIG_DIR": str(tmp_path), "ANTHROPIC_API_KEY": SENTINEL}
    app = PtyApp(env=env, command=[sys.executable, str(SUPPORT / "crash_app.py")])
    try:
        assert app.wait_for(b"DEMO", 20)
        time.sleep(0.5)
        app.write(b"\x1b[24~")  # F12: crash
        app.process.wait(timeout=20)
        time.sleep(0.3)
    finally:
        app.close()
    assert b"RuntimeError" in app.output and b"deliberate crash" in app.output  # the report is there
    assert SENTINEL.encode() not in app.output
    log = (tmp_path / "claude-tui.log").read_text(encoding="utf-8")
    assert "deliberate crash" in log and SENTINEL not in log


def test_a_key_with_a_line_break_is_refused_at_start(tmp_path: Path) -> None:
    """Item 3: a two-line key (a quoted .env value over two lines, or `$(cat FILE)` of a two-line file) is
    refused before anything is sent, with a message that says why and never quotes it."""
    from tui_chat.config import ConfigError

    with pytest.raises(ConfigError) as refused:
        load_settings(environ={"ANTHROPIC_API_KEY": LINE_BROKEN_KEY}, cwd=tmp_path)
    assert "line break" in str(refused.value) and "FIRSTLINE" not in str(refused.value)
    (tmp_path / ".env").write_text(f'ANTHROPIC_API_KEY="{LINE_BROKEN_KEY}"\n')
    with pytest.raises(ConfigError, match=r"line break.*\.env|\.env.*line break"):
        load_settings(environ={}, cwd=tmp_path)
    for odd in ("sk-ant-api03-with space-x", "sk-ant-api03-tab\there", "sk-ant-api03-\x1b[2J", "sk-ant-é-key"):
        with pytest.raises(ConfigError):
            load_settings(environ={"ANTHROPIC_API_KEY": odd}, cwd=tmp_path)
    assert load_settings(environ={"ANTHROPIC_API_KEY": " sk-ant-api03-fine \n"}, cwd=tmp_path).api_key is not None
    # The demo does not send the key: a broken one does not stop it (or a replay).
    assert load_settings(environ={"ANTHROPIC_API_KEY": LINE_BROKEN_KEY}, cwd=tmp_path, demo=True).demo

    app = PtyApp(env=hostile_env(tmp_path, key=LINE_BROKEN_KEY))
    try:
        assert app.process.wait(timeout=30) == 2
        time.sleep(0.3)
    finally:
        app.close()
    assert b"line break" in app.output and b"ANTHROPIC_API_KEY" in app.output
    assert not any(piece in app.output for piece in KEY_PIECES)


SENTINEL_KEY = "sk-sentinel-7d1e0c4b9a2f-KEY"


def test_a_server_echoing_the_key_never_puts_it_on_screen(tmp_path: Path) -> None:
    """Item 3 on a real pty: a gateway that quotes the key it was sent (and another key-shaped value) in its
    error messages, retried and final. Neither reaches the terminal, the database, the log or an export."""
    env = hostile_env(tmp_path, key=SENTINEL_KEY)
    other = "sk-ant-" + "api03-OTHERKEYdddddddddddddddd"
    echo = f"invalid x-api-key {SENTINEL_KEY!r} (header {SENTINEL_KEY}); compare {other}"
    with HostileServer() as server:
        retried = json_reply(
            {"type": "error", "error": {"type": "overloaded_error", "message": echo}},
            status_line=b"HTTP/1.1 529 Overloaded",
            headers=[(b"x-should-retry", b"true"), (b"retry-after-ms", b"300")],
        )
        final = json_reply(
            {"type": "error", "error": {"type": "authentication_error", "message": echo}},
            status_line=b"HTTP/1.1 401 Unauthorized",
        )
        server.queue("/v1/messages", retried)
        server.always("/v1/messages", final)
        app = PtyApp("--base-url", server.base_url, env=env, size=(160, 50))
        try:
            assert app.wait_for(b"sk Claude", 30)
            app.send("hello")
            assert app.wait_for(b"authentication_error", 30)
            time.sleep(1.0)
            app.send(f"/export {tmp_path / 'out.md'}")
            app.send(f"/export-json {tmp_path / 'out.json'}")
            deadline = time.monotonic() + 10
            while not (tmp_path / "out.json").exists():  # (the screen shows it; its bytes may come in pieces)
                assert time.monotonic() < deadline, "the export was not written"
                time.sleep(0.1)
            time.sleep(0.5)
        finally:
            app.close()
        assert any(SENTINEL_KEY in str(request.headers) for request in server.requests)  # it was sent
    shown = screen_of(app.output)
    assert "invalid x-api-key" in shown and "[REDACTED]" in shown
    for secret in (SENTINEL_KEY, "OTHERKEY"):
        assert secret.encode() not in app.output
        for path in tmp_path.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path
