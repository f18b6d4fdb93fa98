"""Record and replay: recordings play through the same stream class into the same panes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from anthropic import AsyncAnthropic

from tests.support.app import SIZE, screen_text, wait_for_turn_end
from tests.support.paths import FIXTURES
from tests.support.sse import SSE_FIXTURES, sdk_reference
from tui_chat.app import ClaudeTUI
from tui_chat.config import Settings
from tui_chat.demo.server import DemoServer, Recording
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.replay_picker import ReplayPickerScreen
from tui_chat.session.backend import Backend
from tui_chat.session.conversation import TurnStatus
from tui_chat.session.recording import (
    ReplayChoice,
    find_recording,
    load_recording,
    meta_path,
    packaged_recordings,
    recording_from_record,
    recording_meta,
)
from tui_chat.stream.wire import WireEvent, WireRecord, split_recording


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


def test_packaged_recordings_are_listed_with_origins() -> None:
    recordings = packaged_recordings()
    assert len(recordings) >= 8
    for recording in recordings:
        assert recording.description and recording.origin
        assert recording.body == (FIXTURES / f"{recording.name}.sse").read_bytes()
    assert find_recording("hw-thinking-signature-pings").name == "hw-thinking-signature-pings"
    with pytest.raises(FileNotFoundError, match="examples"):
        find_recording("no-such-recording")


def test_saved_timing_round_trips(tmp_path: Path) -> None:
    body = (SSE_FIXTURES[0].parent / "sdk-basic-text.sse").read_bytes()
    record = WireRecord(status=200, headers=[("request-id", "req_1")])
    for index, frame in enumerate(split_recording(body)):
        record.events.append(WireEvent.from_frame(index, 0.1 * (index + 1), frame))
    recording = recording_from_record(record, "saved")
    path = tmp_path / "saved.sse"
    path.write_bytes(recording.body)
    meta_path(path).write_text(recording_meta(recording))
    loaded = load_recording(path)
    assert loaded.body == body
    assert loaded.headers == [("request-id", "req_1")]
    assert loaded.delays(1.0) == pytest.approx([0.1] * len(record.events))
    assert loaded.delays(2.0) == pytest.approx([0.05] * len(record.events))
    assert loaded.delays(0) == [0.0] * len(record.events)
    assert loaded.read_pace == 0 and "read_pace_seconds" not in meta_path(path).read_text()
    record.read_pace = 0.05  # recorded with paced reads: the sidecar says its times are read times
    meta_path(path).write_text(recording_meta(recording_from_record(record, "saved")))
    assert load_recording(path).read_pace == 0.05


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
