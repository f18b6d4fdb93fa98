"""`ChatStream`, the UI's stream: how it coalesces what it posts, where its messages go, and paced reads."""

from __future__ import annotations

import pytest
from textual.message import Message

from tests.support.app import SIZE, demo_app, last, screen_text, type_prompt, until, wait_for_turn_end
from tests.support.sse import one_block_stream
from tui_chat.chat_stream import ChatStream
from tui_chat.demo.server import Recording
from tui_chat.messages import (
    BlockCompleted,
    BlockStarted,
    BlockText,
    MetricsUpdated,
    StreamBatch,
    TurnEnded,
    TurnStarted,
    WireEventsArrived,
)
from tui_chat.preferences import Preferences
from tui_chat.screens.chat import ChatScreen
from tui_chat.session.conversation import Turn
from tui_chat.stream.wire import WireEvent


async def test_paced_reads_are_a_remembered_choice_shown_with_the_turns_they_paced() -> None:
    """The "paced_reads" preference (palette): a flowing answer is read in 50 ms bursts, and that turn's
    inspector status, tok/s and inter-token label say so (saved with it); off again, the next turn is
    read frame by frame."""
    from itertools import pairwise

    from tui_chat.demo.bench_content import bench_prompt

    prompt = bench_prompt("prose", 80, rate=200)  # real pauses below: 200 tokens a second, 5 ms apart

    def pauses(turn: Turn) -> int:
        """Gaps between deltas much longer than the server's 5 ms: where the reads paused."""
        return sum(later - earlier > 0.03 for earlier, later in pairwise(turn.metrics.delta_times))

    app, _ = demo_app(pace=1.0)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("f2")
        screen.action_toggle_paced_reads()
        await pilot.pause(0.1)
        assert Preferences.load().paced_reads is True
        await type_prompt(pilot, prompt)
        await wait_for_turn_end(pilot)
        paced = screen.conversation.turns[-1]
        assert paced.metrics.read_pace == 0.05
        assert 4 <= pauses(paced) <= 15  # 0.4 s of deltas in 50 ms bursts: about 7 pauses (unpaced: none)
        shown = screen_text(app)
        assert "read every 50 ms" in shown and "tok/s ≈" in shown
        await pilot.press("f2")  # the inspector closed, the metrics have room for the inter-token sparkline
        await pilot.pause(0.2)
        label = screen.metrics._spark_label
        assert label.display and label.content.plain.startswith("inter-token ms · paced\np50 ")
        assert "inter-token ms · paced" in screen_text(app)  # drawn whole, in its own row
    app, _ = demo_app(pace=1.0)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        assert screen.preferences.paced_reads
        screen.action_toggle_paced_reads()
        await pilot.pause(0.1)
        assert Preferences.load().paced_reads is False
        await pilot.press("f2")
        await type_prompt(pilot, prompt)
        await wait_for_turn_end(pilot)
        exact = screen.conversation.turns[-1]
        assert exact.metrics.read_pace == 0 and pauses(exact) < 4
        shown = screen_text(app)
        assert "read every" not in shown and "tok/s ≈" not in shown


class Batches:
    """Every `StreamBatch` the screen applies, in order: the messages in each (the app's `message_hook`)."""

    def __init__(self) -> None:
        self.batches: list[list[Message]] = []
        self._seen: list[StreamBatch] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, StreamBatch) and not any(message is seen for seen in self._seen):
            self._seen.append(message)  # (once: whether it bubbles is another test's)
            self.batches.append([delivered for _target, delivered in message.deliveries])

    def messages(self) -> list[Message]:
        return [message for batch in self.batches for message in batch]

    def texts(self) -> list[BlockText]:
        return [message for message in self.messages() if isinstance(message, BlockText)]


async def test_text_waits_for_the_next_flush_but_a_block_boundary_and_the_end_flush_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no flush due for ten minutes, a thinking block and a text block (many deltas each) still reach
    the widgets whole and in order: a block's start, its text, its completion, then the next block; what
    was pending goes out before each boundary. Every batch ends with the metrics, after the frames and the
    text it carries, and every frame reaches the inspector once, in order."""
    monkeypatch.setattr(ChatStream, "FLUSH_INTERVAL", 600.0)
    seen = Batches()
    app, _server = demo_app()
    async with app.run_test(size=SIZE, message_hook=seen) as pilot:
        await type_prompt(pilot, "think about it")
        await wait_for_turn_end(pilot)
        turn = last(app)
    assert turn.wire is not None and [block.kind for block in turn.blocks] == ["thinking", "text"]
    deltas = [event for event in turn.wire.events if event.event == "content_block_delta"]
    assert len(deltas) > 20

    order = [
        (type(message).__name__, getattr(message, "index", getattr(getattr(message, "block", None), "index", None)))
        for message in seen.messages()
        if isinstance(message, BlockStarted | BlockText | BlockCompleted)
    ]
    for block in turn.blocks:
        mine = [name for name, index in order if index == block.index]
        assert mine[0] == "BlockStarted" and mine[-1] == "BlockCompleted" and set(mine[1:-1]) == {"BlockText"}
        assert "".join(m.text for m in seen.texts() if m.index == block.index) == block.text
        assert len(mine) - 2 <= 2  # the deltas went out together: the first token at once, the rest at the stop
    assert [index for _, index in order] == sorted(index for _, index in order)  # block 0 done before block 1

    for batch in seen.batches:
        assert isinstance(batch[-1], MetricsUpdated) and sum(isinstance(m, MetricsUpdated) for m in batch) == 1
        kinds = [type(m) for m in batch if isinstance(m, WireEventsArrived | BlockText)]
        assert kinds == sorted(kinds, key=lambda kind: kind is BlockText)  # the frames, then the text
    frames = [
        e for m in seen.messages() if isinstance(m, WireEventsArrived) for e in m.events if isinstance(e, WireEvent)
    ]
    assert [frame.index for frame in frames] == [event.index for event in turn.wire.events]
    assert isinstance(seen.messages()[-2], TurnEnded)  # the end, with the last metrics


async def test_the_first_token_goes_out_at_once_and_the_next_ones_wait_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Frame by frame (the server sends one when told): the first delta is on screen at once, though no flush
    is due; the deltas after it are read (the turn has them) but wait, and go out as one piece of text when
    the block stops."""
    monkeypatch.setattr(ChatStream, "FLUSH_INTERVAL", 600.0)
    seen = Batches()
    app, server = demo_app()
    server.queue_recording(Recording(one_block_stream(["one ", "two ", "three ", "four"]), step=True))
    async with app.run_test(size=SIZE, message_hook=seen) as pilot:
        await type_prompt(pilot, "hello")
        await until(pilot, lambda: app.backend.demo is not None)
        demo = app.backend.demo
        assert demo is not None
        demo.call(server.grant_steps, 2)  # message_start, content_block_start
        await until(pilot, lambda: any(isinstance(m, BlockStarted) for m in seen.messages()))
        demo.call(server.grant_steps, 1)  # the first delta
        await until(pilot, lambda: bool(seen.texts()))
        assert [m.text for m in seen.texts()] == ["one "]

        demo.call(server.grant_steps, 3)  # three more deltas
        await until(pilot, lambda: last(app).blocks[0].text == "one two three four")
        await pilot.pause(0.5)
        assert [m.text for m in seen.texts()] == ["one "]  # read, not yet posted

        demo.call(server.grant_steps, 1)  # content_block_stop
        await until(pilot, lambda: len(seen.texts()) == 2)
        assert [m.text for m in seen.texts()] == ["one ", "two three four"]
        demo.call(server.grant_steps, 10)
        await wait_for_turn_end(pilot)
    completed = [i for i, m in enumerate(seen.messages()) if isinstance(m, BlockCompleted)]
    assert completed and seen.messages().index(seen.texts()[-1]) < completed[0]


async def test_a_flowing_answer_goes_out_a_batch_per_flush_interval() -> None:
    """Sixty deltas over about a second and a half: a handful of batches while the text flows (one piece of
    text each), not one per delta, and all of the text."""
    seen = Batches()
    app, server = demo_app(pace=1.0)  # (the recording's delays are scaled by the pace)
    pieces = [f"word{n} " for n in range(60)]
    body = one_block_stream(pieces)
    frames = body.count(b"\n\n")
    server.queue_recording(Recording(body, delays=[0.0, 0.0, *([0.025] * (frames - 2))]))
    async with app.run_test(size=SIZE, message_hook=seen) as pilot:
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot)
    texts = seen.texts()
    assert "".join(m.text for m in texts) == "".join(pieces)
    flows = [batch for batch in seen.batches if any(isinstance(m, BlockText) for m in batch)]
    assert all(sum(isinstance(m, BlockText) for m in batch) == 1 for batch in flows)
    # At most one batch per FLUSH_INTERVAL (0.2 s) over ~1.5 s, besides the first token and the block's
    # stop; at least a few while the text flows (not all of it at the end).
    assert 3 <= len(flows) <= 12 < len(pieces)


async def test_the_streams_messages_stop_where_they_are_posted() -> None:
    """A batch is applied by the screen and goes no further, and a turn's start and end stop at the panes they
    are posted to: bubbling, each would be dispatched again by every container up to the app."""
    dispatched: list[Message] = []  # (kept: the identities below stay unique)

    def hook(message: Message) -> None:
        if isinstance(message, StreamBatch | TurnStarted | TurnEnded):
            dispatched.append(message)

    app, _server = demo_app()
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot)
    assert sum(isinstance(message, StreamBatch) for message in dispatched) >= 2
    assert sum(isinstance(message, TurnStarted) for message in dispatched) == 2  # the inspector's, the metrics'
    assert len({id(message) for message in dispatched}) == len(dispatched)  # each dispatched once
