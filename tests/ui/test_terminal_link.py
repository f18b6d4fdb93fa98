"""Bytes on the wire: only changed cells are written, a followed pane scrolls in jumps, the inspector
lists a streaming turn's deltas a row per batch, low-bandwidth mode, and frames wait for the terminal."""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.segment import Segment
from rich.style import Style

from tests.support.app import SIZE, demo_app, type_prompt, wait_for_turn_end
from tests.support.pty import PtyApp, demo_env
from tui_chat.bench.vt import Screen
from tui_chat.cli import build_parser
from tui_chat.commands import BY_ID
from tui_chat.preferences import Preferences
from tui_chat.render.terminal_screen import TerminalScreen
from tui_chat.screens.chat import ChatScreen
from tui_chat.session.clipboard import osc52_sequence, tmux_passthrough
from tui_chat.terminal_link import style_codes

STYLES = [Style(color="#e0e0e0", bgcolor="#121212"), Style(color="#0178d4", bgcolor="#121212", bold=True), None]


def screen_of(width: int = 20, height: int = 4) -> TerminalScreen:
    return TerminalScreen(width, height, style_codes("truecolor"))


def shown(terminal: Screen) -> list[str]:
    return [terminal.row(y) for y in range(terminal.lines)]


def target(screen: TerminalScreen) -> list[str]:
    return [screen.row_text(y) for y in range(screen.height)]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 19),
            st.integers(0, 3),
            st.lists(
                st.tuples(st.text(alphabet="ab  c日本語é\u0301", min_size=1, max_size=12), st.integers(0, 2)),
                min_size=1,
                max_size=3,
            ),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_what_the_terminal_shows_is_what_was_painted(paints: list[Any]) -> None:
    """Whatever is painted, and whichever frames are skipped, the terminal ends up showing the target."""
    screen = screen_of()
    terminal = Screen(20, 4)
    screen.forget()
    terminal.feed(screen.render().encode())
    for x, y, parts, send in paints:
        screen.paint(x, y, [Segment(text, STYLES[style]) for text, style in parts])
        if send:
            terminal.feed(screen.render().encode())
    terminal.feed(screen.render().encode())
    assert shown(terminal) == target(screen)


def test_a_repaint_of_the_same_cells_sends_nothing_and_a_change_sends_only_it() -> None:
    screen = screen_of(40, 3)
    line = [Segment("  ", STYLES[0]), Segment("▌", STYLES[1]), Segment(" Hello world, again" + " " * 19, STYLES[0])]
    screen.paint(0, 1, line)
    first = screen.render()
    assert "Hello world" in first
    screen.paint(0, 1, line)  # what Textual sends for a widget refresh: every row again
    assert screen.render() == ""
    changed = [*line[:2], Segment(" Hello world, agaiN" + " " * 19, STYLES[0])]
    screen.paint(0, 1, changed)
    update = screen.render()
    assert "N" in update and "Hello" not in update
    assert update.count("\x1b[38;2;224;224;224") <= 1  # the colour once, not per segment


def test_long_blank_runs_are_erased_not_sent() -> None:
    screen = screen_of(60, 2)
    screen.paint(0, 0, [Segment("x" * 60, STYLES[0])])
    screen.render()
    screen.paint(0, 0, [Segment(" " * 60, STYLES[0])])
    update = screen.render()
    assert "\x1b[60X" in update and " " * 10 not in update


async def test_a_followed_answer_scrolls_in_jumps_and_ends_at_the_bottom_as_before() -> None:
    app, _server = demo_app(pace=0.2)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        view = screen.view
        height = view.scrollable_content_region.height
        await type_prompt(pilot, "long")
        while not screen.streaming:
            await pilot.pause(0.01)
        tops: list[int] = []
        while screen.streaming:
            top = int(view.scroll_y)
            if not tops or tops[-1] != top:
                tops.append(top)
            await pilot.pause(0.02)
        await wait_for_turn_end(pilot)
        steps = [after - before for before, after in itertools.pairwise(tops) if after > before]
        assert len(steps) >= 2
        assert min(steps[1:]) >= height // 2 - 1  # jumps of half a page, not a line at a time
        assert view.virtual_size.height == view._total  # no room left below the answer
        assert view.scroll_y == view.max_scroll_y and view.following


async def test_inspector_lists_a_streaming_turn_a_row_per_batch_then_every_row() -> None:
    app, _server = demo_app(pace=0.5)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("f2")
        inspector = screen.inspector
        await type_prompt(pilot, "long")
        while not inspector.turns:
            await pilot.pause(0.01)
        async with asyncio.timeout(20):
            while inspector.turns and sum(next(iter(inspector.turns.values())).counts.values()) < 120:
                await pilot.pause(0.05)
        assert screen.streaming
        deltas = sum(1 for row in inspector.rows if row.name == "content_block_delta")
        listed = [inspector.rows[i] for i in inspector.listed]
        assert sum(1 for row in listed if row.name == "content_block_delta") < deltas / 3
        heads = [i for i in inspector.listed if i in inspector._runs]
        assert heads and "×" in inspector._run_payload(heads[-1], 80)
        inspector.pause()  # the user looks at single rows: every event is listed
        every = [i for i, row in enumerate(inspector.rows) if inspector._accepts(row)]
        assert list(inspector.listed) == every
        inspector.follow()
        await wait_for_turn_end(pilot)
        assert list(inspector.listed) == [i for i, row in enumerate(inspector.rows) if inspector._accepts(row)]
        assert int(inspector.scroll_y) == inspector.max_scroll_y


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


def test_osc52_wrapped_for_tmux_passthrough() -> None:
    wrapped = tmux_passthrough(osc52_sequence("hi"))
    assert wrapped == "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"


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


def test_openssh_bench_quick_rows(tmp_path: Path) -> None:
    """The benchmark's SSH part runs (a short version): every row has its figures."""
    from tui_chat.bench import ssh
    from tui_chat.bench.server import ServerProcess

    missing = ssh.openssh_missing()
    if missing is not None:
        if os.environ.get("CLAUDE_TUI_REQUIRE_SSH") == "1":
            pytest.fail(missing + "; CLAUDE_TUI_REQUIRE_SSH=1 requires it")
        pytest.skip(missing)
    with ServerProcess() as server:
        results = ssh.measure(server.base_url, quick=True)
    rows = results["rows"]
    assert [(row["rate"], row["what"]) for row in rows] == [
        (rate, what) for rate in ssh.RATES for what in ("print loop", "closed", "open")
    ]
    for row in rows:
        assert row["lag"] is not None and row["bytes_per_token"] is not None
        if row["what"] != "print loop":
            assert row["echoes"] and row["stop"] is not None


async def test_sparkline_redrawn_every_two_seconds_while_streaming_and_at_the_end() -> None:
    from tui_chat.widgets.metrics_panel import SPARK_INTERVAL, SPARK_POINTS

    app, _server = demo_app(pace=0.3)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        spark = screen.metrics._spark
        await type_prompt(pilot, "long")
        while not screen.streaming:
            await pilot.pause(0.01)
        started, changes, last = time.monotonic(), 0, spark.data
        while screen.streaming and time.monotonic() - started < 2.5 * SPARK_INTERVAL:
            if spark.data is not last:
                changes, last = changes + 1, spark.data
            await pilot.pause(0.02)
        assert 1 <= changes <= 3  # batches came five times a second
        await wait_for_turn_end(pilot)
        turn = screen.metrics.turn
        assert turn is not None
        assert list(spark.data or []) == turn.metrics.inter_token_ms(SPARK_POINTS)
