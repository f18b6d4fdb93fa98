"""Record and replay: recordings play through the same stream class into the same panes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from anthropic import AsyncAnthropic

from tests.support.app import SIZE, chat, demo_app, last, screen_text, wait_for_turn_end
from tests.support.sse import SSE_FIXTURES, one_block_stream, sdk_reference
from tui_chat.app import ClaudeTUI
from tui_chat.config import Settings
from tui_chat.demo.server import DemoServer, Recording
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.replay_picker import ReplayPickerScreen
from tui_chat.session.backend import Backend
from tui_chat.session.conversation import TurnStatus
from tui_chat.session.inspect import headers_summary
from tui_chat.session.recording import ReplayChoice, find_recording, load_recording, packaged_recordings


def replay_app(**settings: Any) -> tuple[ClaudeTUI, DemoServer]:
    server = DemoServer(pace=0)
    config = Settings(demo=True, **settings)
    return ClaudeTUI(config, backend=Backend(config, demo_server=server)), server


async def replay(pilot: Any, choice: ReplayChoice, count: int) -> ChatScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ChatScreen)
    screen.controller.start_replay(choice)
    await wait_for_turn_end(pilot, count)
    return screen


async def test_every_fixture_replays_to_the_sdk_accumulation(demo_server: DemoServer, client: AsyncAnthropic) -> None:
    """Each recording, replayed through the app, ends as the SDK's own helper would end it."""
    references = {}
    for path in SSE_FIXTURES:
        demo_server.queue_recording(Recording(path.read_bytes()))
        references[path.stem] = await sdk_reference(client)

    app, _server = replay_app()
    async with app.run_test(size=SIZE) as pilot:
        for count, path in enumerate(SSE_FIXTURES, 1):
            recording = load_recording(path)
            screen = await replay(pilot, ReplayChoice(recording, 0, False), count)
            turn = screen.conversation.turns[-1]
            assert turn.replay == path.stem
            error, snapshot = references[path.stem]
            assert turn.wire is not None and turn.wire.sse_bytes() == recording.body
            if snapshot is not None:
                assert turn.api_content == [
                    {k: v for k, v in block.items() if k != "parsed_output"} for block in snapshot["content"]
                ], path.stem
            assert (turn.status is TurnStatus.FAILED) == (error is not None), path.stem
        # Replays never enter the history sent to the API.
        assert screen.conversation.api_messages() == []


async def test_step_mode_sends_one_event_per_key() -> None:
    recording = find_recording("hw-thinking-signature-pings")
    frames = len(recording.frames)
    app, _server = replay_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        screen.controller.start_replay(ReplayChoice(recording, 1.0, True))
        inspector = screen.inspector

        def wire_rows() -> int:
            return sum(1 for row in inspector.rows if row.wire is not None)

        async with asyncio.timeout(10):
            while not any(row.record is not None for row in inspector.rows):
                await pilot.pause(0.05)
        assert wire_rows() == 0
        assert inspector.has_focus
        for expected in range(1, 4):
            await pilot.press("n")
            async with asyncio.timeout(5):
                while wire_rows() < expected:
                    await pilot.pause(0.02)
            await pilot.pause(0.15)
            assert wire_rows() == expected  # exactly one more, not the rest
        assert "Next event" in screen_text(app)
        await pilot.press("c")
        await wait_for_turn_end(pilot, 1)
        assert wire_rows() == frames
        assert screen.conversation.turns[-1].status is TurnStatus.COMPLETE


async def test_replay_picker_and_cli_start() -> None:
    app, _server = replay_app(replay="")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        assert isinstance(app.screen, ReplayPickerScreen)
        assert "hw-thinking-signature-pings" in screen_text(app)
        await pilot.press("f")  # the first one, four times as fast
        await wait_for_turn_end(pilot, 1)
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        assert screen.conversation.turns[-1].replay == packaged_recordings()[0].name

    app, _server = replay_app(replay="hw-error-midstream-overloaded", replay_speed=5.0)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_turn_end(pilot, 1)
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        failed = screen.conversation.turns[-1]
        assert failed.status is TurnStatus.FAILED and failed.error is not None
        assert failed.error.kind == "overloaded_error"
        await pilot.press("ctrl+r")  # replays it again
        await wait_for_turn_end(pilot, 1)
        assert screen.conversation.turns[-1].replay == "hw-error-midstream-overloaded"


async def test_a_replay_shows_only_the_headers_and_model_of_its_recording(tmp_path: Path) -> None:
    bare = tmp_path / "opus.sse"
    bare.write_bytes(one_block_stream(["Recorded ", "answer."], model="claude-opus-5-5"))
    with_sidecar = tmp_path / "timed.sse"
    with_sidecar.write_bytes(one_block_stream(["Another."], model="claude-haiku-5-5"))
    with_sidecar.with_name("timed.sse.json").write_text(
        json.dumps({"format": "claude-tui-recording/1", "status": 200, "headers": [["request-id", "req_recorded_1"]]})
    )
    app, _server = demo_app(replay=str(bare), replay_speed=0.0)  # `claude-tui replay FILE.sse`
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_turn_end(pilot, 1)
        screen = chat(app)
        turn = last(app)
        assert turn.model == "claude-opus-5-5" and turn.metrics.request_id is None and not turn.metrics.rate_limits
        assert turn.wire is not None and turn.wire.headers == []
        await pilot.press("f2")
        await pilot.pause(0.2)
        shown = screen_text(app)
        panes = shown[shown.index("─ Conversation") :]  # below the top bar (the model for the next live turns)
        for invented in ("req_demo", "claude-sonnet-5-5", "requests left", "HTTP 200"):
            assert invented not in panes, invented
        assert "Claude · claude-opus-5-5 · ✓" in panes
        notes = [row.note for row in screen.inspector.rows if row.note]
        assert notes[0].startswith("turn 1 · replay of opus")
        headers_row = next(row for row in screen.inspector.rows if row.record is not None)
        assert headers_summary(headers_row.record) == "replay · no headers recorded"
        assert "claude-sonnet-5-5" not in str(screen.metrics.render_metrics(0.0))

        screen.controller.start_replay(ReplayChoice(load_recording(with_sidecar), 0.0, False))
        await wait_for_turn_end(pilot, 2)
        turn = last(app)
        assert turn.wire is not None and turn.wire.headers == [("request-id", "req_recorded_1")]
        assert turn.metrics.request_id == "req_recorded_1" and turn.model == "claude-haiku-5-5"
        headers_row = [row for row in screen.inspector.rows if row.record is not None][-1]
        assert headers_summary(headers_row.record) == "recorded HTTP 200 · req_recorded_1"
