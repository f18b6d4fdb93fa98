"""What a learner reads besides the inspector: the TTFT experiment, metrics, the model picker."""

from __future__ import annotations

import asyncio

import pytest
from anthropic import AsyncAnthropic
from textual.widgets import DataTable, OptionList

from tests.support.app import SIZE, demo_app, screen_text, type_prompt, wait_for_turn_end
from tui_chat.demo.server import MODELS, DemoServer
from tui_chat.render.sections import TtftSection, bar
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.model_picker import ModelPickerScreen
from tui_chat.screens.session_metrics import SessionMetricsScreen
from tui_chat.session.conversation import Conversation
from tui_chat.session.model_catalog import FALLBACK_MODELS, describe_limits, fetch_models
from tui_chat.session.pricing import estimate_cost, price_for
from tui_chat.session.recorder import TurnRecorder
from tui_chat.session.ttft_runner import run_ttft_experiment


async def test_ttft_experiment_against_the_demo_server() -> None:
    server = DemoServer(pace=0.15)
    await server.start()
    client = AsyncAnthropic(api_key="k", base_url=server.base_url, max_retries=0)
    try:
        experiment = await run_ttft_experiment(client, "claude-sonnet-5-5", max_tokens=200)
    finally:
        await client.close()
        await server.stop()
    streaming, whole = experiment.streaming, experiment.non_streaming
    assert streaming.error is None and whole.error is None
    assert streaming.output_tokens == whole.output_tokens == 200
    assert streaming.ttft is not None and whole.ttft is not None
    assert streaming.ttft < streaming.total  # the first token came before the end
    assert whole.ttft == whole.total  # non-streaming: nothing before the end
    assert streaming.ttft < whole.ttft
    assert experiment.speedup is not None and experiment.speedup > 2
    bodies = [r.body for r in server.requests]
    assert [b.get("stream", False) for b in bodies] == [True, False]
    assert bodies[0]["messages"] == bodies[1]["messages"]


def test_bars() -> None:
    assert bar(1.0, 1.0, 10) == "█" * 10
    assert bar(0.5, 1.0, 10) == "█" * 5 + " " * 5
    assert bar(0.0001, 1.0, 10).strip() == "▏"
    assert bar(None, 1.0, 4) == "    "


async def test_ttft_command_shows_the_chart() -> None:
    app, _server = demo_app(pace=0.1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await type_prompt(pilot, "/ttft tell me a long story")
        async with asyncio.timeout(30):
            while not screen.experiments:
                await pilot.pause(0.1)
        await pilot.pause(0.2)
        shown = screen_text(app)
        assert "first token" in shown and "whole answer" in shown and "sooner" in shown
        results = [section for section in screen.view.sections if isinstance(section, TtftSection)]
        assert [result.experiment for result in results] == screen.experiments
        assert screen.conversation.api_messages() == []  # not part of the chat
        await pilot.press("f3")
        await pilot.pause(0.2)
        assert isinstance(app.screen, SessionMetricsScreen)
        ttft_table = app.screen.query_one("#ttft-table", DataTable)
        assert ttft_table.row_count == 1


async def test_metrics_details(client: AsyncAnthropic) -> None:
    conversation = Conversation(model="claude-sonnet-5-5")
    conversation.add_user("think about it")
    turn = conversation.start_assistant()
    await TurnRecorder(client, conversation, turn).run()
    metrics = turn.metrics
    assert metrics.thinking_tokens and metrics.thinking_tokens > 0
    assert metrics.rate_limits["requests"] == "49"
    assert metrics.request_id and metrics.request_id.startswith("req_demo_")
    assert len(metrics.delta_times) == metrics.deltas
    assert len(metrics.inter_token_ms(10)) == 10
    assert metrics.cost("claude-sonnet-5-5") == pytest.approx(
        (metrics.input_tokens or 0) * 2 / 1e6 + (metrics.output_tokens or 0) * 10 / 1e6
    )


def test_price_table() -> None:
    assert price_for("claude-opus-5-5-20261001") == price_for("claude-opus-5-5")
    assert price_for("gpt-4") is None
    cached = estimate_cost("claude-haiku-5-5", input_tokens=0, output_tokens=0, cache_read_input_tokens=1_000_000)
    assert cached == pytest.approx(0.01)


async def test_models_from_the_api_and_the_picker(client: AsyncAnthropic) -> None:
    models = await fetch_models(client)
    assert [m.id for m in models] == [m.id for m in MODELS]
    assert describe_limits(models[0]) == "input 1M · output 128K"
    assert describe_limits(FALLBACK_MODELS[-1]) == "input 200K · output 64K"

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
