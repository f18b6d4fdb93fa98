"""config.toml: preferences remembered with the user's comments and tables kept, and `[keys]` rebinding."""

from __future__ import annotations

import re
import stat

import pytest

from tests.support.app import SIZE, demo_app, screen_text
from tui_chat.commands import KeyMap, active_keymap, use_keymap
from tui_chat.preferences import Preferences
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.help import HelpScreen

USER_FILE = """\
# my claude-tui settings
theme = "textual-dark"   # dark, always
inspector = false

[keys]
toggle_inspector = "f6"  # F2 is taken by my terminal

[mcp_servers.files]      # a table the app does not know (yet)
command = "files-server"
args = ["--root", "."]
"""


def test_a_save_keeps_comments_unknown_keys_and_tables() -> None:
    path = Preferences.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(USER_FILE, encoding="utf-8")
    preferences = Preferences.load()
    assert preferences.keymap.keys("toggle_inspector") == ("f6",) and not preferences.problems
    preferences.inspector = True
    preferences.save()
    text = path.read_text(encoding="utf-8")
    assert "# my claude-tui settings" in text and "# dark, always" in text and "# F2 is taken" in text
    assert 'args = ["--root", "."]' in text and "[mcp_servers.files]" in text
    assert re.findall(r"^inspector = .*$", text, re.M) == ["inspector = true"]
    assert "paced_reads" not in text  # a default the user never set is not written
    assert Preferences.load().inspector is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_file_that_cannot_be_parsed_is_never_overwritten() -> None:
    path = Preferences.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("theme = [unclosed\n", encoding="utf-8")
    preferences = Preferences.load()
    assert preferences.problem is not None and not preferences.readable
    preferences.theme = "ansi-dark"
    with pytest.raises(OSError, match="not overwritten"):
        preferences.save()
    assert path.read_text(encoding="utf-8") == "theme = [unclosed\n"


async def test_rebound_keys_work_in_the_app_and_show_in_help_and_bad_ones_are_reported() -> None:
    path = Preferences.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[keys]\ntoggle_inspector = "f9"\nretry = "nonsense"\nexport = "f7"\n', encoding="utf-8")
    try:
        app, _ = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause(0.2)
            assert "Preferences not read" in screen_text(app)  # the notice; what it lists:
            problems = "\n".join(app.preferences.problems)
            assert "retry: 'nonsense' is not a key" in problems
            assert "export: f7 edits text in the prompt" in problems
            screen = app.screen
            assert isinstance(screen, ChatScreen)
            assert not screen.inspector_pane.display
            await pilot.press("f9")
            assert screen.inspector_pane.display
            await pilot.press("f2")  # no longer the inspector's key
            assert screen.inspector_pane.display
            await pilot.press("f1")
            await pilot.pause(0.1)
            assert isinstance(app.screen, HelpScreen)
            shown = screen_text(app)
            assert "F9" in shown and "show or hide the event inspector" in shown
    finally:
        use_keymap(KeyMap())
    assert active_keymap().keys("toggle_inspector") == ("f2",)
