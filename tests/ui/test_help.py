"""F1, the help screen: every key and slash command, from the command table."""

from __future__ import annotations

from tests.support.app import demo_app, screen_text
from tui_chat.commands import COMMANDS, KeyMap, slash_commands
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.help import HelpScreen, help_sections


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


def test_f1_lists_the_step_keys_apart_from_the_others() -> None:
    sections = dict(help_sections(KeyMap()))
    keys = [key for key, _ in sections["In the chat"]]
    assert "n" not in keys and "c" not in keys
    step = next(rows for title, rows in sections.items() if title.startswith("Replaying step by step"))
    assert [key for key, _ in step] == ["n", "c"]
