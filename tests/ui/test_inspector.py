"""The event inspector as something to study: filters, pause and follow, the detail view, a row per batch while
an answer streams."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.support.app import SIZE, chat, demo_app, screen_text, type_prompt, wait_for_turn_end
from tests.support.sse import fixture_bytes, one_block_stream
from tui_chat.demo.script import sse_frame
from tui_chat.demo.server import Recording
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.event_detail import EventDetailScreen
from tui_chat.session.inspect import explain, raw_lines, sdk_object_text
from tui_chat.stream.sdk_objects import rebuild_raw_event
from tui_chat.stream.wire import parse_frame, split_recording
from tui_chat.widgets.event_inspector import EventInspector
from tui_chat.widgets.inspector_pane import InspectorPane


def listed_names(inspector: EventInspector) -> list[str]:
    return [inspector.rows[i].name for i in inspector.listed]


async def replay_fixture(pilot: Any, name: str, chunk_size: int | None = None) -> ChatScreen:
    """Serve a recorded stream to the app's next request, ask, and wait for the answer."""
    app = pilot.app
    app.backend.demo.server.queue_recording(Recording(fixture_bytes(name), chunk_size=chunk_size))
    screen = app.screen
    assert isinstance(screen, ChatScreen)
    before = screen.settled_answers
    await type_prompt(pilot, "replay this")
    await wait_for_turn_end(pilot, before + 1)
    return screen


async def test_filters_pause_and_follow() -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("f2")
        server.queue_recording(Recording(fixture_bytes("hw-thinking-signature-pings.sse")))
        await type_prompt(pilot, "x")
        await wait_for_turn_end(pilot)
        inspector = screen.inspector
        all_names = listed_names(inspector)
        assert all_names.count("ping") == 3
        assert "headers" in all_names

        inspector.focus()
        await pilot.press("h")  # hide pings
        assert "ping" not in listed_names(inspector)
        assert "hiding pings" in screen_text(app)
        await pilot.press("d")  # hide deltas too
        names = listed_names(inspector)
        assert "content_block_delta" not in names and "message_start" in names
        await pilot.press("h", "d")
        assert listed_names(inspector) == all_names

        await pilot.press("s")  # SDK helper events, marked as such
        with_sdk = listed_names(inspector)
        assert "thinking" in with_sdk and "text" in with_sdk and "signature" in with_sdk
        assert with_sdk.index("thinking") == with_sdk.index("content_block_delta") + 1
        assert "sdk·thinking" in screen_text(app)
        await pilot.press("s")

        await pilot.press("e")  # errors only: this stream had none
        assert all(inspector.rows[i].error for i in inspector.listed)
        await pilot.press("e")

        # Pause: new events keep arriving but the view stays; follow jumps to the end.
        await pilot.press("p")
        assert not inspector.following
        kept_scroll = inspector.scroll_y
        server.queue_recording(Recording(fixture_bytes("sdk-basic-text.sse")))
        screen.query_one("#prompt").focus()
        await type_prompt(pilot, "again")
        await wait_for_turn_end(pilot, 2)
        assert inspector.scroll_y == kept_scroll
        assert inspector.unseen > 0
        assert "paused" in screen_text(app)
        inspector.focus()
        await pilot.press("p")
        assert inspector.following and inspector.unseen == 0
        await pilot.pause(0.1)
        assert inspector.scroll_y == inspector.max_scroll_y
        # Both turns stay browsable.
        assert {row.turn_number for row in inspector.rows} == {1, 2}


async def test_detail_view_shows_the_exact_bytes() -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("f2")
        body = fixture_bytes("rec-structured-output-json.sse")  # a real recording: padded data lines
        server.queue_recording(Recording(body, chunk_size=11))
        await type_prompt(pilot, "x")
        await wait_for_turn_end(pilot)
        inspector = screen.inspector
        inspector.focus()
        await pilot.press("home")
        frames = split_recording(body)

        # Walk to the first content_block_delta and open it.
        while inspector.selected_row is None or inspector.selected_row.name != "content_block_delta":
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, EventDetailScreen)
        row = inspector.selected_row
        assert row is not None and row.wire is not None
        frame = frames[row.wire.index]
        assert row.wire.raw == frame  # byte for byte
        shown = screen_text(app)
        assert "content_block_delta" in shown
        assert "text_delta" in shown  # parsed JSON
        assert "RawContentBlockDeltaEvent" in shown  # the SDK object
        assert "A piece of block" in shown  # the explanation
        first_line = raw_lines(row.wire).splitlines()[0]
        assert first_line in shown
        # The recorded padding after the JSON is made visible.
        if frame.rstrip(b"\n").endswith(b" "):
            assert "·" in raw_lines(row.wire)
        # Next/previous walk through the events.
        await pilot.press("n")
        detail = app.screen
        assert isinstance(detail, EventDetailScreen)
        assert detail.row is not row
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)


async def test_headers_are_event_zero_and_pings_explained() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("f2")
        await type_prompt(pilot, "hi")
        await wait_for_turn_end(pilot)
        inspector = screen.inspector
        selectable = [inspector.rows[i] for i in inspector.listed if inspector.rows[i].selectable]
        assert selectable[0].request is not None and selectable[1].record is not None  # the request, then headers
        inspector.focus()
        await pilot.press("home")
        while inspector.selected_row is None or inspector.selected_row.record is None:
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause(0.1)
        shown = screen_text(app)
        assert "request-id: req_demo_" in shown
        assert "anthropic-ratelimit-requests-remaining" in shown
        assert "test-key" not in shown
        await pilot.press("escape")
        # Find a ping and open it.
        inspector.focus()
        await pilot.press("home")
        while inspector.selected_row is None or inspector.selected_row.name != "ping":
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert "drops pings" in screen_text(app)


async def test_unknown_events_and_fields_are_shown() -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("f2")
        body = fixture_bytes("sdk-basic-text.sse").replace(
            b"event: ping", b'event: future_event\ndata: {"type":"future_event","x":1}\n\nevent: ping', 1
        )
        server.queue_recording(body)
        await type_prompt(pilot, "x")
        await wait_for_turn_end(pilot)
        names = listed_names(screen.inspector)
        assert "future_event" in names
        assert screen.conversation.turns[-1].answer_text == "Hello there!"
        assert [parse_frame(f).event for f in split_recording(body)].count("future_event") == 1


def test_the_turn_counts_wrap_between_items_into_two_rows() -> None:
    items = ["msg_start 1", "block_start 1", "delta 75", "ping 2", "error 1"]
    rows = [row.plain for row in InspectorPane._rows("turn 1: ", items, width=40)]
    assert rows == ["turn 1: msg_start 1 · block_start 1", "· delta 75 · ping 2 · error 1"]
    assert all(len(row) <= 40 for row in rows)
    wide = [row.plain for row in InspectorPane._rows("turn 1: ", items, width=200)]
    assert wide == ["turn 1: msg_start 1 · block_start 1 · delta 75 · ping 2 · error 1"]
    narrow = InspectorPane._rows("turn 1: ", items, width=10)
    assert len(narrow) == 2  # never more rows than the status has: the last row is cut with an ellipsis


async def test_a_click_in_the_inspector_does_not_pause_the_next_turn() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await pilot.press("f2")
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        inspector = screen.inspector
        await pilot.click(type(inspector), offset=(5, 3))
        assert not inspector.following and inspector.cursor is not None
        status = str(screen.inspector_pane.status.content)
        screen.prompt.focus()
        await type_prompt(pilot, "hello again")
        await wait_for_turn_end(pilot, 2)
        assert inspector.following and inspector.unseen == 0
        assert "paused on the selected row (End follows; so does a new turn)" in status
        await pilot.pause(0.1)
        assert inspector.scroll_y == inspector.max_scroll_y

        inspector.focus()
        await pilot.press("p")  # paused on purpose: it stays paused into the next turn
        assert inspector.held and not inspector.following
        screen.prompt.focus()
        await type_prompt(pilot, "third")
        await wait_for_turn_end(pilot, 3)
        assert not inspector.following and inspector.unseen > 0


async def test_counts_agree_with_their_nouns_and_the_detail_view_says_things_once() -> None:
    app, server = demo_app()
    ping = sse_frame("ping", {"type": "ping"})
    body = one_block_stream(["One ", "ping."])
    first_delta = body.index(b"event: content_block_delta")
    async with app.run_test(size=SIZE) as pilot:
        server.queue_recording(Recording(body[:first_delta] + ping + body[first_delta:]))
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        notes = [row.note for row in chat(app).inspector.rows if row.note]
        assert notes[-1] == "── turn 1 complete: 8 events, 1 ping ──"

    stop = rebuild_raw_event("content_block_stop", '{"type": "content_block_stop", "index": 0}')
    shown = sdk_object_text(stop)
    assert shown.count(type(stop).__name__) == 1
    assert "Closes block `index`: it is complete" not in explain("content_block_stop")


async def test_inspector_lists_a_streaming_turn_a_row_per_batch_then_every_row() -> None:
    app, _server = demo_app(pace=0.5)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("f2")
        inspector = screen.inspector
        await type_prompt(pilot, "long")
        while not inspector.turns:
            await pilot.pause(0.01)
        async with asyncio.timeout(20):
            while inspector.turns and sum(next(iter(inspector.turns.values())).counts.values()) < 120:
                await pilot.pause(0.05)
        assert screen.streaming
        deltas = sum(1 for row in inspector.rows if row.name == "content_block_delta")
        listed = [inspector.rows[i] for i in inspector.listed]
        assert sum(1 for row in listed if row.name == "content_block_delta") < deltas / 3
        heads = [i for i in inspector.listed if i in inspector._runs]
        assert heads and "×" in inspector._run_payload(heads[-1], 80)
        inspector.pause()  # the user looks at single rows: every event is listed
        every = [i for i, row in enumerate(inspector.rows) if inspector._accepts(row)]
        assert list(inspector.listed) == every
        inspector.follow()
        await wait_for_turn_end(pilot)
        assert list(inspector.listed) == [i for i, row in enumerate(inspector.rows) if inspector._accepts(row)]
        assert int(inspector.scroll_y) == inspector.max_scroll_y
