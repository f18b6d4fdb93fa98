"""Copying: the OSC 52 sequence matches Textual's, and the file fallback is private and atomic."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from tests.support.store import CJK_EMOJI_RTL
from tui_chat.session.clipboard import CLIPBOARD_FILENAME, osc52_sequence, tmux_passthrough, write_clipboard_fallback
from tui_chat.session.export import ExportError


class RecordingDriver:
    def __init__(self) -> None:
        self.written: list[str] = []

    def write(self, data: str) -> None:
        self.written.append(data)


@pytest.mark.parametrize("text", ["hello", "", "line\nbreak\ttab", CJK_EMOJI_RTL, "\x1b]52;c;evil\a"])
def test_osc52_matches_what_textual_writes(text: str) -> None:
    from textual.app import App

    app: App[None] = App()
    driver = RecordingDriver()
    app._driver = driver  # type: ignore[assignment]
    app.copy_to_clipboard(text)
    assert driver.written == [osc52_sequence(text)]


def test_osc52_layout() -> None:
    sequence = osc52_sequence("日本 🎌")
    assert sequence.startswith("\x1b]52;c;") and sequence.endswith("\a")
    payload = sequence[len("\x1b]52;c;") : -1]
    assert base64.b64decode(payload, validate=True).decode("utf-8") == "日本 🎌"
    assert "\x1b" not in osc52_sequence("\x1b[2J")[1:]  # text cannot end the sequence early


def test_fallback_file_is_private_and_exact(tmp_path: Path) -> None:
    directory = tmp_path / "new" / "dir"
    path = write_clipboard_fallback(f"first {CJK_EMOJI_RTL}\n", directory)
    assert path == directory / CLIPBOARD_FILENAME
    assert path.read_bytes() == f"first {CJK_EMOJI_RTL}\n".encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    write_clipboard_fallback("second", directory)  # replaces the previous copy
    assert path.read_text(encoding="utf-8") == "second"
    assert [p.name for p in directory.iterdir()] == [CLIPBOARD_FILENAME]


def test_fallback_into_an_impossible_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="Cannot create the folder"):
        write_clipboard_fallback("x", tmp_path / "file" / "sub")


def test_osc52_wrapped_for_tmux_passthrough() -> None:
    wrapped = tmux_passthrough(osc52_sequence("hi"))
    assert wrapped == "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
