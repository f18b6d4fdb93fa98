"""The model picker (ctrl+o): the Models API's list, whatever it holds, or the offline list."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.widgets import OptionList

from tests.support.app import SIZE, demo_app, screen_text, type_prompt, wait_for_turn_end
from tests.support.hostile_server import HostileServer, RawReply, answer, json_reply
from tui_chat.app import ClaudeTUI
from tui_chat.config import Secret, Settings
from tui_chat.demo.server import MODELS
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.model_picker import ModelPickerScreen
from tui_chat.session.backend import Backend
from tui_chat.session.model_catalog import ModelChoice


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


async def test_the_picker_lists_the_models_and_the_pick_is_sent() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("ctrl+o")
        async with asyncio.timeout(10):
            while not isinstance(app.screen, ModelPickerScreen):
                await pilot.pause(0.05)
        shown = screen_text(app)
        assert "claude-haiku-5-5" in shown and "input 1M · output 128K" in shown and "GET /v1/models" in shown
        options = app.screen.query_one(OptionList)
        options.highlighted = 2
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert screen.conversation.model == MODELS[2].id
        await type_prompt(pilot, "hi")
        await wait_for_turn_end(pilot)
        assert app.backend.demo.server.requests[-1].body["model"] == MODELS[2].id


async def test_model_picker_falls_back_offline() -> None:
    import socket

    from tui_chat.app import ClaudeTUI
    from tui_chat.config import Secret, Settings
    from tui_chat.session.backend import Backend

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(api_key=Secret("k-offline-test-123"), base_url=f"http://127.0.0.1:{port}", connect_timeout=1)
    app = ClaudeTUI(settings, backend=Backend(settings))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        async with asyncio.timeout(15):
            while not isinstance(app.screen, ModelPickerScreen):
                await pilot.pause(0.05)
        shown = screen_text(app)
        assert "could not be reached" in shown
        assert "claude-sonnet-5-5" in shown


def test_the_model_picker_names_a_model_once_when_the_server_gives_no_display_name() -> None:
    for bare in (ModelChoice("my-model", "", None, None), ModelChoice("my-model", "my-model", None, None)):
        label = ModelPickerScreen([bare], "my-model", "")._option(bare).prompt
        assert str(label).count("my-model") == 1
    named = ModelChoice("claude-sonnet-5-5", "Claude Sonnet 5.5", 1_000_000, 128_000)
    assert "Claude Sonnet 5.5" in str(ModelPickerScreen([named], "", "")._option(named).prompt)
