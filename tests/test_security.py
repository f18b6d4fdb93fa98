"""Hostile text stays inert all the way to the terminal's bytes; the API key never leaves the process."""

from __future__ import annotations

import re
import sqlite3
import sys
import time
from pathlib import Path

from tests.support.attacks import forbidden_in
from tests.support.paths import SUPPORT
from tests.support.pty import PtyApp, demo_env
from tui_chat.demo.server import DemoServer, DemoThread

SENTINEL = "sk-sentinel-5f3c2a9e7d1b4c6a8e0f-KEY"


def test_hostile_text_never_reaches_the_terminal_raw(tmp_path: Path) -> None:
    env = demo_env(tmp_path)
    app = PtyApp("--demo", env=env, size=(140, 45))
    try:
        assert app.wait_for(b"DEMO", 20)
        app.write(b"\x1b[12~")  # F2: the inspector shows every delta too
        time.sleep(0.3)
        mark = app.mark()
        app.send("hostile")
        assert app.wait_for(b"PWNED-BY-ERROR", 30, since=mark)  # the error event's message, shown inert
        time.sleep(1.0)  # notification, notice and inspector all drawn
        app.send(f"/export {tmp_path / 'hostile.md'}")
        assert app.wait_for(b"saved to", 10, since=mark)
        time.sleep(0.3)
        after = app.output[mark:]
    finally:
        app.close()
    assert forbidden_in(after) == []
    screen = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", after).decode("utf-8", "replace")
    assert "[@click=app.quit]" in screen and "[bold]" in screen  # markup shown literally
    assert "]0;PWNED" in screen  # what is left of the escape sequence is plain text
    exported = (tmp_path / "hostile.md").read_bytes()
    assert b"\x1b" not in exported and b"\x07" not in exported and b"\xc2\x9b" not in exported
    assert b"PWNED" in exported


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


def test_rate_limit_headers_of_any_size_are_shown_without_failing() -> None:
    """Rate-limit counts get thousands separators; a hostile 5,000-digit one (past Python's int
    conversion limit) is shown as it came, not turned into an exception in the metrics pane."""
    from tui_chat.session.conversation import Conversation
    from tui_chat.widgets.metrics_panel import MetricsPanel

    conversation = Conversation(model="m")
    conversation.add_user("q")
    turn = conversation.start_assistant()
    turn.metrics.rate_limits.update({"requests": "399000", "tokens": "9" * 5000})
    panel = MetricsPanel(conversation)
    panel.turn = turn
    text = panel.render_metrics(time.perf_counter()).plain
    assert "requests left 399,000" in text
    assert "tokens left " + "9" * 5000 in text
