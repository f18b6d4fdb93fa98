"""Streams a hostile or broken server sends, through the real SDK over loopback (`tests/hostile_streams.py`):
each ends the turn in a known state, keeps what arrived, and says in words what the server did."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.hostile_streams import (
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
from tui_chat.session.model import Conversation, Turn, TurnStatus
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
