"""Turn any failure of a request or stream into an `ErrorInfo` a person can read."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import Any

import anthropic
import httpx2

from tui_chat.safety import redact, sanitize_line
from tui_chat.stream.retry import RetryPolicy, retry_after_seconds, retryable_status
from tui_chat.stream.types import ErrorInfo, IncompleteStreamError, StreamOrderError
from tui_chat.stream.wire import FrameTooLargeError

SHOWN_ERROR_CHARACTERS = 2_000
"""A server's error message is cut here (a 10 MB error body would otherwise be drawn, stored and exported)."""


def _cut(text: str, limit: int = SHOWN_ERROR_CHARACTERS) -> str:
    """`text`, cut at `limit` characters with a note of how much more there was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters not shown)"


_HINTS = {
    400: "The API rejected the request; its message says why.",
    401: "The API key was not accepted. Set a valid ANTHROPIC_API_KEY (environment or .env) and restart.",
    403: "This key may not use this model or feature.",
    404: "Unknown model or endpoint: pick another model (/model) or check --base-url.",
    413: "The conversation is too large for one request (32 MB). Start a new conversation.",
    429: "Rate limited: wait a moment before retrying.",
    500: "The API had an internal error; retrying usually works.",
    529: "The API is overloaded; retry in a moment.",
}


GATEWAY_400_HINT = (
    "The server rejected the request; its message says why. Through a gateway or proxy, a 400 can also "
    "mean it did not accept the API key: it may want its own key in ANTHROPIC_API_KEY (see the README's "
    "'Using a gateway')."
)


def _from_anthropic(error: anthropic.APIStatusError) -> bool:
    """Whether the error came from the Anthropic API itself (not a gateway at another address)."""
    try:
        host = error.response.request.url.host
    except RuntimeError:  # a response built without its request
        return True
    return host == "anthropic.com" or host.endswith(".anthropic.com")


def _api_message(error: anthropic.APIStatusError) -> tuple[str | None, str]:
    """The error's `error.type` and message, as text (a server may send any JSON value in either)."""
    body = error.body
    if isinstance(body, dict):
        detail = body.get("error")
        if isinstance(detail, dict):
            error_type = detail.get("type")
            shown_type = sanitize_line(_cut(error_type, 200)) if isinstance(error_type, str) else None
            return shown_type, str(detail.get("message", ""))
    return None, str(error.message)


def client_secrets(client: Any) -> list[str]:
    """The credentials an SDK client sends (`api_key`, `auth_token`): what no error text may show."""
    return [value for value in (getattr(client, "api_key", None), getattr(client, "auth_token", None)) if value]


def describe_error(error: BaseException, secrets: Iterable[str | None] = ()) -> ErrorInfo:
    """Classify `error` (SDK errors, transport errors, bad frames) and say what to do.

    Every text of the result is one sanitized line with `secrets` (and anything shaped like a key)
    redacted: an exception's text can quote the request's headers (httpx: "Illegal header value
    b'Bearer sk-ant-…'") or a server's echo of them.
    """
    info = _describe(error)
    secrets = [secret for secret in secrets if secret]
    if not secrets:
        return info  # (`ErrorInfo` itself redacts anything shaped like a key)

    def hidden(text: str | None) -> str | None:
        return None if text is None else redact(text, secrets)

    return dataclasses.replace(
        info,
        kind=redact(info.kind, secrets),
        summary=redact(info.summary, secrets),
        error_type=hidden(info.error_type),
        request_id=hidden(info.request_id),
        hint=hidden(info.hint),
    )


def _describe(error: BaseException) -> ErrorInfo:
    if isinstance(error, anthropic.APIStatusError):
        error_type, message = _api_message(error)
        request_id = error.request_id
        status = error.status_code
        if status == 200:  # an `error` event inside a 200 stream (PROTOCOL.md §7)
            kind = error_type or "error event"
            hint = _HINTS.get(529 if error_type == "overloaded_error" else 500)
            return ErrorInfo(
                kind=kind,
                summary=sanitize_line(_cut(f"The stream reported {kind}: {message}")),
                status=status,
                error_type=error_type,
                request_id=request_id,
                hint=hint,
            )
        hint = _HINTS.get(status) or (_HINTS[500] if status >= 500 else None)
        if status == 400 and not _from_anthropic(error):
            hint = GATEWAY_400_HINT
        summary = _cut(f"HTTP {status} {error_type or ''}: {message}".replace("  ", " "))
        wait = retry_after_seconds(error.response.headers)
        if wait is not None and wait > 0:
            summary += f" (the server asks to wait {wait:,.0f} s before retrying)"
            ceiling = RetryPolicy().max_wait
            if wait > ceiling:
                hint = f"That is longer than claude-tui waits by itself ({ceiling:.0f} s)."
        return ErrorInfo(
            kind=f"HTTP {status}",
            summary=sanitize_line(summary),
            status=status,
            error_type=error_type,
            request_id=request_id,
            hint=hint,
            retryable=retryable_status(status),
        )
    if isinstance(error, (anthropic.APITimeoutError, httpx2.TimeoutException)):
        return ErrorInfo(
            kind="timeout",
            summary="No data from the server within the read timeout.",
            hint="The server stalled. Raise --read-timeout if answers legitimately pause this long.",
        )
    if isinstance(error, anthropic.APIConnectionError):
        cause = error.__cause__ or error
        return ErrorInfo(
            kind="connection failed",
            summary=sanitize_line(_cut(f"Could not reach the API: {cause}")),
            hint="Check the network and --base-url / ANTHROPIC_BASE_URL.",
        )
    if isinstance(error, httpx2.TransportError):
        return ErrorInfo(
            kind="connection dropped",
            summary=sanitize_line(_cut(f"The connection broke mid-answer ({type(error).__name__}: {error}).")),
            hint="The network connection was lost mid-answer.",
        )
    if isinstance(error, IncompleteStreamError):
        return ErrorInfo(
            kind="incomplete",
            summary="The stream ended without message_stop: the answer may be cut short.",
            hint="The server closed the stream early.",
        )
    if isinstance(error, StreamOrderError):
        return ErrorInfo(
            kind="events out of order",
            summary=sanitize_line(str(error)),
            hint="The server (or a proxy in between) broke the stream; what arrived before is kept.",
        )
    if isinstance(error, FrameTooLargeError):
        return ErrorInfo(
            kind="event too large",
            summary=(
                f"The server sent an event of over {error.limit / 1024 / 1024:,.0f} MB, more than claude-tui holds "
                "in memory for one event: it stopped reading there."
            ),
            hint="The server is not behaving like the Messages API (its events are a few kilobytes).",
        )
    if isinstance(error, json.JSONDecodeError):
        return ErrorInfo(
            kind="bad frame",
            summary=sanitize_line(_cut(f"A data line was not valid JSON: {error}")),
            hint="The server sent something the protocol does not allow.",
        )
    return ErrorInfo(
        kind=type(error).__name__,
        summary=sanitize_line(_cut(f"{type(error).__name__}: {error}")),
        hint=None,
    )
