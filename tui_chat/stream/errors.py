"""Turn any failure of a request or stream into an `ErrorInfo` a person can read."""

from __future__ import annotations

import json

import anthropic
import httpx2

from tui_chat.safety import sanitize_line
from tui_chat.stream.event_stream import IncompleteStreamError, StreamOrderError
from tui_chat.stream.retry import RetryPolicy, retry_after_seconds
from tui_chat.stream.types import ErrorInfo
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
    404: "Unknown model or endpoint: pick another model (ctrl+p → Model) or check --base-url.",
    413: "The conversation is too large for one request (32 MB). Start a new conversation.",
    429: "Rate limited: wait a moment before retrying.",
    500: "The API had an internal error; retrying usually works.",
    529: "The API is overloaded; retry in a moment.",
}


def _api_message(error: anthropic.APIStatusError) -> tuple[str | None, str]:
    body = error.body
    if isinstance(body, dict):
        detail = body.get("error")
        if isinstance(detail, dict):
            error_type = detail.get("type")
            shown_type = _cut(error_type, 200) if isinstance(error_type, str) else None
            return shown_type, str(detail.get("message", ""))
    return None, str(error.message)


def describe_error(error: BaseException) -> ErrorInfo:
    """Classify `error` (SDK errors, transport errors, bad frames) and say what to do."""
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
            retryable=status in (408, 409, 429) or status >= 500,
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
