"""Every file claude-tui writes goes through one atomic writer: whole or absent, private to its owner."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tui_chat.files import write_atomically
from tui_chat.preferences import Preferences
from tui_chat.session.export import write_export


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_preferences_are_written_by_the_atomic_writer() -> None:
    """Saved like an export: owner-only, through a temporary file that never stays behind."""
    preferences = Preferences(theme="ansi-dark")
    preferences.save()
    path = Preferences.path()
    assert Preferences.load().theme == "ansi-dark"
    assert mode(path) == 0o600
    assert [entry.name for entry in path.parent.iterdir()] == [path.name]


def test_an_export_and_the_preferences_are_written_alike(tmp_path: Path) -> None:
    export = write_export(tmp_path / "a.md", "text\n")
    Preferences().save()
    assert mode(export) == mode(Preferences.path()) == 0o600


def test_a_write_replaces_the_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    write_atomically(path, "old\r\n")
    write_atomically(path, b"new\xff")
    assert path.read_bytes() == b"new\xff"
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["f.txt"]


def test_without_overwrite_an_existing_file_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("mine")
    with pytest.raises(FileExistsError):
        write_atomically(path, "theirs", overwrite=False)
    assert path.read_text() == "mine"
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["f.txt"]


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    """The data is written, then naming it fails (a folder has the name): no temporary file stays."""
    (tmp_path / "taken").mkdir()
    with pytest.raises(IsADirectoryError):
        write_atomically(tmp_path / "taken", "data")
    assert [entry.name for entry in tmp_path.iterdir()] == ["taken"]
    assert (tmp_path / "taken").is_dir()
