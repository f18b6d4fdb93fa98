"""Copying and exporting from the app: /copy (OSC 52 and clipboard.txt), /export, /export-json, /save-sse, the copy
picker, and writes that cannot happen."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from tests.support.app import SIZE, chat, demo_app, flat, last, screen_text, type_prompt, wait_for_turn_end
from tests.support.pty import PtyApp, demo_env
from tui_chat.config import data_dir
from tui_chat.session.conversation import TurnStatus


async def test_the_copy_picker_is_centred_like_every_dialog() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        await pilot.press("f4")
        await pilot.pause(0.3)
        region = app.screen.query_one("#replay-picker").region
        width, height = SIZE
        assert abs(region.x + region.width / 2 - width / 2) <= 1
        assert abs(region.y + region.height / 2 - height / 2) <= 1


async def test_saving_the_recording_while_the_answer_streams_says_it_is_partial() -> None:
    app, _server = demo_app(pace=1.0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await type_prompt(pilot, "a long one")
        async with asyncio.timeout(20):
            while last(app).role != "assistant" or not last(app).answer_text:
                await pilot.pause(0.05)
        await type_prompt(pilot, "/save-sse partial.sse")
        async with asyncio.timeout(10):
            while "A partial recording (" not in flat(screen_text(app)):
                await pilot.pause(0.1)
        assert "still streaming" in flat(screen_text(app))
        assert last(app).status is TurnStatus.STREAMING
        await pilot.press("escape")
        await wait_for_turn_end(pilot, 1)


async def test_export_markdown_json_and_recording(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    app, _ = demo_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await type_prompt(pilot, "show me some code")
        await wait_for_turn_end(pilot)
        answer = chat(app).conversation.turns[-1].answer_text
        await type_prompt(pilot, "/export chat.md")
        await pilot.pause(0.2)
        exported = (tmp_path / "chat.md").read_text(encoding="utf-8")
        tokens = MarkdownIt("commonmark").parse(exported)
        headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
        assert headings[:2] == ["You · 1", "Claude · 1"]
        fences = [t for t in tokens if t.type == "fence"]
        assert any(t.info == "python" and "class Printer(EventStream)" in t.content for t in fences)
        assert "TTFT" in exported

        # Never silently over an existing file.
        await type_prompt(pilot, "/export chat.md")
        await pilot.pause(0.2)
        assert (tmp_path / "chat.md").read_text(encoding="utf-8") == exported
        assert "already exists" in screen_text(app)

        # An unwritable place: a clear message, the app carries on.
        await type_prompt(pilot, "/export /proc/no-such-dir/chat.md")
        await pilot.pause(0.2)
        assert "Cannot write" in screen_text(app)

        await type_prompt(pilot, "/export --no-metrics bare.md")
        await pilot.pause(0.2)
        assert "TTFT" not in (tmp_path / "bare.md").read_text(encoding="utf-8")

        await type_prompt(pilot, "/export-json messages.json")
        await type_prompt(pilot, "/save-sse turn.sse")
        await pilot.pause(0.2)
        import json

        messages = json.loads((tmp_path / "messages.json").read_text(encoding="utf-8"))["messages"]
        assert messages[1]["content"][0]["text"] == answer
        turn = chat(app).conversation.turns[-1]
        assert turn.wire is not None
        assert (tmp_path / "turn.sse").read_bytes() == turn.wire.sse_bytes()
        assert (tmp_path / "turn.sse.json").is_file()

        await pilot.press("ctrl+s")  # default name, here
        await pilot.pause(0.2)
        assert list(tmp_path.glob("claude-tui-*.md"))


async def test_copy_answer_and_code_block() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "code please")
        await wait_for_turn_end(pilot)
        answer = chat(app).conversation.turns[-1].answer_text
        await type_prompt(pilot, "/copy")
        assert app.clipboard == answer
        assert (data_dir() / "clipboard.txt").read_text(encoding="utf-8") == answer
        await type_prompt(pilot, "/copy code")
        assert app.clipboard.startswith("curl -N https://api.anthropic.com/v1/messages")
        await pilot.press("f4")
        await pilot.pause(0.2)
        assert "code block 1 of answer 1 (python)" in screen_text(app)
        await pilot.press("down", "enter")  # the first code block
        assert app.clipboard.startswith("import asyncio")


def test_copy_reaches_the_terminal_as_osc52(tmp_path: Path) -> None:
    env = demo_env(tmp_path)
    app = PtyApp("--demo", env=env)
    try:
        assert app.wait_for(b"DEMO", 20)
        app.send("japanese please")
        assert app.wait_for(b"input tokens)", 30)
        mark = app.mark()
        app.send("/copy")
        assert app.wait_for(b"\x1b]52;c;", 10, since=mark)
    finally:
        app.close()
    copied = (tmp_path / "clipboard.txt").read_text(encoding="utf-8")
    assert "ストリーミング" in copied
    sequence = b"\x1b]52;c;" + base64.b64encode(copied.encode()) + b"\x07"
    assert sequence in app.output[mark:]


def notifications() -> tuple[list[str], Callable[[Any], None]]:
    """The texts of the notifications an app shows, and the `message_hook` that collects them."""
    from textual.notifications import Notify

    shown: list[str] = []

    def hook(message: Any) -> None:
        if isinstance(message, Notify):
            shown.append(message.notification.message)

    return shown, hook


async def test_copy_when_clipboard_txt_cannot_be_written() -> None:
    """Item 7: /copy with a folder where clipboard.txt goes: the copy (OSC 52) still happens and a warning
    says the file could not be written; the app goes on."""
    from tui_chat.config import data_dir
    from tui_chat.screens.chat import ChatScreen

    app, _server = demo_app()
    notes, hook = notifications()
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot)
        (data_dir() / "clipboard.txt").mkdir(parents=True)
        await type_prompt(pilot, "/copy")
        await pilot.pause(0.3)
        assert any("Copied answer" in n and "clipboard.txt" in n and "could not be written" in n for n in notes), notes
        assert isinstance(app.screen, ChatScreen) and app.is_running


async def test_export_with_a_name_too_long(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 8 in the TUI: /export with a 300-character name, with `~nobody/…`, and with no name from a folder
    that was deleted, each says why it cannot be written."""

    app, _server = demo_app()
    notes, hook = notifications()
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot)
        await type_prompt(pilot, f"/export {tmp_path / ('a' * 300)}.md")
        await pilot.pause(0.3)
        await type_prompt(pilot, "/export ~no-such-user-here/x.md")
        await pilot.pause(0.3)
        gone = tmp_path / "gone"
        gone.mkdir()
        monkeypatch.chdir(gone)
        gone.rmdir()
        await type_prompt(pilot, "/export")
        await pilot.pause(0.3)
        assert any("the name is too long" in n for n in notes), notes
        assert any("no user of this machine" in n for n in notes), notes
        assert any("current folder no longer exists" in n for n in notes), notes
        assert app.is_running
