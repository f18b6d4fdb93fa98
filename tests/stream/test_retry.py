"""When a failed request is retried, and after how long (`stream/retry.py`): the SDK's policy, read from real
failures of the real SDK over loopback (the demo server's errors and headers, a closed port, a silent server,
a stall)."""

from __future__ import annotations

import asyncio
import email.utils
import socket
import time
from typing import Any

import anthropic
import httpx2
import pytest
from anthropic import AsyncAnthropic

from tui_chat.demo.server import DemoServer
from tui_chat.stream.errors import describe_error
from tui_chat.stream.event_stream import EventStream
from tui_chat.stream.retry import RetryPolicy, retry_after_seconds, retryable_status
from tui_chat.stream.types import Outcome, RetryNotice

REQUEST: dict[str, Any] = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 64,
    "messages": [{"role": "user", "content": "hello"}],
}


def status_error(status: int, headers: dict[str, str] | None = None) -> anthropic.APIStatusError:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/messages")
    body = {"type": "error", "error": {"type": "api_error", "message": "no"}}
    response = httpx2.Response(status, request=request, headers=headers, json=body)
    return anthropic.APIStatusError("no", response=response, body=body)


async def failure(server: DemoServer, client: AsyncAnthropic, status: int, **headers: str) -> BaseException:
    """What the SDK raised for an HTTP `status` with these headers (nothing retried)."""
    error = {"type": "error", "error": {"type": "api_error", "message": f"status {status}"}}
    server.queue_error(status, error, {name.replace("_", "-"): value for name, value in headers.items()})
    stream = EventStream(client, retry_policy=RetryPolicy(max_retries=0), **REQUEST)
    assert await stream.run() is Outcome.ERROR
    assert stream.error is not None
    return stream.error


def closed_port() -> int:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_report_offers_a_retry_exactly_when_the_sdk_would_retry() -> None:
    policy = RetryPolicy()
    for status in range(400, 600):
        error = status_error(status)
        assert describe_error(error).retryable == policy.should_retry(error) == retryable_status(status), status
    assert [status for status in range(400, 600) if retryable_status(status)][:4] == [408, 409, 429, 500]


def test_the_server_can_say_otherwise() -> None:
    assert not RetryPolicy().should_retry(status_error(503, {"x-should-retry": "false"}))
    assert RetryPolicy().should_retry(status_error(400, {"x-should-retry": "true"}))


async def test_the_servers_word_on_when_to_retry(demo_server: DemoServer, client: AsyncAnthropic) -> None:
    """`retry-after-ms` before `retry-after`; `retry-after` in seconds or as an HTTP date; a wait of zero or one
    that cannot be read leaves the backoff to decide."""
    policy = RetryPolicy()
    asked = await failure(demo_server, client, 529, retry_after_ms="1500", retry_after="9")
    assert isinstance(asked, anthropic.APIStatusError) and policy.wait_for(asked, 0) == 1.5
    assert policy.wait_for(await failure(demo_server, client, 429, retry_after="3"), 0) == 3.0
    in_30_seconds = email.utils.formatdate(time.time() + 30, usegmt=True)
    dated = policy.wait_for(await failure(demo_server, client, 503, retry_after=in_30_seconds), 0)
    assert 27 < dated <= 31
    for unreadable in ({"retry_after": "soon"}, {"retry_after_ms": "lots", "retry_after": "0"}, {"retry_after": "-4"}):
        waited = policy.wait_for(await failure(demo_server, client, 503, **unreadable), 0)
        assert 0.375 <= waited <= 0.5, unreadable  # the first backoff, jittered
    assert retry_after_seconds(httpx2.Headers({})) is None


def test_the_backoff_doubles_to_its_ceiling_less_a_quarter_at_most() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_backoff=8.0)
    error = status_error(500)
    for retries_taken, full in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (60, 8.0), (5000, 8.0)]:
        waits = [policy.wait_for(error, retries_taken) for _ in range(200)]
        assert all(full * 0.75 <= wait <= full for wait in waits), (retries_taken, min(waits), max(waits))
        assert max(waits) - min(waits) > full * 0.1  # jittered, so that clients do not retry in step


async def test_next_wait_is_none_when_the_failure_is_final(demo_server: DemoServer, client: AsyncAnthropic) -> None:
    policy = RetryPolicy(max_retries=2)
    overloaded = await failure(demo_server, client, 529, retry_after_ms="20")
    assert policy.next_wait(overloaded, 0) == policy.next_wait(overloaded, 1) == 0.02
    assert policy.next_wait(overloaded, 2) is None  # the retries are spent
    assert policy.next_wait(await failure(demo_server, client, 400), 0) is None  # not worth retrying
    too_long = await failure(demo_server, client, 429, retry_after="120")
    assert policy.wait_for(too_long, 0) == 120 and policy.next_wait(too_long, 0) is None  # over max_wait (60 s)
    assert RetryPolicy(max_wait=300).next_wait(too_long, 0) == 120


async def test_connection_failures_and_timeouts_before_the_stream_are_retried_nothing_after(
    demo_server: DemoServer,
) -> None:
    """A refused connection and a server that never answers are retried, as the SDK retries them; a stream that
    stalls once it has started is not (PROTOCOL.md §7), nor is an error of ours."""
    policy = RetryPolicy()

    async def error_of(base_url: str, text: str = "hello") -> BaseException | None:
        sdk = AsyncAnthropic(api_key="k", base_url=base_url, max_retries=0, timeout=httpx2.Timeout(0.3, connect=2))
        stream = EventStream(
            sdk, retry_policy=RetryPolicy(max_retries=0), **{**REQUEST, "messages": [{"role": "user", "content": text}]}
        )
        await stream.run()
        await sdk.close()
        return stream.error

    refused = await error_of(f"http://127.0.0.1:{closed_port()}")
    assert isinstance(refused, anthropic.APIConnectionError) and policy.should_retry(refused)

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(1 << 16):  # the request, never answered, until the client gives up
            pass
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    try:
        port = server.sockets[0].getsockname()[1]
        unanswered = await error_of(f"http://127.0.0.1:{port}")
    finally:
        server.close()
    assert isinstance(unanswered, anthropic.APITimeoutError) and policy.should_retry(unanswered)

    stalled = await error_of(demo_server.base_url, "stall")  # the answer began, then nothing came
    assert isinstance(stalled, httpx2.ReadTimeout) and not policy.should_retry(stalled)
    assert not policy.should_retry(ValueError("a bug of ours"))


async def test_a_stream_retries_after_the_servers_wait_and_says_so(
    demo_server: DemoServer, client: AsyncAnthropic
) -> None:
    """Two 529s asking for 30 ms, then the answer: two notices with that wait, three attempts, the answer whole."""
    notices: list[RetryNotice] = []

    class Watch(EventStream):
        async def on_retry(self, notice: RetryNotice) -> None:
            notices.append(notice)

    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    for _ in range(2):
        demo_server.queue_error(529, overloaded, {"retry-after-ms": "30"})
    stream = Watch(client, retry_policy=RetryPolicy(max_retries=2), **REQUEST)
    assert await stream.run() is Outcome.COMPLETE
    assert [(n.attempt, n.max_attempts, n.wait, n.status) for n in notices] == [(1, 3, 0.03, 529), (2, 3, 0.03, 529)]
    assert stream.record.attempts == 3

    demo_server.queue_error(529, overloaded, {"retry-after-ms": "30"})
    demo_server.queue_error(529, overloaded, {"retry-after-ms": "30"})
    notices.clear()
    once = Watch(client, retry_policy=RetryPolicy(max_retries=1), **REQUEST)
    assert await once.run() is Outcome.ERROR  # one retry allowed: the second 529 is final
    assert len(notices) == 1 and isinstance(once.error, anthropic.APIStatusError) and once.error.status_code == 529


@pytest.mark.parametrize("status", [400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 529])
async def test_the_policy_retries_what_the_sdk_itself_retries(status: int, demo_server: DemoServer) -> None:
    """The SDK's own retries (`max_retries=1`) against the same failure twice: it asks again exactly when the
    policy says the failure is worth retrying."""
    error = {"type": "error", "error": {"type": "api_error", "message": "no"}}
    for _ in range(2):
        demo_server.queue_error(status, error, {"retry-after-ms": "1"})
    sdk = AsyncAnthropic(api_key="k", base_url=demo_server.base_url, max_retries=1)
    try:
        with pytest.raises(anthropic.APIStatusError) as raised:
            await sdk.messages.create(**REQUEST)
    finally:
        await sdk.close()
    sdk_retried = len(demo_server.requests) == 2
    assert RetryPolicy().should_retry(raised.value) is sdk_retried is retryable_status(status)
