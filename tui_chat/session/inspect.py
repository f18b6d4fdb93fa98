"""Words for wire events: the inspector's one-line payloads. Pure Python, works on `WireEvent`s alone.

Everything returned is sanitized: wire data is untrusted.
"""

from __future__ import annotations

import json
from typing import Any

from tui_chat.safety import sanitize_line
from tui_chat.stream.wire import WireEvent

KNOWN_EVENTS = (
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
    "ping",
    "error",
)


def visible(text: str, limit: int = 200) -> str:
    """A delta's text on one line: newlines as `⏎`, tabs as `⇥`, controls removed, cut at `limit`."""
    text = sanitize_line(text.replace("\n", "⏎").replace("\t", "⇥"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _usage(usage: Any) -> str:
    if not isinstance(usage, dict):
        return ""
    parts = []
    for key, label in (
        ("input_tokens", "in"),
        ("cache_creation_input_tokens", "cache+"),
        ("cache_read_input_tokens", "cache↺"),
        ("output_tokens", "out"),
    ):
        value = usage.get(key)
        if isinstance(value, int) and (value or key in ("input_tokens", "output_tokens")):
            parts.append(f"{label}={value}")
    details = usage.get("output_tokens_details")
    if isinstance(details, dict) and isinstance(details.get("thinking_tokens"), int):
        parts.append(f"thinking={details['thinking_tokens']}")
    return " ".join(parts)


def summarize(wire: WireEvent, limit: int = 200) -> str:
    """The payload of one frame in a few words: delta text, usage, stop reason, error."""
    payload = wire.json
    name = wire.name
    if not isinstance(payload, dict):
        if wire.data and payload is None:
            return visible(f"(not JSON) {wire.data}", limit)
        return ""
    if name == "content_block_delta":
        delta = payload.get("delta")
        if not isinstance(delta, dict):
            return ""
        kind = delta.get("type")
        if kind == "text_delta":
            return visible(json.dumps(str(delta.get("text", "")), ensure_ascii=False), limit)
        if kind == "thinking_delta":
            return "thinking " + visible(
                json.dumps(str(delta.get("thinking", "")), ensure_ascii=False), limit
            )
        if kind == "input_json_delta":
            return "json " + visible(str(delta.get("partial_json", "")), limit)
        if kind == "signature_delta":
            return f"signature ({len(str(delta.get('signature', '')))} chars)"
        if kind == "citations_delta":
            citation = delta.get("citation") or {}
            title = citation.get("title") or citation.get("document_title") or citation.get("type", "")
            return visible(f"citation {title}", limit)
        return visible(str(kind), limit)
    if name == "content_block_start":
        block = payload.get("content_block")
        if not isinstance(block, dict):
            return ""
        kind = str(block.get("type", "?"))
        if block.get("name"):
            return visible(f"{kind} {block['name']}", limit)
        return visible(kind, limit)
    if name == "message_start":
        message = payload.get("message")
        if not isinstance(message, dict):
            return ""
        return visible(f"{message.get('model', '')} {_usage(message.get('usage'))}".strip(), limit)
    if name == "message_delta":
        delta = payload.get("delta")
        stop = delta.get("stop_reason") if isinstance(delta, dict) else None
        text = f"stop_reason={stop} {_usage(payload.get('usage'))}".strip()
        return visible(text, limit)
    if name == "error":
        error = payload.get("error")
        if not isinstance(error, dict):
            error = {}
        return visible(f"{error.get('type', 'error')}: {error.get('message', '')}", limit)
    if name in ("ping", "message_stop", "content_block_stop"):
        return ""
    return visible(wire.data, limit)


def format_offset(seconds: float) -> str:
    """Milliseconds since the request was sent, as the inspector shows them."""
    return f"{seconds * 1000:,.0f}ms"
