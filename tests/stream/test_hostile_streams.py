"""Streams a hostile or broken server sends, through the real SDK over loopback (`tests/support/hostile_streams.py`):
each ends the turn in a known state, keeps what arrived, and says in words what the server did."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.support.hostile_streams import (
    MESSAGE_STOP,
    PING,
    Hostile,
    answer,
    block_start,
    block_stop,
    hostile_server,
    message_delta,
    message_start,
    text_delta,
)
from tui_chat.session.conversation import Conversation, Turn, TurnStatus
from tui_chat.session.recorder import TurnRecorder
from tui_chat.stream.types import Outcome


async def record(script: Hostile, **client_options: Any) -> tuple[Outcome, Turn, float]:
    """Stream `script` into a new turn; return the outcome, the turn and the seconds it took."""
    async with hostile_server() as server:
        server.queue(script)
        client = server.client(**client_options)
        conversation = Conversation(model="claude-hostile")
        conversation.add_user("hello")
        turn = conversation.start_assistant()
        started = time.perf_counter()
        try:
            async with asyncio.timeout(20):
                outcome = await TurnRecorder(client, conversation, turn).run()
        finally:
            await client.close()
        return outcome, turn, time.perf_counter() - started


# ------------------------------------------------------------------------- 14: message_stop ends it
async def test_message_stop_ends_the_turn_while_the_server_keeps_the_connection_open() -> None:
    outcome, turn, seconds = await record(Hostile(answer("All ", "there."), ending="hold"), timeout=3.0)
    assert outcome is Outcome.COMPLETE
    assert turn.status is TurnStatus.COMPLETE and turn.error is None
    assert turn.answer_text == "All there."
    assert seconds < 2.5  # not the read timeout (3 s): the turn ended at message_stop


async def test_frames_after_message_stop_are_not_read() -> None:
    late = text_delta(" and more")
    outcome, turn, _ = await record(Hostile([*answer("Done."), late], ending="hold"), timeout=3.0)
    assert outcome is Outcome.COMPLETE
    assert turn.answer_text == "Done."
    assert turn.wire is not None and turn.wire.events[-1].event == "message_stop"


# -------------------------------------------------------------- 15: the SDK's accumulator and order
async def test_message_start_without_usage_completes_with_its_answer() -> None:
    outcome, turn, _ = await record(Hostile(answer("Kept ", "whole.", usage=None)))
    assert outcome is Outcome.COMPLETE, turn.error
    assert turn.status is TurnStatus.COMPLETE and turn.error is None
    assert turn.answer_text == "Kept whole."
    assert turn.metrics.output_tokens == 5  # from message_delta
    assert turn.metrics.input_tokens is None  # never sent: not made up


async def test_a_delta_for_a_block_that_never_started_is_said_in_words() -> None:
    parts = [message_start(), block_start(0), text_delta("Before. "), text_delta("lost", index=3), MESSAGE_STOP]
    outcome, turn, _ = await record(Hostile(parts))
    assert outcome is Outcome.ERROR
    assert turn.status is TurnStatus.FAILED and turn.error is not None
    assert turn.answer_text == "Before. "  # what arrived is kept
    summary = turn.error.summary
    assert "content_block_delta" in summary and "block 3" in summary and "never started" in summary
    assert "IndexError" not in summary and "list index" not in summary
    assert turn.error.kind == "events out of order"


async def test_events_before_message_start_are_said_in_words() -> None:
    parts = [block_start(0), text_delta("Early."), message_start(), block_stop(0), message_delta(), MESSAGE_STOP]
    outcome, turn, _ = await record(Hostile(parts))
    assert outcome is Outcome.ERROR
    assert turn.error is not None
    assert "content_block_start" in turn.error.summary and "before message_start" in turn.error.summary
    assert "RuntimeError" not in turn.error.summary


async def test_a_stream_without_message_start_is_not_a_complete_empty_answer() -> None:
    parts = [PING, message_delta(), MESSAGE_STOP]
    outcome, turn, _ = await record(Hostile(parts))
    assert outcome is not Outcome.COMPLETE
    assert turn.status is not TurnStatus.COMPLETE
    assert turn.error is not None and "message_start" in turn.error.summary


async def test_a_negative_block_index_is_not_read_from_the_end() -> None:
    parts = [message_start(), block_start(0), text_delta("One."), text_delta("Two.", index=-1), MESSAGE_STOP]
    outcome, turn, _ = await record(Hostile(parts))
    assert outcome is Outcome.ERROR and turn.error is not None
    assert "block -1" in turn.error.summary
    assert turn.answer_text == "One."


# ------------------------------------------------------------------------ 12: huge events and lines
async def test_an_event_over_the_ceiling_ends_the_turn_and_keeps_the_answer() -> None:
    from tui_chat.stream.wire import MAX_EVENT_BYTES

    huge = text_delta("y" * (MAX_EVENT_BYTES + 1000))
    parts = [message_start(), block_start(0), text_delta("Kept. "), *split(huge, 1 << 16)]
    outcome, turn, _ = await record(Hostile(parts))
    assert outcome is Outcome.ERROR and turn.error is not None
    assert turn.error.kind == "event too large" and "MB" in turn.error.summary
    assert turn.answer_text == "Kept. "
    assert turn.wire is not None and all(len(event.raw) < MAX_EVENT_BYTES for event in turn.wire.events)


def split(data: bytes, size: int) -> list[bytes | float]:
    return [data[start : start + size] for start in range(0, len(data), size)]


async def test_a_ten_megabyte_error_body_is_cut_in_what_is_shown() -> None:
    import json

    body = json.dumps({"type": "error", "error": {"type": "invalid_request_error", "message": "z" * 10_000_000}})
    outcome, turn, _ = await record(Hostile([body.encode()], status=400, headers={"content-type": "application/json"}))
    assert outcome is Outcome.ERROR and turn.error is not None
    assert turn.error.status == 400
    assert len(turn.error.summary) < 3_000
    assert "9,998,032 more characters not shown" in turn.error.summary  # (the summary starts "HTTP 400 …: ")


def test_the_framer_refuses_a_frame_past_its_ceiling_without_holding_it() -> None:
    import pytest

    from tui_chat.stream.wire import FrameTooLargeError, SSEFramer

    framer = SSEFramer(max_frame_bytes=1000)
    assert framer.feed(b"event: a\ndata: 1\n\n") == [b"event: a\ndata: 1\n\n"]
    framer.feed(b"event: b\ndata: " + b"x" * 900)
    with pytest.raises(FrameTooLargeError) as raised:
        framer.feed(b"x" * 200)
    assert raised.value.size > 1000 and raised.value.limit == 1000
    with pytest.raises(FrameTooLargeError):  # a whole frame in one chunk, too
        SSEFramer(max_frame_bytes=100).feed(b"data: " + b"x" * 200 + b"\n\n")
    assert SSEFramer().feed(b"data: " + b"x" * 5000 + b"\n\n")  # no ceiling unless one is given


async def test_a_huge_block_is_accumulated_in_linear_time_and_whole() -> None:
    """Past EXACT_SNAPSHOT_CHARACTERS the snapshot grows in steps (each delta copied the whole text: 20 MB in
    small deltas took minutes); every delta still arrives, and the message is whole at the end."""
    from tui_chat.stream.event_stream import EXACT_SNAPSHOT_CHARACTERS, EventStream

    pieces = [f"{n:099d}\n" for n in range(EXACT_SNAPSHOT_CHARACTERS // 50)]  # 2× the threshold, 100 characters each
    body = b"".join([message_start(), block_start(0), *(text_delta(p) for p in pieces), block_stop(0)])
    body += message_delta() + MESSAGE_STOP

    class Texts(EventStream):
        deltas: list[str]
        lengths: list[tuple[int, int]]

        async def on_text(self, text: str, snapshot: str) -> None:
            self.deltas.append(text)
            self.lengths.append((len(snapshot), self.snapshot_length(0)))

    async with hostile_server() as server:
        server.queue(Hostile([body[i : i + (1 << 16)] for i in range(0, len(body), 1 << 16)]))
        client = server.client()
        stream = Texts(client, model="m", max_tokens=10, messages=[{"role": "user", "content": "x"}])
        stream.deltas, stream.lengths = [], []
        assert await stream.run() is Outcome.COMPLETE
        message = await stream.get_final_message()
        await client.close()
    whole = "".join(pieces)
    assert "".join(stream.deltas) == whole
    assert message.content[0].text == whole
    exact = [length for _, length in stream.lengths]
    assert exact == [100 * (n + 1) for n in range(len(pieces))]
    assert all(shown <= length and shown >= length * 0.8 - 10 for shown, length in stream.lengths)
    assert any(shown < length for shown, length in stream.lengths)  # (it does lag: the steps are in use)

    conversation = Conversation(model="m")
    conversation.add_user("x")
    turn = conversation.start_assistant()
    async with hostile_server() as server:
        server.queue(Hostile([body]))
        client = server.client()
        assert await TurnRecorder(client, conversation, turn).run() is Outcome.COMPLETE
        await client.close()
    assert turn.answer_text == whole
