"""Any failure as words a person can act on (`stream/errors.py`): what the real SDK raised over loopback, or
what the stream layer found in the bytes, each said once, in one safe line, never with the key."""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx2
import pytest
from anthropic import AsyncAnthropic

from tests.support.hostile_streams import Hostile, answer, hostile_server, message_start, text_delta
from tests.support.sse import one_block_stream
from tui_chat.demo.server import DemoServer, Recording
from tui_chat.stream.errors import GATEWAY_400_HINT, SHOWN_ERROR_CHARACTERS, client_secrets, describe_error
from tui_chat.stream.event_stream import EventStream
from tui_chat.stream.retry import RetryPolicy
from tui_chat.stream.types import Outcome

REQUEST: dict[str, Any] = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 2048,
    "messages": [{"role": "user", "content": "hello"}],
}


async def failed(client: AsyncAnthropic, text: str = "hello") -> BaseException:
    """What the stream layer ended with (nothing retried)."""
    stream = EventStream(
        client, retry_policy=RetryPolicy(max_retries=0), **{**REQUEST, "messages": [{"role": "user", "content": text}]}
    )
    assert await stream.run() is not Outcome.COMPLETE
    assert stream.error is not None
    return stream.error


def api_error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


@pytest.mark.parametrize(
    ("status", "kind", "hint"),
    [
        (401, "authentication_error", "The API key was not accepted"),
        (403, "permission_error", "may not use this model"),
        (404, "not_found_error", "Unknown model or endpoint"),
        (413, "request_too_large", "too large for one request"),
        (429, "rate_limit_error", "Rate limited"),
        (500, "api_error", "internal error"),
        (503, "api_error", "internal error"),
        (529, "overloaded_error", "overloaded"),
    ],
)
async def test_an_http_error_says_its_status_type_and_message_and_what_to_do(
    status: int, kind: str, hint: str, demo_server: DemoServer, client: AsyncAnthropic
) -> None:
    demo_server.queue_error(status, api_error(kind, "Something specific."))
    info = describe_error(await failed(client))
    assert (info.kind, info.status, info.error_type) == (f"HTTP {status}", status, kind)
    assert info.summary == f"HTTP {status} {kind}: Something specific."
    assert info.hint is not None and hint in info.hint
    assert info.request_id is not None and info.request_id.startswith("req_demo_")
    assert info.retryable is (status in (429, 500, 503, 529))
    assert info.summary_repeats_kind and info.headline == info.summary  # said once


async def test_a_400_from_another_server_may_be_about_the_key(demo_server: DemoServer, client: AsyncAnthropic) -> None:
    """A gateway in front of a model answers a key it does not take with a 400 (the Anthropic API: 401)."""
    demo_server.queue_error(400, api_error("invalid_request_error", "No connected db."))
    info = describe_error(await failed(client))
    assert info.hint == GATEWAY_400_HINT and not info.retryable
    assert info.summary == "HTTP 400 invalid_request_error: No connected db."


async def test_a_body_that_is_not_the_apis_shape_still_says_something(
    demo_server: DemoServer, client: AsyncAnthropic
) -> None:
    demo_server.queue_error(502, {"detail": "upstream timed out"})
    info = describe_error(await failed(client))
    assert info.kind == "HTTP 502" and info.error_type is None and info.summary.startswith("HTTP 502")
    assert info.hint is not None and "internal error" in info.hint
    demo_server.queue_error(500, api_error(["not", "text"], {"nested": True}))  # type: ignore[arg-type]
    odd = describe_error(await failed(client))
    assert odd.error_type is None and "nested" in odd.summary


async def test_a_wait_the_server_asks_for_is_said_and_so_is_one_too_long_to_wait(
    demo_server: DemoServer, client: AsyncAnthropic
) -> None:
    demo_server.queue_error(429, api_error("rate_limit_error", "Slow down."), {"retry-after": "20"})
    info = describe_error(await failed(client))
    assert info.summary.endswith("(the server asks to wait 20 s before retrying)") and "Rate limited" in str(info.hint)
    demo_server.queue_error(429, api_error("rate_limit_error", "Slow down."), {"retry-after": "300"})
    long = describe_error(await failed(client))
    assert "wait 300 s" in long.summary and long.hint == "That is longer than claude-tui waits by itself (60 s)."


async def test_an_error_event_in_the_stream_is_said_as_the_stream_said_it(
    demo_server: DemoServer, client: AsyncAnthropic
) -> None:
    demo_server.queue_recording(Recording(one_block_stream(["Half an ", "answer"], ending="error")))
    info = describe_error(await failed(client))
    assert (info.kind, info.status, info.error_type) == ("overloaded_error", 200, "overloaded_error")
    assert info.summary == "The stream reported overloaded_error: Overloaded"
    assert info.hint is not None and "overloaded" in info.hint and info.headline == info.summary


async def test_a_long_message_is_cut_and_control_characters_go(demo_server: DemoServer, client: AsyncAnthropic) -> None:
    message = "\x1b]0;TITLE\x07Bad\nthings " + "x" * 5000
    demo_server.queue_error(500, api_error("api_error", message))
    info = describe_error(await failed(client))
    assert "\x1b" not in info.summary and "\n" not in info.summary and "\x07" not in info.summary
    assert "]0;TITLEBad things" in info.summary
    assert len(info.summary) < SHOWN_ERROR_CHARACTERS + 100
    assert info.summary.endswith("more characters not shown)")


async def test_the_key_is_never_in_what_is_said(demo_server: DemoServer) -> None:
    """A gateway that echoes the key it was sent, and a key that httpx refuses to send (it quotes the header)."""
    key = "sk-ant-" + "api03-ECHOEDKEYaaaaaaaaaaaaaaaaaaaa"
    client = AsyncAnthropic(api_key=key, base_url=demo_server.base_url, max_retries=0)
    demo_server.queue_error(401, api_error("authentication_error", f"invalid x-api-key {key!r}"))
    echoed = describe_error(await failed(client), client_secrets(client))
    assert client_secrets(client) == [key]
    assert "ECHOEDKEY" not in echoed.summary and "[REDACTED]" in echoed.summary
    await client.close()

    broken = "not-an-anthropic-key\nSECONDLINE-of-it"
    refused = AsyncAnthropic(api_key=broken, base_url=demo_server.base_url, max_retries=0)
    error = await failed(refused)
    assert "SECONDLINE" in str(error.__cause__)  # (what httpx raised, the cause, quotes it)
    info = describe_error(error, client_secrets(refused))
    assert "SECONDLINE" not in repr(info) and "[REDACTED]" in info.summary
    await refused.close()


async def test_failures_of_the_connection_and_of_the_stream(demo_server: DemoServer, client: AsyncAnthropic) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    nobody = AsyncAnthropic(api_key="k", base_url=f"http://127.0.0.1:{port}", max_retries=0)
    refused = describe_error(await failed(nobody))
    await nobody.close()
    assert refused.kind == "connection failed" and refused.summary.startswith("Could not reach the API: ")
    assert refused.hint is not None and "--base-url" in refused.hint

    timed = AsyncAnthropic(api_key="k", base_url=demo_server.base_url, max_retries=0, timeout=httpx2.Timeout(0.3))
    stalled = describe_error(await failed(timed, "stall"))
    await timed.close()
    assert (stalled.kind, stalled.summary) == ("timeout", "No data from the server within the read timeout.")
    assert "--read-timeout" in str(stalled.hint)

    dropped = describe_error(await failed(client, "drop"))
    assert dropped.kind == "connection dropped" and dropped.summary.startswith("The connection broke mid-answer (")
    incomplete = describe_error(await failed(client, "incomplete"))
    assert incomplete.kind == "incomplete" and "without message_stop" in incomplete.summary


async def test_what_the_stream_layer_finds_in_the_bytes() -> None:
    """Events out of order, an event over the memory ceiling and a data line that is not JSON: each its own words."""
    async with hostile_server() as server:
        server.queue(Hostile([text_delta("before any message_start"), *answer("x")]))
        server.queue(Hostile([message_start(), b"event: content_block_start\ndata: {not json\n\n"]))
        client = server.client()
        order = describe_error(await failed(client))
        bad = describe_error(await failed(client))
        stream = EventStream(client, retry_policy=RetryPolicy(max_retries=0), **REQUEST)
        stream.max_event_bytes = 1024
        server.queue(Hostile([message_start(), text_delta("y" * 4096), *answer("z")[1:]]))
        await stream.run()
        await client.close()
    assert order.kind == "events out of order" and "message_start" in order.summary
    assert bad.kind == "bad frame" and bad.summary.startswith("A data line was not valid JSON: ")
    assert stream.error is not None
    too_large = describe_error(stream.error)
    assert too_large.kind == "event too large" and "it stopped reading there" in too_large.summary


def test_anything_else_is_named_by_its_type() -> None:
    info = describe_error(ValueError("\x1b[2Jodd"))
    assert info.kind == "ValueError" and info.summary == "ValueError: [2Jodd" and info.hint is None
    assert describe_error(json.JSONDecodeError("Expecting value", "x", 0)).kind == "bad frame"
