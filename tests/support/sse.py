"""Recorded streams and streams made up for a test, and what the SDK's own helper makes of them."""

from __future__ import annotations

from typing import Any

from anthropic import AsyncAnthropic

from tests.support.paths import FIXTURES
from tui_chat.demo.script import sse_frame

SSE_FIXTURES = sorted(FIXTURES.glob("*.sse"))


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


REQUEST: dict[str, Any] = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 1024,
    "messages": [{"role": "user", "content": "replay"}],
}


async def sdk_reference(client: AsyncAnthropic) -> tuple[str | None, dict[str, Any] | None]:
    """What the SDK's own helper makes of the next queued response: (exception, final snapshot)."""
    error: str | None = None
    snapshot = None
    async with client.messages.stream(**REQUEST) as stream:
        try:
            await stream.until_done()
        except Exception as exc:
            error = type(exc).__name__
        snapshot = stream._current_snapshot_or_none()
    return error, snapshot.to_dict(warnings=False) if snapshot is not None else None


def one_block_stream(
    pieces: list[str],
    *,
    start_usage: dict[str, int] | None = None,
    delta_usage: dict[str, int] | None = None,
    stop_reason: str = "end_turn",
    ending: str = "complete",
    model: str = "claude-sonnet-5-5",
) -> bytes:
    """A stream of one text block made of `pieces`; `ending`: `complete`, `error` (an overloaded_error
    event after the text) or `cut` (the body ends after the text, no message_delta)."""
    message = {
        "id": "msg_first_hour",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": start_usage if start_usage is not None else {"input_tokens": 12, "output_tokens": 1},
    }
    frames = [
        sse_frame("message_start", {"type": "message_start", "message": message}),
        sse_frame(
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        ),
        *(
            sse_frame(
                "content_block_delta",
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}},
            )
            for piece in pieces
        ),
    ]
    if ending == "error":
        error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
        frames.append(sse_frame("error", error))
    elif ending == "complete":
        frames += [
            sse_frame("content_block_stop", {"type": "content_block_stop", "index": 0}),
            sse_frame(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                    "usage": delta_usage if delta_usage is not None else {"output_tokens": len(pieces)},
                },
            ),
            sse_frame("message_stop", {"type": "message_stop"}),
        ]
    return b"".join(frames)
