"""The link to the terminal (`tui_chat/terminal_link.py`): frames wait for the terminal to answer, low-bandwidth
mode, OSC 52 through tmux, 256-colour terminals. The app in a real pty."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.support.app import SIZE, demo_app
from tests.support.pty import PtyApp, demo_env
from tui_chat.cli import build_parser
from tui_chat.commands import BY_ID
from tui_chat.preferences import Preferences
from tui_chat.screens.chat import ChatScreen


def test_low_bandwidth_flag_preference_and_palette(tmp_path: Path) -> None:
    assert build_parser().parse_args(["--low-bandwidth"]).low_bandwidth
    preferences = Preferences()
    assert preferences.low_bandwidth is None  # not set: on over SSH
    preferences.low_bandwidth = False
    preferences.save()
    assert Preferences.load().low_bandwidth is False
    assert "low_bandwidth = false" in Preferences.path().read_text()
    assert BY_ID["toggle_low_bandwidth"].title  # in the palette


async def test_low_bandwidth_over_ssh_is_said_in_the_inspector_and_stops_the_blink(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "127.0.0.1 50000 127.0.0.1 22")
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        assert app.low_bandwidth
        await pilot.press("f2")
        await pilot.pause()
        assert "low bandwidth" in screen.inspector_pane.status.content.plain
        assert not screen.prompt.cursor_blink
        app.action_toggle_low_bandwidth()
        assert not app.low_bandwidth and Preferences.load().low_bandwidth is False
        assert "low bandwidth" not in screen.inspector_pane.status.content.plain


QUERY = b"\x1b[6n"


def test_frames_wait_for_the_terminal_to_answer(tmp_path: Path) -> None:
    """On a pty that answers cursor queries only when told to, the app writes at most two frames ahead
    of the answers, and the next frame carries everything drawn meanwhile."""
    app = PtyApp("--demo", env=demo_env(tmp_path, pace="1"))
    try:
        assert app.wait_for(b"sk Claude", timeout=30)  # (the cursor's cell is drawn apart: "A")
        time.sleep(1.0)
        app.answer_queries = False  # from now on, answers only when the test gives them
        held = app.mark()
        app.send("long")  # a streaming answer: a batch every 200 ms
        time.sleep(3.0)
        assert app.output[held:].count(QUERY) <= 2  # nothing more until the terminal answers
        before = app.mark()
        app.answer(app.output[held:].count(QUERY))
        assert app.wait_for(QUERY, timeout=5, since=before)  # answered: frames flow again
    finally:
        app.close()


def test_copy_inside_tmux_also_goes_through_its_passthrough(tmp_path: Path) -> None:
    app = PtyApp("--demo", env=demo_env(tmp_path, TMUX="/tmp/tmux-0/default,1,0"))
    try:
        assert app.wait_for(b"sk Claude", timeout=30)
        app.send("hello")
        assert app.wait_for(b"end_turn", timeout=30)
        mark = app.mark()
        app.send("/copy")
        assert app.wait_for(b"\x1bPtmux;\x1b\x1b]52;c;", timeout=10, since=mark)
        assert re.search(rb"\x1b\]52;c;[A-Za-z0-9+/=]+\x07", app.output[mark:])  # and the plain one
    finally:
        app.close()


def test_256_colour_terminal_gets_no_truecolor(tmp_path: Path) -> None:
    env = {
        "CLAUDE_TUI_DATA_DIR": str(tmp_path),
        "CLAUDE_TUI_CONFIG_DIR": str(tmp_path),
        "CLAUDE_TUI_DEMO_PACE": "0",
        "TERM": "xterm-256color",
        "COLORTERM": "",
    }
    app = PtyApp("--demo", env=env)
    try:
        assert app.wait_for(b"DEMO", 20)
        app.send("code")
        assert app.wait_for(b"input tokens)", 30)
    finally:
        app.close()
    output = app.output
    assert re.search(rb"\x1b\[[0-9;]*38;5;\d+", output)  # 256-colour sequences
    assert not re.search(rb"[34]8;2;\d+;\d+;\d+", output)  # and never 24-bit ones
