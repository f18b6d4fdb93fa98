"""`EventStream`: an `AsyncMessageStream` with the tutorial's `on_*` handler API, rebuilt for SDK 2.x.

SDK 0.28 removed `event_handler=` and SDK 2.x drops `ping` frames in its parser. This class builds
its stream from `client.messages.create(stream=True)`, reads the SSE frames itself (so it sees
pings, error events and the exact bytes), turns each into the SDK's own event object, accumulates
the message with the SDK's own `accumulate_event`, and calls the handlers in wire order::

    class Printer(EventStream):
        async def on_stream_event(self, event):  # every wire event, pings and errors included
            print("event:", event.type)
        async def on_text(self, text, snapshot):
            print(text, end="", flush=True)

    async with Printer(client, model=..., max_tokens=..., messages=[...]) as stream:
        message = await stream.get_final_message()

Or `outcome = await stream.run()`, which never raises (except on cancellation) and reports every
failure through `on_exception` instead.

It does what the SDK's `AsyncStream` and `AsyncMessageStream` do for each event, in one loop
instead of three stacked generators, and builds the event objects through `sdk_objects` (the same
objects, several times faster): reading a stream costs less than the SDK's own iteration.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

import anthropic
import httpx2
from anthropic import AsyncAnthropic, AsyncMessageStream, AsyncStream
from anthropic.lib._tracing._streaming import withhold_message_snapshot
from anthropic.lib.streaming import ParsedMessageStreamEvent
from anthropic.lib.streaming._messages import accumulate_event, build_events
from anthropic.types import ContentBlock, Message, RawMessageStreamEvent
from anthropic.types.citations_delta import Citation

from tui_chat.stream import clock
from tui_chat.stream.retry import RetryPolicy
from tui_chat.stream.sdk_objects import raw_event, text_event, thinking_event
from tui_chat.stream.types import Outcome, RetryNotice
from tui_chat.stream.wire import SSEFramer, WireEvent, WireRecord, shown_headers

YIELD_EVERY = 0.004
"""Seconds of frame processing after which the stream yields to the event loop."""

SOCKET_WAIT = 0.002
"""A chunk that took longer than this to come was (most likely) waited for on the socket rather than
already buffered: a paced stream pauses only after those, so what has arrived is read at once. A busy
event loop can make a buffered chunk look waited for; that costs one extra pause, never a frame."""

ENDING_EVENTS = frozenset({"content_block_stop", "message_delta", "message_stop"})
"""After a chunk with one of these a paced stream reads on at once: the end's times stay exact."""

SYNTHESIZED_EVENT_TYPES = frozenset({"text", "thinking", "signature", "input_json", "citation", "compaction"})
"""Events the SDK makes up from a delta (not on the wire)."""


class PingEvent(anthropic.BaseModel):
    """A `ping` frame (the SDK drops these; claude-tui reports them)."""

    type: Literal["ping"]


PING = PingEvent.construct(type="ping")
"""Every ping is the same: one shared object."""


class StreamError(anthropic.BaseModel):
    type: str
    message: str


class ErrorEvent(anthropic.BaseModel):
    """An `error` frame: the stream ends here (the SDK then raises `APIStatusError`)."""

    type: Literal["error"]
    error: StreamError


class IncompleteStreamError(Exception):
    """The body ended without `message_stop`: the answer may be cut short (the SDK raises nothing)."""


if TYPE_CHECKING:
    StreamEvent = ParsedMessageStreamEvent[None] | PingEvent | ErrorEvent
else:
    StreamEvent = Any


class _ClosedByCaller(Exception):
    """`close()` was called from a handler, inside the reading loop."""


class EventStream(AsyncMessageStream[None]):
    """A message stream that calls `on_*` handlers for every wire event, in arrival order.

    Handler order for each frame: `on_wire_event` (exact bytes), `on_stream_event` (the SDK object,
    or `PingEvent`/`ErrorEvent`), then the SDK's synthesized helpers (`on_text`, `on_thinking`,
    `on_input_json`, `on_citation`, `on_signature`, each also passed to `on_helper_event`), and
    `on_content_block` / `on_message` at block and message stop. Failures call `on_timeout` (read or
    connect timeouts) and `on_exception`; `on_end` is called exactly once, last.
    """

    def __init__(
        self,
        client: AsyncAnthropic,
        *,
        retry_policy: RetryPolicy | None = None,
        **params: Any,
    ) -> None:
        # The SDK's `AsyncMessageStream.__init__` needs the raw stream, which exists only once the
        # request has succeeded; it is called then (see `_attach`).
        self._client = client.with_options(max_retries=0)
        self._params: Mapping[str, Any] = params
        self._retry_policy = retry_policy or RetryPolicy()
        self.record = WireRecord()
        self.outcome = Outcome.PENDING
        self.error: BaseException | None = None
        self.started = 0.0
        """`clock.now()` when the first attempt was sent."""
        self._attached = False
        self._snapshot: Any = None
        """The message so far, as the SDK's accumulator builds it (None before `message_start`)."""
        self._json_buffers: dict[int, bytes] = {}
        self._sdk_process: Any = None
        self._message_stopped = False
        self._iterator_impl: AsyncIterator[ParsedMessageStreamEvent[None]] | None = None
        self._closing = False
        self._stream_observer: Any = None
        self.read_pace = 0.0
        """Seconds from one socket read to the next once text flows; 0 (the default) reads every frame
        as it lands. With a pace, frames wait in the socket buffer and are read together: a few wake-ups
        of the event loop per `read_pace` instead of one per token, for frame times up to `read_pace`
        late (recorded in `record.read_pace`). Never before the first delta (time to first token stays
        exact), after a block or the message ends, or while frames are already buffered."""

    # ----------------------------------------------------------------- handlers (override these)
    async def on_connect(self) -> None:
        """The response headers are in (`self.record.status` / `.headers`); the body follows."""

    async def on_retry(self, notice: RetryNotice) -> None:
        """An attempt failed before streaming and will be retried after `notice.wait` seconds."""

    async def on_wire_event(self, wire: WireEvent) -> None:
        """A frame arrived: its exact bytes and arrival time (including frames the SDK ignores)."""

    async def on_stream_event(self, event: StreamEvent) -> None:
        """Every wire event as an object, including `ping` and `error`."""

    async def on_helper_event(self, event: StreamEvent) -> None:
        """An event the SDK synthesized from a delta (`text`, `thinking`, `input_json`, ...)."""

    async def on_text(self, text: str, snapshot: str) -> None:
        """A text delta, and the block's text so far."""

    async def on_thinking(self, thinking: str, snapshot: str) -> None:
        """A thinking delta, and the block's thinking so far."""

    async def on_signature(self, signature: str) -> None:
        """A thinking block's signature arrived."""

    async def on_input_json(self, partial_json: str, snapshot: object) -> None:
        """A tool-input JSON fragment, and the input parsed so far (partial)."""

    async def on_citation(self, citation: Citation, snapshot: list[Citation]) -> None:
        """A citation was added to a text block; `snapshot` is all of that block's citations."""

    async def on_content_block(self, content_block: ContentBlock) -> None:
        """A content block is complete (`content_block_stop`)."""

    async def on_message(self, message: Message) -> None:
        """The message is complete (`message_stop`)."""

    async def on_exception(self, exception: BaseException) -> None:
        """Something failed: an API error, an `error` event, a transport error, a bad frame."""

    async def on_timeout(self) -> None:
        """The request or the stream timed out (followed by `on_exception`)."""

    async def on_end(self) -> None:
        """The last call, exactly once, however the stream ended."""

    # ----------------------------------------------------------------------------- running it
    async def run(self) -> Outcome:
        """Stream to the end, calling the handlers. Never raises, except `CancelledError`."""
        try:
            async for _ in self:
                pass
        except asyncio.CancelledError:
            raise
        except Exception:  # already reported through on_exception
            pass
        return self.outcome

    def __aiter__(self) -> AsyncIterator[ParsedMessageStreamEvent[None]]:
        if self._iterator_impl is None:
            self._iterator_impl = self._events()
        return self._iterator_impl

    async def __anext__(self) -> ParsedMessageStreamEvent[None]:
        return await self.__aiter__().__anext__()

    async def __aenter__(self) -> EventStream:
        return self

    async def close(self) -> None:
        """Stop reading and release the connection, from the reading task or another one (the reader's
        loop then ends quietly, outcome CANCELLED). Handlers still end with `on_end`."""
        self._closing = True
        iterator = self._iterator_impl
        if iterator is not None and hasattr(iterator, "aclose") and not getattr(iterator, "ag_running", False):
            await iterator.aclose()
        if self._attached:
            await super().close()  # (while another task reads, this ends its read)

    @property
    def request_id(self) -> str | None:
        return self.record.request_id

    @property
    def params(self) -> dict[str, Any]:
        """The `messages.create` parameters this stream sends (a copy)."""
        return dict(self._params)

    @property
    def snapshot(self) -> Message | None:
        """The message accumulated so far (None before `message_start`)."""
        snapshot: Message | None = self._snapshot
        return snapshot

    @property
    def current_message_snapshot(self) -> Any:
        assert self._snapshot is not None
        return self._snapshot

    def _current_snapshot_or_none(self) -> Any:
        return self._snapshot

    async def get_final_message(self) -> Any:
        """Stream to the end (calling the handlers) and return the accumulated message."""
        await self.until_done()
        assert self._snapshot is not None
        return self._snapshot

    @property
    def message_stopped(self) -> bool:
        return self._message_stopped

    async def _events(self) -> AsyncIterator[ParsedMessageStreamEvent[None]]:
        self.started = clock.now()
        pace = self.record.read_pace = self.read_pace
        try:
            raw_stream = await self._open()
            self._attach(raw_stream)
            await self.on_connect()
            framer = SSEFramer()
            index = 0
            now, started = clock.now, self.started
            yielded = time.perf_counter()
            # The SDK's tracing of the call (OpenTelemetry), when it is set up; looked up once per response.
            observer = self._stream_observer = self._observer
            if observer is not None:
                observer.begin()
            flowing = False  # a delta has arrived: reads may be paced from now on
            asked = time.perf_counter()  # when the loop asked the transport for the next chunk
            try:
                async for chunk in raw_stream.response.aiter_bytes():
                    arrived = time.perf_counter()
                    waited = arrived - asked  # (a chunk that ends no frame leaves `asked` as it was)
                    frames = framer.feed(chunk)
                    if not frames:
                        continue
                    at = now() - started
                    ending = False
                    for raw in frames:
                        wire = WireEvent.from_frame(index, at, raw)
                        flowing = flowing or wire.event == "content_block_delta"
                        ending = ending or wire.event in ENDING_EVENTS
                        for event in await self._frame(wire):
                            await self._dispatch(event)
                            if self._closing:  # a handler closed the stream: nothing more is read or yielded
                                raise _ClosedByCaller
                            yield event
                        index += 1
                        if time.perf_counter() - yielded > YIELD_EVERY:
                            # A fast stream delivers hundreds of frames per read; let the UI breathe between them.
                            await asyncio.sleep(0)
                            yielded = time.perf_counter()
                    if pace > 0 and flowing and not ending and waited > SOCKET_WAIT:
                        # The transport had nothing buffered: let the next frames gather in the socket.
                        pause = arrived + pace - time.perf_counter()
                        if pause > 0:
                            await asyncio.sleep(pause)
                    asked = time.perf_counter()
                rest = framer.flush()
                if rest is not None and rest.strip():
                    for event in await self._frame(WireEvent.from_frame(index, now() - started, rest)):
                        await self._dispatch(event)
                        yield event
            except Exception as error:
                if observer is not None and not self._closing:  # (`close()` ended it as "closed")
                    observer.end("failed", error)
                raise
            if observer is not None:
                observer.end("read")
            if self._message_stopped:
                self.outcome = Outcome.COMPLETE
            else:
                self.outcome = Outcome.INCOMPLETE
                self.error = IncompleteStreamError("the stream ended without message_stop")
                await self.on_exception(self.error)
        except asyncio.CancelledError:
            self.outcome = Outcome.CANCELLED
            raise
        except GeneratorExit:
            if self.outcome is Outcome.PENDING:
                self.outcome = Outcome.CANCELLED
            raise
        except (httpx2.TimeoutException, anthropic.APITimeoutError) as exc:
            if self._closed_by_caller():
                return
            self.outcome, self.error = Outcome.TIMEOUT, exc
            await self.on_timeout()
            await self.on_exception(exc)
            raise
        except httpx2.TransportError as exc:
            if self._closed_by_caller():
                return
            if self._message_stopped:
                # message_stop is the proof of a complete answer; a connection that breaks after it
                # (before the chunked body's last terminator) has lost nothing.
                self.outcome = Outcome.COMPLETE
                return
            self.outcome, self.error = Outcome.ERROR, exc
            await self.on_exception(exc)
            raise
        except Exception as exc:
            if self._closed_by_caller():
                return
            self.outcome, self.error = Outcome.ERROR, exc
            await self.on_exception(exc)
            raise
        finally:
            if self._attached:
                await asyncio.shield(self._release())
            await self.on_end()

    def _closed_by_caller(self) -> bool:
        """The read failed because `close()` closed the response under it: a stop, not an error."""
        if not self._closing:
            return False
        if self.outcome is Outcome.PENDING:
            self.outcome = Outcome.CANCELLED
        return True

    async def _release(self) -> None:
        with contextlib.suppress(Exception):  # closing a broken connection can fail; nothing to report
            await self.response.aclose()

    async def _open(self) -> AsyncStream[RawMessageStreamEvent]:
        """Send the request, retrying as the SDK would but visibly (see `RetryPolicy`)."""
        retries_taken = 0
        while True:
            self.record.attempts = retries_taken + 1
            # Sent as the SDK would on its own retries (servers may use it; the demo server does).
            headers = {**self._params.get("extra_headers", {}), "x-stainless-retry-count": str(retries_taken)}
            params = {**self._params, "extra_headers": headers}
            try:
                stream: AsyncStream[RawMessageStreamEvent] = await self._client.messages.create(**params, stream=True)
            except Exception as error:
                if isinstance(error, anthropic.APIStatusError):
                    self._record_response(error.response)
                wait = self._retry_policy.next_wait(error, retries_taken)
                if wait is None:
                    raise
                retries_taken += 1
                await self.on_retry(_retry_notice(error, retries_taken, self._retry_policy, wait))
                await asyncio.sleep(wait)
                continue
            self._record_response(stream.response)
            return stream

    def _record_response(self, response: httpx2.Response) -> None:
        self.record.status = response.status_code
        self.record.headers = shown_headers(list(response.headers.items()))
        self.record.headers_at = clock.now() - self.started

    def _attach(self, raw_stream: AsyncStream[RawMessageStreamEvent]) -> None:
        AsyncMessageStream.__init__(self, raw_stream, output_format=anthropic.NOT_GIVEN)
        client, response = raw_stream._client, raw_stream.response

        def process(data: Any) -> Any:  # what the SDK's `AsyncStream.__stream__` does with each event
            cast_to: Any = RawMessageStreamEvent
            return client._process_response_data(data=data, cast_to=cast_to, response=response)

        self._sdk_process = process
        self._attached = True

    # -------------------------------------------------------------- the SDK's work, per frame
    async def _frame(self, wire: WireEvent) -> list[ParsedMessageStreamEvent[None]]:
        """Report one frame, then do what the SDK's `AsyncStream` and `AsyncMessageStream` do with it:
        skip pings and nameless frames, raise on `error`, build the event, accumulate it, add the
        helper events. Returns the events the SDK's iteration would yield for it (each is dispatched to
        the handlers just before it is yielded, as the SDK's iteration would hand them over)."""
        self.record.events.append(wire)
        await self.on_wire_event(wire)
        name = wire.event
        if name == "ping":
            wire.parsed = PING
            await self.on_stream_event(PING)
            return []
        if name == "error":
            error_event = _error_event(wire)
            wire.parsed = error_event
            await self.on_stream_event(error_event)
            raise self._status_error(wire.data)
        if name is None or not wire.data:
            return []
        event = raw_event(name, wire.data, self._sdk_process)
        if (observer := self._stream_observer) is not None:
            observer.item(event)  # what `AsyncStream.__aiter__` records of each event it yields
        if self._snapshot is None and event.type != "message_start":
            events: list[Any] = [event]
        else:
            try:
                self._snapshot = accumulate_event(
                    event=event, current_snapshot=self._snapshot, json_bufs=self._json_buffers
                )
            except Exception:
                withhold_message_snapshot(self._raw_stream)
                raise
            events = _helper_events(event, self._snapshot)
        if event.type != "content_block_delta":
            wire.parsed = events[0]  # deltas are rebuilt on demand (`sdk_objects.rebuild_raw_event`)
        return events

    @property
    def _observer(self) -> Any:
        """The SDK's stream observer (its OpenTelemetry span of the call), None without tracing."""
        return self._raw_stream._observer if self._attached else None

    def _status_error(self, data: str) -> anthropic.APIStatusError:
        """What the SDK raises for an `error` frame (`AsyncStream.__stream__`)."""
        body: Any = data
        try:
            body = json.loads(data)
            message = f"{body}"
        except Exception:
            message = data or f"Error code: {self.response.status_code}"
        return self._raw_stream._client._make_status_error(message, body=body, response=self.response)

    async def _dispatch(self, event: Any) -> None:
        kind = event.type
        if kind in SYNTHESIZED_EVENT_TYPES:
            await self.on_helper_event(event)
            if kind == "text":
                await self.on_text(event.text, event.snapshot)
            elif kind == "thinking":
                await self.on_thinking(event.thinking, event.snapshot)
            elif kind == "input_json":
                await self.on_input_json(event.partial_json, event.snapshot)
            elif kind == "citation":
                await self.on_citation(event.citation, event.snapshot)
            elif kind == "signature":
                await self.on_signature(event.signature)
            return
        await self.on_stream_event(event)
        if kind == "content_block_stop":
            block = getattr(event, "content_block", None)
            if block is not None:
                await self.on_content_block(block)
        elif kind == "message_stop":
            self._message_stopped = True
            message = getattr(event, "message", None)
            if message is not None:
                await self.on_message(message)


def _helper_events(event: Any, snapshot: Any) -> list[Any]:
    """`build_events` of the SDK, with its two hot cases (text and thinking deltas) built directly."""
    if event.type == "content_block_delta":
        delta = event.delta
        if delta.type == "text_delta":
            block = snapshot.content[event.index]
            return [event, text_event(delta.text, block.text)] if block.type == "text" else [event]
        if delta.type == "thinking_delta":
            block = snapshot.content[event.index]
            return [event, thinking_event(delta.thinking, block.thinking)] if block.type == "thinking" else [event]
    return build_events(event=event, message_snapshot=snapshot)


def _error_event(wire: WireEvent) -> ErrorEvent:
    payload = wire.json if isinstance(wire.json, dict) else {}
    detail = payload.get("error")
    if not isinstance(detail, dict):
        detail = {}
    error = StreamError.construct(type=str(detail.get("type", "error")), message=str(detail.get("message", wire.data)))
    return ErrorEvent.construct(type="error", error=error)


def _retry_notice(error: BaseException, attempt: int, policy: RetryPolicy, wait: float) -> RetryNotice:
    from tui_chat.stream.errors import describe_error

    info = describe_error(error)
    return RetryNotice(
        attempt=attempt,
        max_attempts=policy.max_retries + 1,
        wait=wait,
        status=info.status,
        reason=info.summary,
        request_id=info.request_id,
    )
