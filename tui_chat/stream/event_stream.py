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
objects, for less): reading a stream costs less than the SDK's own iteration (the benchmark says how much).
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
from anthropic.lib.streaming import ParsedMessageStreamEvent
from anthropic.types import ContentBlock, Message, RawMessageStreamEvent
from anthropic.types.citations_delta import Citation

from tui_chat.adapters import sdk_private
from tui_chat.adapters.sdk_private import accumulate_event, build_events
from tui_chat.safety import redact
from tui_chat.stream import clock
from tui_chat.stream.errors import client_secrets, describe_error
from tui_chat.stream.retry import RetryPolicy
from tui_chat.stream.sdk_objects import raw_event, text_event, thinking_event
from tui_chat.stream.types import (
    SYNTHESIZED_EVENT_TYPES,
    IncompleteStreamError,
    Outcome,
    RetryNotice,
    StreamOrderError,
)
from tui_chat.stream.wire import (
    MAX_EVENT_BYTES,
    RequestRecord,
    SSEFramer,
    WireEvent,
    WireRecord,
    fold_body,
    shown_headers,
    shown_request_headers,
)

YIELD_EVERY = 0.004
"""Seconds of frame processing after which the stream yields to the event loop."""

SOCKET_WAIT = 0.002
"""A chunk that took longer than this to come was (most likely) waited for on the socket rather than
already buffered: a paced stream pauses only after those, so what has arrived is read at once. A busy
event loop can make a buffered chunk look waited for; that costs one extra pause, never a frame."""

ENDING_EVENTS = frozenset({"content_block_stop", "message_delta", "message_stop"})
"""After a chunk with one of these a paced stream reads on at once: the end's times stay exact."""

EXACT_SNAPSHOT_CHARACTERS = 256_000
"""Up to this many characters in a block, every text or thinking delta is added to the message snapshot at
once, as the SDK's accumulator does (each delta copies the whole text so far: quadratic). Past it, deltas
are added in steps (whenever they amount to a quarter of the text): linear in the answer's length, and the
`snapshot` passed with `on_text`/`on_thinking` can lag the text by up to a fifth (`snapshot_length` is always
exact; the message at every block stop and at the end is whole)."""


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


BLOCK_EVENTS = frozenset({"content_block_delta", "content_block_stop"})
"""Events that refer to a block `content_block_start` opened (by its `index`)."""

ORDERED_EVENTS = frozenset({"content_block_start", *BLOCK_EVENTS, "message_delta", "message_stop"})
"""Events that only make sense after `message_start` (unknown event types pass, as the SDK lets them)."""


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
        self._received: list[WireEvent] = []
        """The frames read so far (`record.events`)."""
        self.record = WireRecord(events=self._received)
        self.outcome = Outcome.PENDING
        self.error: BaseException | None = None
        self.started = 0.0
        """`clock.now()` when the first attempt was sent."""
        self._attached = False
        self._snapshot: Any = None
        """The message so far, as the SDK's accumulator builds it (None before `message_start`)."""
        self._json_buffers: dict[int, bytes] = {}
        self._unsettled: dict[int, UnsettledText] = {}
        """Deltas of big blocks not yet added to the snapshot, by block index (see `EXACT_SNAPSHOT_CHARACTERS`)."""
        self._sdk_process: Any = None
        self._raw: AsyncStream[RawMessageStreamEvent] | None = None
        """The SDK's stream of this response, once the request has succeeded."""
        self._message_stopped = False
        self._iterator_impl: AsyncIterator[ParsedMessageStreamEvent[None]] | None = None
        self._closing = False
        self._stream_observer: Any = None
        self.max_event_bytes = MAX_EVENT_BYTES
        """The memory ceiling for one event: a bigger one ends the stream with `FrameTooLargeError`."""
        self.read_pace = 0.0
        """Seconds from one socket read to the next once text flows; 0 (the default) reads every frame
        as it lands. With a pace, frames wait in the socket buffer and are read together: a few wake-ups
        of the event loop per `read_pace` instead of one per token, for frame times up to `read_pace`
        late (recorded in `record.read_pace`). Never before the first delta (time to first token stays
        exact), after a block or the message ends, or while frames are already buffered."""

    # ----------------------------------------------------------------- handlers (override these)
    async def on_request(self, request: RequestRecord) -> None:
        """What an attempt sent (method, URL, headers, body; the key redacted), once it has an outcome:
        before `on_connect`, `on_retry` or the failure. Also kept as `self.record.request`."""

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
        self._settle()
        snapshot: Message | None = self._snapshot
        return snapshot

    @property
    def current_message_snapshot(self) -> Any:
        self._settle()
        assert self._snapshot is not None
        return self._snapshot

    def _current_snapshot(self) -> Any:
        self._settle()
        return self._snapshot

    async def get_final_message(self) -> Any:
        """Stream to the end (calling the handlers) and return the accumulated message."""
        await self.until_done()
        self._settle()
        assert self._snapshot is not None
        return self._snapshot

    def snapshot_length(self, index: int) -> int:
        """The length of block `index`'s text (or thinking) so far, deltas not yet in the snapshot included."""
        snapshot = self._snapshot
        if snapshot is None or not 0 <= index < len(snapshot.content):
            return 0
        block = snapshot.content[index]
        text = getattr(block, "thinking" if block.type == "thinking" else "text", None)
        unsettled = self._unsettled.get(index)
        return (len(text) if isinstance(text, str) else 0) + (unsettled.size if unsettled is not None else 0)

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
            framer = SSEFramer(self.max_event_bytes)
            index = 0
            now, started = clock.now, self.started
            yielded = time.perf_counter()
            # The SDK's tracing of the call (OpenTelemetry), when it is set up; looked up once per response.
            observer = self._stream_observer = sdk_private.stream_observer(raw_stream)
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
                        if self._message_stopped:
                            break  # the answer is whole: whatever follows is not read (see below)
                        if time.perf_counter() - yielded > YIELD_EVERY:
                            # A fast stream delivers hundreds of frames per read; let the UI breathe between them.
                            await asyncio.sleep(0)
                            yielded = time.perf_counter()
                    if self._message_stopped:
                        # message_stop ends the answer, even if the server keeps the connection open (a
                        # gateway that never ends the chunked body): stop reading; the response is closed below.
                        break
                    if pace > 0 and flowing and not ending and waited > SOCKET_WAIT:
                        # The transport had nothing buffered: let the next frames gather in the socket.
                        pause = arrived + pace - time.perf_counter()
                        if pause > 0:
                            await asyncio.sleep(pause)
                    asked = time.perf_counter()
                rest = None if self._message_stopped else framer.flush()
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
            sent_at = clock.now() - self.started
            try:
                stream: AsyncStream[RawMessageStreamEvent] = await self._client.messages.create(**params, stream=True)
            except Exception as error:
                request = getattr(error, "request", None)
                if isinstance(request, httpx2.Request):
                    await self._sent(request, sent_at, retries_taken + 1)
                if isinstance(error, anthropic.APIStatusError):
                    self._record_response(error.response)
                wait = self._retry_policy.next_wait(error, retries_taken)
                if wait is None:
                    raise
                retries_taken += 1
                notice = _retry_notice(error, retries_taken, self._retry_policy, wait, self._client)
                await self.on_retry(notice)
                await asyncio.sleep(wait)
                continue
            await self._sent(stream.response.request, sent_at, retries_taken + 1)
            self._record_response(stream.response)
            return stream

    async def _sent(self, request: httpx2.Request, at: float, attempt: int) -> None:
        """Record what an attempt sent, from the request the SDK built (see `RequestRecord`). A big body (a
        long history, attached files) is read in a thread: the event loop keeps drawing meanwhile."""
        secrets = [self._client.api_key, self._client.auth_token]
        try:
            content = request.content
        except Exception:  # a streamed body: not something this client sends
            content = b""
        if len(content) > BIG_REQUEST:
            record = await asyncio.to_thread(request_record, request, content, secrets, at, attempt)
        else:
            record = request_record(request, content, secrets, at, attempt)
        self.record.request = record
        await self.on_request(record)

    def _record_response(self, response: httpx2.Response) -> None:
        self.record.status = response.status_code
        self.record.headers = shown_headers(list(response.headers.items()))
        self.record.headers_at = clock.now() - self.started

    def _attach(self, raw_stream: AsyncStream[RawMessageStreamEvent]) -> None:
        AsyncMessageStream.__init__(self, raw_stream, output_format=anthropic.NOT_GIVEN)
        # The SDK's tracing reads the message from the helper; this one accumulates it in `_snapshot`.
        sdk_private.share_message_snapshot(raw_stream, self._current_snapshot)
        self._raw = raw_stream
        self._sdk_process = sdk_private.event_converter(raw_stream)
        self._attached = True

    # -------------------------------------------------------------- the SDK's work, per frame
    async def _frame(self, wire: WireEvent) -> list[ParsedMessageStreamEvent[None]]:
        """Report one frame, then do what the SDK's `AsyncStream` and `AsyncMessageStream` do with it:
        skip pings and nameless frames, raise on `error`, build the event, accumulate it, add the
        helper events. Returns the events the SDK's iteration would yield for it (each is dispatched to
        the handlers just before it is yielded, as the SDK's iteration would hand them over)."""
        self._received.append(wire)
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
        data = wire.data
        if name is None or not data:
            return []
        event = raw_event(name, data, self._sdk_process)
        if (observer := self._stream_observer) is not None:
            observer.item(event)  # what `AsyncStream.__aiter__` records of each event it yields
        self._check_order(event)
        if self._snapshot is None and event.type != "message_start":
            events: list[Any] = [event]
        elif self._accumulate_text(event):
            events = helper_events(event, self._snapshot)
        else:
            self._settle()
            try:
                self._snapshot = accumulate_event(
                    event=event, current_snapshot=self._snapshot, json_bufs=self._json_buffers
                )
            except Exception:
                if self._raw is not None:
                    sdk_private.withhold_message_snapshot(self._raw)
                raise
            if event.type == "message_start":
                _complete_snapshot(self._snapshot)
            events = helper_events(event, self._snapshot)
        if event.type != "content_block_delta":
            wire.parsed = events[0]  # deltas are rebuilt on demand (`sdk_objects.rebuild_raw_event`)
        return events

    def _accumulate_text(self, event: Any) -> bool:
        """Add a text or thinking delta to the snapshot as the SDK's accumulator would, but in steps past
        `EXACT_SNAPSHOT_CHARACTERS` (see there). False for any other event (the accumulator's to do)."""
        if event.type != "content_block_delta":
            return False
        delta = event.delta
        block = self._snapshot.content[event.index]  # (`_check_order` made sure it exists)
        if delta.type == "text_delta" and block.type == "text":
            field, piece = "text", delta.text
        elif delta.type == "thinking_delta" and block.type == "thinking":
            field, piece = "thinking", delta.thinking
        else:
            return False
        unsettled = self._unsettled.get(event.index)
        if unsettled is None:
            text = getattr(block, field)
            if len(text) < EXACT_SNAPSHOT_CHARACTERS:
                setattr(block, field, text + piece)  # what `accumulate_event` does
                return True
            unsettled = self._unsettled[event.index] = UnsettledText(block, field)
        unsettled.add(piece)
        return True

    def _settle(self) -> None:
        """Bring the snapshot's text up to date (before anything else reads or changes it)."""
        for unsettled in self._unsettled.values():
            unsettled.settle()

    def _check_order(self, event: Any) -> None:
        """Raise `StreamOrderError` for an event the SDK's accumulator cannot place (it would fail with an
        IndexError or a RuntimeError, or, for a negative index, add the text to another block)."""
        kind = event.type
        if kind not in ORDERED_EVENTS:
            return
        snapshot = self._snapshot
        if snapshot is None:
            raise StreamOrderError(
                f"The server sent {kind} before message_start: the stream does not follow the Messages "
                "API's order (message_start comes first), so the answer cannot be put together."
            )
        if kind in BLOCK_EVENTS:
            index = getattr(event, "index", None)
            started = len(snapshot.content)
            if not isinstance(index, int) or not 0 <= index < started:
                raise StreamOrderError(
                    f"The server sent {kind} for content block {index}, which never started "
                    f"(content_block_start opened {count_blocks(started)})."
                )

    def _status_error(self, data: str) -> anthropic.APIStatusError:
        """What the SDK raises for an `error` frame (`AsyncStream.__stream__`)."""
        body: Any = data
        try:
            body = json.loads(data)
            message = f"{body}"
        except Exception:
            message = data or f"Error code: {self.response.status_code}"
        assert self._raw is not None  # (frames are read only once attached)
        return sdk_private.status_error(self._raw, message, body)

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


BIG_REQUEST = 256 * 1024
"""Bytes of request body above which its record is made in a thread."""


def request_record(
    request: httpx2.Request, content: bytes, secrets: list[str | None], at: float, attempt: int
) -> RequestRecord:
    """What a request sent, fit to keep and show: the key's header `[REDACTED]`, any secret in the URL or
    body too, the body folded (`fold_body`)."""
    text = redact(content.decode("utf-8", errors="replace"), secrets)
    try:
        body: Any = json.loads(text) if text else None
    except ValueError:
        body = text
    folded, messages = fold_body(body)
    headers = shown_request_headers(list(request.headers.items()))
    return RequestRecord(
        method=request.method,
        url=redact(str(request.url), secrets),
        headers=[(name, redact(value, secrets)) for name, value in headers],
        body=folded,
        size=len(content),
        at=at,
        attempt=attempt,
        messages=messages,
    )


class UnsettledText:
    """Deltas of one big block waiting to be added to its text (`field` of `block`), in steps: once they
    amount to a fifth of the text, so each character is copied a bounded number of times (see
    `EXACT_SNAPSHOT_CHARACTERS`)."""

    __slots__ = ("block", "field", "pieces", "size")

    def __init__(self, block: Any, field: str) -> None:
        self.block = block
        self.field = field
        self.pieces: list[str] = []
        self.size = 0

    def add(self, piece: str) -> None:
        self.pieces.append(piece)
        self.size += len(piece)
        if self.size * 5 >= len(getattr(self.block, self.field)):
            self.settle()

    def settle(self) -> None:
        if self.pieces:
            setattr(self.block, self.field, getattr(self.block, self.field) + "".join(self.pieces))
            self.pieces.clear()
            self.size = 0


def count_blocks(count: int) -> str:
    return "no block" if count == 0 else f"{count} block{'s' if count != 1 else ''}, numbered from 0"


def _complete_snapshot(snapshot: Any) -> None:
    """Give a message that `message_start` sent without `usage` (or `content`) empty ones, as a later
    SDK does: the accumulator reads them on every later event. Only the snapshot is completed: the
    event itself stays as sent, and the turn's counts come from the events (so none is made up)."""
    if getattr(snapshot, "usage", None) is None:
        from anthropic.types import Usage

        snapshot.usage = Usage.construct(input_tokens=0, output_tokens=0)
    if not isinstance(getattr(snapshot, "content", None), list):
        snapshot.content = []


def helper_events(event: Any, snapshot: Any) -> list[Any]:
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
    payload = wire.json
    detail = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(detail, dict):
        detail = {}
    error = StreamError.construct(type=str(detail.get("type", "error")), message=str(detail.get("message", wire.data)))
    return ErrorEvent.construct(type="error", error=error)


def _retry_notice(error: BaseException, attempt: int, policy: RetryPolicy, wait: float, client: Any) -> RetryNotice:
    info = describe_error(error, client_secrets(client))
    return RetryNotice(
        attempt=attempt,
        max_attempts=policy.max_retries + 1,
        wait=wait,
        status=info.status,
        reason=info.summary,
        request_id=info.request_id,
    )
