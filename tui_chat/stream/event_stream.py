"""`EventStream`: an `AsyncMessageStream` with the tutorial's `on_*` handler API, rebuilt for SDK 2.x.

SDK 0.28 removed `event_handler=` and SDK 2.x drops `ping` frames in its parser. This class builds
its stream from `client.messages.create(stream=True)`, reads the SSE frames itself (so it sees
pings, error events and the exact bytes), lets the SDK's own `AsyncMessageStream` accumulate the
message, and calls the handlers in wire order::

    class Printer(EventStream):
        async def on_stream_event(self, event):  # every wire event, pings and errors included
            print("event:", event.type)
        async def on_text(self, text, snapshot):
            print(text, end="", flush=True)

    async with Printer(client, model=..., max_tokens=..., messages=[...]) as stream:
        message = await stream.get_final_message()

Or `outcome = await stream.run()`, which never raises (except on cancellation) and reports every
failure through `on_exception` instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import anthropic
import httpx2
from anthropic import AsyncAnthropic, AsyncMessageStream, AsyncStream
from anthropic._streaming import ServerSentEvent
from anthropic.lib.streaming import ParsedMessageStreamEvent
from anthropic.types import ContentBlock, Message, RawMessageStreamEvent
from anthropic.types.citations_delta import Citation

from tui_chat.stream import clock
from tui_chat.stream.retry import RetryPolicy
from tui_chat.stream.types import Outcome, RetryNotice
from tui_chat.stream.wire import SSEFramer, WireEvent, WireRecord, parse_frame, shown_headers

YIELD_EVERY = 0.008
"""Seconds of frame processing after which the stream yields to the event loop."""

SYNTHESIZED_EVENT_TYPES = frozenset({"text", "thinking", "signature", "input_json", "citation", "compaction"})
"""Events the SDK makes up from a delta (not on the wire)."""


class PingEvent(anthropic.BaseModel):
    """A `ping` frame (the SDK drops these; claude-tui reports them)."""

    type: Literal["ping"]


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
FrameListener = Callable[[WireEvent], Awaitable[None]]


class _WireTap(AsyncStream[RawMessageStreamEvent]):
    """The SDK's raw event stream over the same response, reading frames itself.

    `AsyncStream.__stream__` still does the SDK's work (parsing, raising on `error`); only the
    framing is replaced, so every frame is seen with its exact bytes and arrival time first.
    """

    def __init__(
        self,
        source: AsyncStream[RawMessageStreamEvent],
        client: AsyncAnthropic,
        on_frame: FrameListener,
        started: float,
    ) -> None:
        super().__init__(cast_to=RawMessageStreamEvent, response=source.response, client=client)  # type: ignore[arg-type]
        self._on_frame = on_frame
        self._started = started

    async def _iter_events(self) -> AsyncIterator[ServerSentEvent]:
        framer = SSEFramer()
        index = 0
        now = clock.now
        yielded = time.perf_counter()
        async for chunk in self.response.aiter_bytes():
            frames = framer.feed(chunk)
            if not frames:
                continue
            at = now() - self._started
            for raw in frames:
                sse = await self._frame(index, at, raw)
                index += 1
                if sse is not None:
                    yield sse
                if time.perf_counter() - yielded > YIELD_EVERY:
                    # A fast stream delivers hundreds of frames per read; let the UI breathe between them.
                    await asyncio.sleep(0)
                    yielded = time.perf_counter()
        rest = framer.flush()
        if rest is not None and rest.strip():
            sse = await self._frame(index, now() - self._started, rest)
            if sse is not None:
                yield sse

    async def _frame(self, index: int, at: float, raw: bytes) -> ServerSentEvent | None:
        """Report the frame to the listener (before the SDK parses it); return it as an SDK event."""
        parsed = parse_frame(raw)
        await self._on_frame(WireEvent(index, at, raw, parsed.event, parsed.data))
        if parsed.event is None and not parsed.has_data:
            return None  # a comment-only frame: nothing for the parser
        return ServerSentEvent(event=parsed.event, data=parsed.data, id=parsed.id, retry=parsed.retry, raw=parsed.lines)


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
        self._current_wire: WireEvent | None = None
        self._message_stopped = False
        self._iterator_impl: AsyncIterator[ParsedMessageStreamEvent[None]] | None = None
        self._closing = False

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
        """Stop reading and release the connection. Handlers still end with `on_end`."""
        self._closing = True
        if self._iterator_impl is not None and hasattr(self._iterator_impl, "aclose"):
            await self._iterator_impl.aclose()
        if self._attached:
            await super().close()

    @property
    def request_id(self) -> str | None:
        return self.record.request_id

    @property
    def snapshot(self) -> Message | None:
        """The message accumulated so far (None before `message_start`)."""
        return self._current_snapshot_or_none() if self._attached else None

    @property
    def message_stopped(self) -> bool:
        return self._message_stopped

    async def _events(self) -> AsyncIterator[ParsedMessageStreamEvent[None]]:
        self.started = clock.now()
        try:
            raw_stream = await self._open()
            self._attach(raw_stream)
            await self.on_connect()
            async for event in AsyncMessageStream.__aiter__(self):
                await self._dispatch(event)
                yield event
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
            self.outcome, self.error = Outcome.TIMEOUT, exc
            await self.on_timeout()
            await self.on_exception(exc)
            raise
        except httpx2.TransportError as exc:
            if self._message_stopped:
                # message_stop is the proof of a complete answer; a connection that breaks after it
                # (before the chunked body's last terminator) has lost nothing.
                self.outcome = Outcome.COMPLETE
                return
            self.outcome, self.error = Outcome.ERROR, exc
            await self.on_exception(exc)
            raise
        except Exception as exc:
            self.outcome, self.error = Outcome.ERROR, exc
            await self.on_exception(exc)
            raise
        finally:
            if self._attached:
                await asyncio.shield(self._release())
            await self.on_end()

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
        tap = _WireTap(raw_stream, self._client, self._on_frame, self.started)
        AsyncMessageStream.__init__(self, tap, output_format=anthropic.NOT_GIVEN)
        self._attached = True

    async def _on_frame(self, wire: WireEvent) -> None:
        """Called by the tap as each frame completes, before the SDK parses it."""
        self.record.events.append(wire)
        self._current_wire = wire
        await self.on_wire_event(wire)
        if wire.event == "ping":
            ping = PingEvent.construct(type="ping")
            wire.parsed = ping
            await self.on_stream_event(ping)
        elif wire.event == "error":
            error_event = _error_event(wire)
            wire.parsed = error_event
            await self.on_stream_event(error_event)

    async def _dispatch(self, event: ParsedMessageStreamEvent[None]) -> None:
        kind = event.type
        if kind in SYNTHESIZED_EVENT_TYPES:
            await self.on_helper_event(event)
            if event.type == "text":
                await self.on_text(event.text, event.snapshot)
            elif event.type == "thinking":
                await self.on_thinking(event.thinking, event.snapshot)
            elif event.type == "input_json":
                await self.on_input_json(event.partial_json, event.snapshot)
            elif event.type == "citation":
                await self.on_citation(event.citation, event.snapshot)
            elif event.type == "signature":
                await self.on_signature(event.signature)
            return
        if self._current_wire is not None and self._current_wire.parsed is None:
            self._current_wire.parsed = event
        await self.on_stream_event(event)
        if event.type == "content_block_stop":
            block = getattr(event, "content_block", None)
            if block is not None:
                await self.on_content_block(block)
        elif event.type == "message_stop":
            self._message_stopped = True
            message = getattr(event, "message", None)
            if message is not None:
                await self.on_message(message)


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
