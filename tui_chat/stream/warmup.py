"""Warm the SDK's models up off the UI thread, before the first answer.

The first use of each SDK event model makes pydantic build its schema, work that would otherwise
land in the middle of the first streamed answer (README, Performance). Running a small, complete stream
through the SDK's own accumulator in the start-up thread pays that cost where nobody waits for it.
"""

from __future__ import annotations

from typing import Any

SAMPLE_STREAM: list[dict[str, Any]] = [
    {
        "type": "message_start",
        "message": {
            "id": "msg_warmup",
            "type": "message",
            "role": "assistant",
            "model": "claude-warmup",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1},
        },
    },
    {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": "", "signature": ""}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "a"}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "c2ln"}},
    {"type": "content_block_stop", "index": 0},
    {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}},
    {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "a"}},
    {
        "type": "content_block_delta",
        "index": 1,
        "delta": {
            "type": "citations_delta",
            "citation": {
                "type": "web_search_result_location",
                "cited_text": "a",
                "url": "https://example.com",
                "title": "a",
                "encrypted_index": "x",
            },
        },
    },
    {"type": "content_block_stop", "index": 1},
    {
        "type": "content_block_start",
        "index": 2,
        "content_block": {"type": "tool_use", "id": "t", "name": "f", "input": {}},
    },
    {"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": '{"a": 1}'}},
    {"type": "content_block_stop", "index": 2},
    {
        "type": "message_delta",
        "delta": {"stop_reason": "end_turn", "stop_sequence": None},
        "usage": {"output_tokens": 3},
    },
    {"type": "message_stop"},
]


def warm_up() -> None:
    """Parse and accumulate `SAMPLE_STREAM` exactly as a real stream is (no network)."""
    import json

    from tui_chat.adapters.sdk_private import accumulate_event, construct_event
    from tui_chat.stream.event_stream import ErrorEvent, StreamError, helper_events
    from tui_chat.stream.sdk_objects import raw_event

    snapshot: Any = None
    buffers: dict[int, bytes] = {}
    for data in SAMPLE_STREAM:
        event = raw_event(str(data["type"]), json.dumps(data), construct_event)
        construct_event(data)
        snapshot = accumulate_event(event=event, current_snapshot=snapshot, json_bufs=buffers)
        helper_events(event, snapshot)
    snapshot.to_dict(warnings=False)
    ErrorEvent.construct(type="error", error=StreamError.construct(type="overloaded_error", message=""))
