"""Every recorded stream, served byte for byte over loopback HTTP, through the real SDK.

For each fixture: the handlers fire in wire order (pings and errors included), `on_end` fires once
and last, the wire record holds the exact bytes, and the accumulated message equals what the
SDK's own `messages.stream()` accumulates from the same bytes.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from anthropic import AsyncAnthropic

from tests.support.sse import REQUEST, SSE_FIXTURES, fixture_bytes, sdk_reference
from tui_chat.demo.server import DemoServer, Recording
from tui_chat.stream.event_stream import EventStream
from tui_chat.stream.types import Outcome
from tui_chat.stream.wire import parse_frame, split_recording


class CallLog(EventStream):
    """Records every handler call as (handler, detail)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[tuple[str, Any]] = []

    async def on_connect(self) -> None:
        self.calls.append(("connect", self.record.status))

    async def on_wire_event(self, wire: Any) -> None:
        self.calls.append(("wire", wire.event))

    async def on_stream_event(self, event: Any) -> None:
        self.calls.append(("stream_event", event.type))

    async def on_helper_event(self, event: Any) -> None:
        self.calls.append(("helper", event.type))

    async def on_text(self, text: str, snapshot: str) -> None:
        self.calls.append(("text", (text, snapshot)))

    async def on_thinking(self, thinking: str, snapshot: str) -> None:
        self.calls.append(("thinking", (thinking, snapshot)))

    async def on_input_json(self, partial_json: str, snapshot: object) -> None:
        self.calls.append(("input_json", partial_json))

    async def on_citation(self, citation: Any, snapshot: Any) -> None:
        self.calls.append(("citation", citation.type))

    async def on_signature(self, signature: str) -> None:
        self.calls.append(("signature", signature))

    async def on_content_block(self, content_block: Any) -> None:
        self.calls.append(("content_block", content_block.type))

    async def on_message(self, message: Any) -> None:
        self.calls.append(("message", message.stop_reason))

    async def on_exception(self, exception: BaseException) -> None:
        self.calls.append(("exception", type(exception).__name__))

    async def on_timeout(self) -> None:
        self.calls.append(("timeout", None))

    async def on_end(self) -> None:
        self.calls.append(("end", None))

    def names(self, handler: str) -> list[Any]:
        return [detail for name, detail in self.calls if name == handler]


def frame_names(body: bytes) -> list[str | None]:
    return [parse_frame(frame).event for frame in split_recording(body)]


@pytest.mark.parametrize("chunk_size", [None, 7], ids=["frames", "7-byte-writes"])
@pytest.mark.parametrize("path", SSE_FIXTURES, ids=[p.stem for p in SSE_FIXTURES])
async def test_fixture_through_real_sdk(
    path: Any, chunk_size: int | None, demo_server: DemoServer, client: AsyncAnthropic
) -> None:
    body = path.read_bytes()
    demo_server.queue_recording(Recording(body, chunk_size=chunk_size))
    reference_error, reference_snapshot = await sdk_reference(client)

    demo_server.queue_recording(Recording(body, chunk_size=chunk_size))
    stream = CallLog(client, **REQUEST)
    outcome = await stream.run()

    # The wire record is the body, byte for byte, and every frame was reported in order.
    assert stream.record.sse_bytes() == body
    names = frame_names(body)
    assert stream.names("wire") == names
    assert stream.record.status == 200

    # on_stream_event saw every named frame, pings and errors included (the SDK itself drops pings).
    stream_events = stream.names("stream_event")
    assert stream_events.count("ping") == names.count("ping")
    assert [n for n in names if n] == stream_events

    # on_end exactly once, last; on_connect first.
    assert stream.calls[0] == ("connect", 200)
    assert stream.calls[-1] == ("end", None)
    assert stream.names("end") == [None]

    # Each frame's handlers run right after its on_wire_event, before the next frame.
    order = [name for name, _ in stream.calls if name in ("wire", "stream_event")]
    for position in range(0, len(order) - 1):
        if order[position] == "stream_event":
            assert order[position - 1] == "wire"

    # Same accumulation, same failure, as the SDK's own helper over the same bytes.
    ours = stream.snapshot.to_dict(warnings=False) if stream.snapshot is not None else None
    assert ours == reference_snapshot
    if reference_error is None:
        assert outcome in (Outcome.COMPLETE, Outcome.INCOMPLETE)
    else:
        assert outcome is Outcome.ERROR
        assert stream.names("exception") == [reference_error]

    # Handler counts follow the frames.
    assert len(stream.names("message")) == (1 if "message_stop" in names and reference_error is None else 0)
    if outcome is Outcome.COMPLETE:
        assert len(stream.names("content_block")) == names.count("content_block_stop")
    if "message_stop" not in names and reference_error is None:
        assert outcome is Outcome.INCOMPLETE
        assert stream.names("exception") == ["IncompleteStreamError"]


async def test_text_handler_gets_delta_and_snapshot(demo_server: DemoServer, client: AsyncAnthropic) -> None:

    demo_server.queue_recording(fixture_bytes("sdk-basic-text.sse"))
    stream = CallLog(client, **REQUEST)
    assert await stream.run() is Outcome.COMPLETE
    texts = stream.names("text")
    assert [t for t, _ in texts] == ["Hello", " there", "!"]
    assert [s for _, s in texts] == ["Hello", "Hello there", "Hello there!"]
    # The tutorial's order: the wire event, then the helper synthesized from it.
    first_text = stream.calls.index(("text", texts[0]))
    assert stream.calls[first_text - 2 : first_text] == [
        ("stream_event", "content_block_delta"),
        ("helper", "text"),
    ]


async def test_thinking_signature_and_pings(demo_server: DemoServer, client: AsyncAnthropic) -> None:

    demo_server.queue_recording(Recording(fixture_bytes("hw-thinking-signature-pings.sse"), chunk_size=5))
    stream = CallLog(client, **REQUEST)
    assert await stream.run() is Outcome.COMPLETE
    assert stream.names("stream_event").count("ping") == 3
    thinking = "".join(t for t, _ in stream.names("thinking"))
    assert "≈" in thinking
    assert len(stream.names("signature")) == 1
    assert stream.names("content_block") == ["thinking", "text"]
    assert stream.names("message") == ["end_turn"]


async def test_error_event_midstream(demo_server: DemoServer, client: AsyncAnthropic) -> None:

    demo_server.queue_recording(fixture_bytes("hw-error-midstream-overloaded.sse"))
    stream = CallLog(client, **REQUEST)
    assert await stream.run() is Outcome.ERROR
    assert stream.names("stream_event")[-1] == "error"
    assert stream.names("exception") == ["APIStatusError"]
    assert stream.snapshot is not None
    assert stream.snapshot.content[0].text  # the partial answer is kept
    assert stream.snapshot.stop_reason is None
    assert stream.calls[-1] == ("end", None)


async def test_tool_json_fragments(demo_server: DemoServer, client: AsyncAnthropic) -> None:

    demo_server.queue_recording(fixture_bytes("hw-redacted_thinking-tool_use.sse"))
    stream = CallLog(client, **REQUEST)
    assert await stream.run() is Outcome.COMPLETE
    fragments = stream.names("input_json")
    assert len(fragments) > 3
    tool = stream.snapshot.content[-1]
    assert tool.type == "tool_use"
    import json

    assert json.loads("".join(fragments)) == tool.input
    assert stream.names("content_block")[0] == "redacted_thinking"


async def test_usable_as_the_sdk_helper(demo_server: DemoServer, client: AsyncAnthropic) -> None:
    """`async with` + `get_final_message()` fires the handlers, like the tutorial's `event_handler=`."""

    demo_server.queue_recording(fixture_bytes("sdk-basic-text.sse"))
    async with CallLog(client, **REQUEST) as stream:
        message = await stream.get_final_message()
    assert message.content[0].text == "Hello there!"
    assert stream.calls[-1] == ("end", None)
    assert stream.names("text")


@pytest.mark.parametrize("path", SSE_FIXTURES, ids=[p.stem for p in SSE_FIXTURES])
async def test_same_event_objects_as_the_sdk(path: Any, demo_server: DemoServer, client: AsyncAnthropic) -> None:
    """Iterating the stream yields exactly the objects the SDK's own `messages.stream()` yields: same
    classes, same fields (extra fields too), helper events included, and the same failure.

    The SDK's own fixture files end without the last blank line; the SDK then drops that frame
    (message_stop) and claude-tui reads it. Terminated here, so both see every frame."""
    body = path.read_bytes().rstrip(b"\n") + b"\n\n"

    async def collect(stream: Any) -> tuple[list[Any], str | None]:
        events: list[Any] = []
        try:
            async for event in stream:
                events.append(event)
        except Exception as error:
            return events, type(error).__name__
        return events, None

    demo_server.queue_recording(Recording(body))
    async with client.messages.stream(**REQUEST) as reference:
        expected, expected_error = await collect(reference)
    demo_server.queue_recording(Recording(body))
    ours, error = await collect(EventStream(client, **REQUEST))

    assert error == expected_error
    assert [type(event) for event in ours] == [type(event) for event in expected]
    assert ours == expected
    assert [event.to_dict(warnings=False) for event in ours] == [event.to_dict(warnings=False) for event in expected]


@pytest.mark.parametrize("cut", [False, True], ids=["whole", "cut-before-message_delta"])
async def test_the_sdks_tracing_sees_the_same_stream(cut: bool, demo_server: DemoServer) -> None:
    """With the SDK's OpenTelemetry tracing on, the span of a call read by `EventStream` ends as the SDK's own
    helper leaves it: OK with its usage and time to first chunk, or failed when the stream was cut short."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    client = AsyncAnthropic(
        api_key="test-key",
        base_url=demo_server.base_url,
        max_retries=0,
        open_telemetry={"tracer_provider": provider, "traces": True},
    )
    body = fixture_bytes("sdk-basic-text.sse").rstrip(b"\n") + b"\n\n"
    if cut:
        body = body[: body.index(b"event: message_delta")]

    async def span_of(read: Any) -> Any:
        exporter.clear()
        demo_server.queue_recording(Recording(body))
        await read()
        (span,) = exporter.get_finished_spans()
        return span.status.status_code, sorted(span.attributes or {})

    async def sdk() -> None:
        async with client.messages.stream(**REQUEST) as stream:
            await stream.until_done()

    async def ours() -> None:
        await EventStream(client, **REQUEST).run()

    expected, got = await span_of(sdk), await span_of(ours)
    assert got == expected
    assert "gen_ai.response.time_to_first_chunk" in got[1]
    await client.close()


async def test_a_paced_stream_reads_frames_together_and_loses_none() -> None:
    """`read_pace`: a flowing answer's frames wait in the socket and are read together; every frame, byte
    for byte, still reaches the handlers in order, and nothing before the first delta waits."""
    from tui_chat.demo.bench_content import bench_prompt, bench_text

    server = DemoServer(pace=1.0)  # real pauses: 200 tokens a second, 5 ms apart
    await server.start()
    sdk = AsyncAnthropic(api_key="test-key-0123456789", base_url=server.base_url, max_retries=0)
    request = {**REQUEST, "messages": [{"role": "user", "content": bench_prompt("prose", 80, rate=200)}]}
    try:
        exact = CallLog(sdk, **request)
        paced = CallLog(sdk, **request)
        paced.read_pace = 0.05
        assert await exact.run() is Outcome.COMPLETE
        assert await paced.run() is Outcome.COMPLETE
    finally:
        await sdk.close()
        await server.stop()
    expected = bench_text("prose", 80)
    for stream in (exact, paced):
        assert "".join(text for text, _ in stream.names("text")) == expected
        assert [wire.index for wire in stream.record.events] == list(range(len(stream.record.events)))
    assert [call for call in paced.calls if call[0] != "connect"] == [
        call for call in exact.calls if call[0] != "connect"
    ]
    deltas = [wire for wire in paced.record.events if wire.event == "content_block_delta"]
    times = [wire.at for wire in deltas]
    pauses = sum(later - earlier > 0.03 for earlier, later in itertools.pairwise(times))
    # 0.4 s of deltas, 5 ms apart, read in bursts 50 ms apart: about 7 pauses between them (exact: none).
    assert 4 <= pauses <= 15, times
    # The first delta never waits (time to first token stays exact): a pause before it would be 50 ms.
    exact_first = next(wire for wire in exact.record.events if wire.event == "content_block_delta")
    assert abs(deltas[0].at - exact_first.at) < 0.035
    assert paced.record.read_pace == 0.05 and exact.record.read_pace == 0


async def test_close_from_another_task_or_a_handler_stops_the_reader_quietly() -> None:
    """`close()` (the tutorial's way to stop) works while another task is reading, and from a handler:
    the reading loop ends without an error, the outcome is CANCELLED, `on_end` runs once."""
    from tui_chat.demo.bench_content import bench_prompt

    class Stopper(CallLog):
        stop_after: int | None = None

        async def on_text(self, text: str, snapshot: str) -> None:
            await super().on_text(text, snapshot)
            if self.stop_after is not None and len(self.names("text")) == self.stop_after:
                await self.close()

    server = DemoServer(pace=1.0)
    await server.start()
    sdk = AsyncAnthropic(api_key="test-key-0123456789", base_url=server.base_url, max_retries=0)
    request = {**REQUEST, "messages": [{"role": "user", "content": bench_prompt("prose", 400, rate=200)}]}
    try:
        reader = Stopper(sdk, **request)
        yielded: list[Any] = []

        async def read() -> None:
            async for event in reader:
                yielded.append(event)

        task = asyncio.create_task(read())
        while len(reader.names("text")) < 10:  # the stream's state: nothing to await
            await asyncio.sleep(0.01)
        await reader.close()
        await asyncio.wait_for(task, 5)  # ends, without an exception
        assert reader.outcome is Outcome.CANCELLED
        assert reader.calls.count(("end", None)) == 1
        assert 10 <= len(reader.names("text")) < 400

        stopper = Stopper(sdk, **request)
        stopper.stop_after = 5
        events = [event async for event in stopper]
        assert stopper.outcome is Outcome.CANCELLED
        assert len(stopper.names("text")) == 5  # nothing is handled after the handler's close
        assert sum(event.type == "text" for event in events) == 4  # the fifth's handler closed it before it was yielded
        assert stopper.calls.count(("end", None)) == 1
    finally:
        await sdk.close()
        await server.stop()
