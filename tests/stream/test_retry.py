"""One definition of which statuses are worth retrying: the retry policy and the error report agree."""

from __future__ import annotations

import anthropic
import httpx2

from tui_chat.stream.errors import describe_error
from tui_chat.stream.retry import RetryPolicy, retryable_status


def status_error(status: int, headers: dict[str, str] | None = None) -> anthropic.APIStatusError:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/messages")
    body = {"type": "error", "error": {"type": "api_error", "message": "no"}}
    response = httpx2.Response(status, request=request, headers=headers, json=body)
    return anthropic.APIStatusError("no", response=response, body=body)


def test_the_report_offers_a_retry_exactly_when_the_sdk_would_retry() -> None:
    policy = RetryPolicy()
    for status in range(400, 600):
        error = status_error(status)
        assert describe_error(error).retryable == policy.should_retry(error) == retryable_status(status), status
    assert [status for status in range(400, 600) if retryable_status(status)][:4] == [408, 409, 429, 500]


def test_the_server_can_say_otherwise() -> None:
    assert not RetryPolicy().should_retry(status_error(503, {"x-should-retry": "false"}))
    assert RetryPolicy().should_retry(status_error(400, {"x-should-retry": "true"}))
