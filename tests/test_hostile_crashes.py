"""Issue 13, items 6-8: what crashed the app with a traceback, and the same class of bug around each: any
field of a /v1/models answer, any file write that cannot happen (the clipboard file, an export's name)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.app import demo_app, type_prompt, wait_for_turn_end
from tests.support.hostile_server import HostileServer, RawReply, answer, json_reply
from tests.support.paths import REPO
from tests.support.store import saved_conversation
from tui_chat.app import ClaudeTUI
from tui_chat.config import Secret, Settings
from tui_chat.session.backend import Backend


def notifications() -> tuple[list[str], Callable[[Any], None]]:
    """The texts of the notifications an app shows, and the `message_hook` that collects them."""
    from textual.notifications import Notify

    shown: list[str] = []

    def hook(message: Any) -> None:
        if isinstance(message, Notify):
            shown.append(message.notification.message)

    return shown, hook


def hostile_app(base_url: str) -> ClaudeTUI:
    settings = Settings(api_key=Secret("k-hostile-0123456789"), base_url=base_url)
    return ClaudeTUI(settings, backend=Backend(settings))


async def open_model_picker(pilot: Any) -> Any:
    from tui_chat.screens.model_picker import ModelPickerScreen

    await pilot.press("ctrl+o")
    async with asyncio.timeout(20):
        while not isinstance(pilot.app.screen, ModelPickerScreen):
            await pilot.pause(0.05)
    await pilot.pause(0.2)  # (its options drawn)
    return pilot.app.screen


def models_page(*models: dict[str, Any]) -> RawReply:
    return json_reply({"data": list(models), "has_more": False, "first_id": None, "last_id": None})


async def test_the_model_picker_takes_any_models_list() -> None:
    """Item 6: /v1/models with non-integer limits, ids that are not text, names with escapes: the picker shows
    what is usable, the context-window check before sending does not trip on it, nothing crashes."""
    from tui_chat.screens.chat import ChatScreen

    good = {"type": "model", "id": "claude-good-1", "display_name": "Good\x1b]0;X\x07", "max_tokens": "lots"}
    good["max_input_tokens"] = {"much": True}
    odd = {"type": "model", "id": "claude-odd-2", "display_name": ["a"], "max_tokens": -5, "max_input_tokens": 1.5}
    floating = {"type": "model", "id": "claude-float-3", "display_name": "Float", "max_tokens": 64000.0}
    not_text = [{"type": "model", "id": 42, "max_tokens": 5}, {"type": "model", "id": None}, {"display_name": "x"}]
    with HostileServer() as server:
        server.queue("/v1/models", models_page(good))
        server.always("/v1/models", models_page(good, *not_text, odd, floating))
        server.always("/v1/messages", RawReply(answer("fine")))
        app = hostile_app(server.base_url)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, ChatScreen)
            picker = await open_model_picker(pilot)  # (max_tokens "lots": a TypeError drawing it, before)
            assert [m.id for m in picker.models] == ["claude-good-1"]
            await pilot.press("escape")
            picker = await open_model_picker(pilot)
            assert [m.id for m in picker.models] == ["claude-good-1", "claude-odd-2", "claude-float-3"]
            first, second, third = picker.models
            assert first.max_tokens is None and first.max_input_tokens is None and "\x1b" not in first.display_name
            assert second.display_name == "claude-odd-2" and second.max_tokens is second.max_input_tokens is None
            assert third.max_tokens == 64000
            await pilot.press("enter")
            await pilot.pause(0.2)
            assert screen.conversation.model == "claude-good-1"
            await pilot.press(*"hi", "enter")  # (the context-window check reads the listed limits)
            async with asyncio.timeout(20):
                while screen.settled_answers < 1:
                    await pilot.pause(0.05)
            assert screen.conversation.turns[-1].answer_text == "fine"


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


def test_cli_export_with_a_name_too_long(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 8 for `claude-tui export ID -o NAME`: a readable error and exit status 1, no traceback."""
    monkeypatch.setenv("CLAUDE_TUI_DATA_DIR", str(tmp_path))
    conversation = saved_conversation(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "tui_chat", "export", conversation.id, "-o", str(tmp_path / ("b" * 300))],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 1, result.stderr
    assert "the name is too long" in result.stderr and "Traceback" not in result.stderr
    gone = tmp_path / "gone"
    gone.mkdir()
    command = f"cd {gone} && rmdir {gone} && exec {sys.executable} -m tui_chat export {conversation.id}"
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 1 and "current folder no longer exists" in result.stderr, result.stderr
