"""Help, themes remembered in the config file, hints, and plain 256-colour terminals."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.app import SIZE, demo_app, screen_text, type_prompt, wait_for_turn_end
from tests.support.pty import PtyApp
from tui_chat.commands import COMMANDS, KeyMap, slash_commands
from tui_chat.preferences import Preferences
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.help import HelpScreen
from tui_chat.session.conversation import Turn


async def test_f1_lists_every_key_and_slash_command() -> None:
    app, _ = demo_app()
    async with app.run_test(size=(140, 130)) as pilot:  # all of it in view at once
        await pilot.press("f1")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        for key in ("ctrl+j", "F2", "F3", "F4", "F5", "ctrl+r", "ctrl+s", "ctrl+l", "ctrl+o", "ctrl+n", "Esc"):
            assert key in shown, key
        keymap = KeyMap()
        for command in COMMANDS:  # every key, from the command table
            if command.keys:
                assert keymap.labels(command.id) in shown, command.id
        for command in slash_commands():
            assert command.slash_usage in shown, command.slash_usage
        assert "pause (stop scrolling with new events)" in shown  # the inspector's keys
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)


async def test_theme_and_inspector_are_remembered() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "ansi-dark"
        await pilot.press("f2")
        await pilot.pause(0.1)
    saved = Preferences.load()
    assert saved.theme == "ansi-dark" and saved.inspector is True
    assert 'theme = "ansi-dark"' in Preferences.path().read_text(encoding="utf-8")

    app, _ = demo_app()
    async with app.run_test(size=SIZE):
        assert app.theme == "ansi-dark"
        screen = app.screen
        assert isinstance(screen, ChatScreen) and screen.inspector_pane.display


async def test_a_broken_config_is_reported_not_fatal() -> None:
    path = Preferences.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("theme = [unclosed", encoding="utf-8")
    app, _ = demo_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause(0.1)
        assert "Preferences not read" in screen_text(app)
        await type_prompt(pilot, "hi")
        await wait_for_turn_end(pilot)


async def test_empty_conversation_hint_can_be_switched_off() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        assert "Ask anything, then press Enter." in screen_text(app)
        await type_prompt(pilot, "hi")
        await wait_for_turn_end(pilot)
        assert "Ask anything" not in screen_text(app)
    Preferences(hints=False).save()
    app, _ = demo_app()
    async with app.run_test(size=SIZE):
        assert "Ask anything" not in screen_text(app)


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


async def test_paced_reads_are_a_remembered_choice_shown_with_the_turns_they_paced() -> None:
    """The "paced_reads" preference (palette): a flowing answer is read in 50 ms bursts, and that turn's
    inspector status, tok/s and inter-token label say so (saved with it); off again, the next turn is
    read frame by frame."""
    from itertools import pairwise

    from tui_chat.demo.bench_content import bench_prompt

    prompt = bench_prompt("prose", 80, rate=200)  # real pauses below: 200 tokens a second, 5 ms apart

    def pauses(turn: Turn) -> int:
        """Gaps between deltas much longer than the server's 5 ms: where the reads paused."""
        return sum(later - earlier > 0.03 for earlier, later in pairwise(turn.metrics.delta_times))

    app, _ = demo_app(pace=1.0)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("f2")
        screen.action_toggle_paced_reads()
        await pilot.pause(0.1)
        assert Preferences.load().paced_reads is True
        await type_prompt(pilot, prompt)
        await wait_for_turn_end(pilot)
        paced = screen.conversation.turns[-1]
        assert paced.metrics.read_pace == 0.05
        assert 4 <= pauses(paced) <= 15  # 0.4 s of deltas in 50 ms bursts: about 7 pauses (unpaced: none)
        shown = screen_text(app)
        assert "read every 50 ms" in shown and "tok/s ≈" in shown
        await pilot.press("f2")  # the inspector closed, the metrics have room for the inter-token sparkline
        await pilot.pause(0.2)
        label = screen.metrics._spark_label
        assert label.display and label.content.plain.startswith("inter-token ms · paced\np50 ")
        assert "inter-token ms · paced" in screen_text(app)  # drawn whole, in its own row
    app, _ = demo_app(pace=1.0)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        assert screen.preferences.paced_reads
        screen.action_toggle_paced_reads()
        await pilot.pause(0.1)
        assert Preferences.load().paced_reads is False
        await pilot.press("f2")
        await type_prompt(pilot, prompt)
        await wait_for_turn_end(pilot)
        exact = screen.conversation.turns[-1]
        assert exact.metrics.read_pace == 0 and pauses(exact) < 4
        shown = screen_text(app)
        assert "read every" not in shown and "tok/s ≈" not in shown
