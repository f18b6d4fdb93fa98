"""The anthropic SDK's private names that claude-tui uses, and why (checked against anthropic 2.16).

`EventStream` reads the SSE frames itself (the SDK's parser drops pings and hides arrival times) and
then does, frame by frame, what the SDK's `AsyncStream` and `AsyncMessageStream` do with an event.
Those steps are private in the SDK; they are reached here, each through one name, so a new SDK
release that moves one breaks this module only (and `scripts/test-newest.sh` shows it first).
No Textual import here: the stream layer uses this module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from anthropic import APIStatusError, AsyncStream
from anthropic._models import construct_type

# The helper's tracing hooks: the span of a traced call takes the response (and, in content mode, the output)
# from the message the helper accumulates. Public replacement: none; `AsyncMessageStream.__init__` registers
# its own snapshot, which `EventStream` does not fill (it accumulates in its own loop), so it registers its own.
from anthropic.lib._tracing._streaming import share_message_snapshot as share_message_snapshot
from anthropic.lib._tracing._streaming import withhold_message_snapshot as withhold_message_snapshot

# The SDK's accumulation of one stream event into the message so far, and the helper events (`text`,
# `thinking`, `input_json`, `citation`, `signature`) it derives from a delta: using the SDK's own makes the
# events and the final message exactly the SDK's. Public replacement: none; `AsyncMessageStream` runs them
# inside its iterator, which reads through the SDK's SSE parser.
from anthropic.lib.streaming._messages import accumulate_event as accumulate_event
from anthropic.lib.streaming._messages import build_events as build_events

# The helper's `thinking` event class (its `text` counterpart is exported as `anthropic.lib.streaming.TextEvent`).
# Public replacement: `anthropic.lib.streaming.ThinkingEvent`, should the SDK export it.
from anthropic.lib.streaming._types import ThinkingEvent as ThinkingEvent
from anthropic.types import RawMessageStreamEvent

EventConverter = Callable[[Any], Any]
"""Parsed JSON of one event in, the SDK's event object out."""


def construct_event(data: Any) -> Any:
    """The SDK's lenient conversion of parsed JSON into a `RawMessageStreamEvent` (no validation error;
    unknown fields and types kept), for a stored frame with no response to go with it.

    `anthropic._models.construct_type`. Public replacement: none (pydantic's `TypeAdapter` validates
    strictly and turns what the SDK keeps into errors)."""
    return construct_type(type_=RawMessageStreamEvent, value=data)


def event_converter(raw_stream: AsyncStream[Any]) -> EventConverter:
    """What the SDK's `AsyncStream.__stream__` does with each event's parsed JSON, for this response.

    `raw_stream._client` (the client that made the request) and its `_process_response_data` (the
    conversion, with the client's strict-validation setting). Public replacement: none; it runs inside
    the SDK's iterator."""
    client, response = raw_stream._client, raw_stream.response
    cast_to: Any = RawMessageStreamEvent

    def convert(data: Any) -> Any:
        return client._process_response_data(data=data, cast_to=cast_to, response=response)

    return convert


def status_error(raw_stream: AsyncStream[Any], message: str, body: object) -> APIStatusError:
    """The exception the SDK raises for an `error` frame: the `APIStatusError` subclass its type names
    (`OverloadedError`, `RateLimitError`, …), as `AsyncStream.__stream__` makes it.

    `raw_stream._client._make_status_error`. Public replacement: none (the mapping of a status and body to
    an exception class is private)."""
    return raw_stream._client._make_status_error(message, body=body, response=raw_stream.response)


def stream_observer(raw_stream: AsyncStream[Any]) -> Any:
    """The SDK's observer of this response (the OpenTelemetry span of the call), None without tracing.

    `AsyncStream._observer`; the SDK's iterator tells it each event (`item`) and how the stream ended
    (`begin`/`end`). Public replacement: none; a stream read without the SDK's iterator must tell it itself."""
    return raw_stream._observer
