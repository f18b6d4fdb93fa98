"""config.toml (`tui_chat/preferences.py`): saved with the user's comments, unknown keys and tables kept; a file
that cannot be parsed is never overwritten."""

from __future__ import annotations

import re
import stat

import pytest

from tui_chat.preferences import Preferences

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
