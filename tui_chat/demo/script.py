"""What the demo server says, as data: replies made of blocks, and their SSE frames.

A `Reply` describes one response (its blocks, stop reason and any failure to act out); `frames()`
turns it into the exact bytes the Messages API would send, with the pause before each frame.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

_TOKEN = re.compile(r"\s*\S{1,4}|\s+$", re.DOTALL)
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def split_tokens(text: str) -> list[str]:
    """Cut text into token-sized pieces (~4 characters; one per CJK character). They join back to `text`."""
    pieces: list[str] = []
    for piece in _TOKEN.findall(text):
        if _CJK.search(piece):
            lead = len(piece) - len(piece.lstrip())
            chars = list(piece[lead:])
            if chars:
                chars[0] = piece[:lead] + chars[0]
            pieces.extend(chars)
        else:
            pieces.append(piece)
    return pieces


def count_tokens(text: str) -> int:
    """The demo's token count for a piece of text (deterministic, roughly the API's scale)."""
    return len(split_tokens(text))


def sse_frame(name: str, payload: dict[str, Any]) -> bytes:
    """One SSE frame the way the API writes it: `event:` line, compact JSON `data:` line, blank line."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return f"event: {name}\ndata: {data}\n\n".encode()


PING = sse_frame("ping", {"type": "ping"})

BlockKind = Literal[
    "text",
    "thinking",
    "tool_use",
    "redacted_thinking",
    "server_tool_use",
    "web_search_tool_result",
    "web_fetch_tool_result",
    "bash_code_execution_tool_result",
]


@dataclass
class Block:
    """One content block of a reply."""

    kind: BlockKind
    text: str = ""
    """Text, thinking, or (for tool use) the JSON input as it is streamed."""
    name: str = ""
    block_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    """Fields for blocks that arrive complete in `content_block_start`."""
    citations: list[dict[str, Any]] = field(default_factory=list)
    """Citations sent as `citations_delta`s before the text."""


@dataclass
class Reply:
    """One response of the demo server and how it should go."""

    blocks: list[Block]
    stop_reason: str = "end_turn"
    stop_sequence: str | None = None
    first_token_delay: float = 0.35
    """Seconds between `message_start` and the first delta."""
    tokens_per_second: float = 80.0
    ping_every: int = 64
    """A ping after the first `content_block_start`, then one every this many deltas."""
    slow_pings: int = 0
    """Pings sent (half a second apart) before the first delta: a slow first token."""
    error_after: int | None = None
    """Send an `error` event (overloaded) after this many deltas, and end."""
    drop_after: int | None = None
    """Cut the TCP connection after this many deltas."""
    stall_after: int | None = None
    """Stop sending (without closing) after this many deltas."""
    omit_message_stop: bool = False
    """End the body cleanly without `message_stop`."""
    error_type: str = "overloaded_error"
    error_message: str = "Overloaded"
    fixed_pace: bool = False
    """Keep `first_token_delay` and `tokens_per_second` as given (0: no pause), whatever the model's rate."""


@dataclass(frozen=True)
class Frame:
    """Bytes to write after a pause; `action` marks where to misbehave instead."""

    delay: float
    data: bytes = b""
    action: Literal["write", "drop", "stall"] = "write"


@dataclass
class MessageMeta:
    message_id: str
    model: str
    input_tokens: int
    """Uncached input tokens (after the last cache breakpoint)."""
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    server_tool_use: dict[str, int] | None = None
    """`usage.server_tool_use` at the end (None: the request offered no server tool)."""


def _block_start_payload(block: Block) -> dict[str, Any]:
    if block.kind == "text":
        return {"type": "text", "text": ""}
    if block.kind == "thinking":
        return {"type": "thinking", "thinking": "", "signature": ""}
    if block.kind in ("tool_use", "server_tool_use"):
        return {"type": block.kind, "id": block.block_id, "name": block.name, "input": {}}
    return {"type": block.kind, **block.extra}


def _deltas(block: Block) -> Iterator[dict[str, Any]]:
    if block.kind == "text":
        for citation in block.citations:
            yield {"type": "citations_delta", "citation": citation}
        for piece in split_tokens(block.text):
            yield {"type": "text_delta", "text": piece}
    elif block.kind == "thinking":
        for piece in split_tokens(block.text):
            yield {"type": "thinking_delta", "thinking": piece}
        yield {"type": "signature_delta", "signature": block.extra.get("signature", "")}
    elif block.kind in ("tool_use", "server_tool_use"):
        yield {"type": "input_json_delta", "partial_json": ""}
        text = block.text
        for start in range(0, len(text), 9):
            yield {"type": "input_json_delta", "partial_json": text[start : start + 9]}


def final_message(reply: Reply, meta: MessageMeta, max_tokens: int) -> dict[str, Any]:
    """The non-streaming response body: what the stream of `reply` accumulates to."""
    message: dict[str, Any] = {}
    json_parts: dict[int, list[str]] = {}
    for frame in frames(reply, meta, max_tokens):
        if frame.action != "write":
            continue
        payload = json.loads(frame.data.split(b"data: ", 1)[1])
        kind = payload["type"]
        if kind == "message_start":
            message = payload["message"]
        elif kind == "content_block_start":
            message["content"].append(payload["content_block"])
        elif kind == "content_block_delta":
            block, delta = message["content"][payload["index"]], payload["delta"]
            if delta["type"] == "text_delta":
                block["text"] += delta["text"]
            elif delta["type"] == "thinking_delta":
                block["thinking"] += delta["thinking"]
            elif delta["type"] == "signature_delta":
                block["signature"] = delta["signature"]
            elif delta["type"] == "citations_delta":
                block.setdefault("citations", []).append(delta["citation"])
            elif delta["type"] == "input_json_delta":
                json_parts.setdefault(payload["index"], []).append(delta["partial_json"])
        elif kind == "content_block_stop" and payload["index"] in json_parts:
            message["content"][payload["index"]]["input"] = json.loads("".join(json_parts[payload["index"]]))
        elif kind == "message_delta":
            message.update(payload["delta"])
            message["usage"].update(payload["usage"])
    return message


def frames(reply: Reply, meta: MessageMeta, max_tokens: int) -> Iterator[Frame]:
    """The frames of `reply` as a stream, with pauses and misbehaviour where the reply asks for it."""
    per_token = 1.0 / reply.tokens_per_second if reply.tokens_per_second > 0 else 0.0
    message: dict[str, Any] = {
        "id": meta.message_id,
        "type": "message",
        "role": "assistant",
        "model": meta.model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {
            "input_tokens": meta.input_tokens,
            "cache_creation_input_tokens": meta.cache_creation_input_tokens,
            "cache_read_input_tokens": meta.cache_read_input_tokens,
            "cache_creation": {
                "ephemeral_5m_input_tokens": meta.cache_creation_input_tokens,
                "ephemeral_1h_input_tokens": 0,
            },
            "output_tokens": 1,
            "service_tier": "standard",
        },
    }
    yield Frame(0.0, sse_frame("message_start", {"type": "message_start", "message": message}))
    deltas_sent = 0
    output_tokens = 0
    thinking_tokens = 0
    stop_reason = reply.stop_reason
    pinged = False
    first_delta = True
    for index, block in enumerate(reply.blocks):
        start = {"type": "content_block_start", "index": index, "content_block": _block_start_payload(block)}
        yield Frame(0.0, sse_frame("content_block_start", start))
        if not pinged:
            pinged = True
            yield Frame(0.0, PING)
            for _ in range(reply.slow_pings):
                yield Frame(0.5, PING)
        for delta in _deltas(block):
            delay = reply.first_token_delay if first_delta else per_token
            first_delta = False
            if output_tokens >= max_tokens and delta["type"] in ("text_delta", "thinking_delta"):
                stop_reason = "max_tokens"
                break
            if reply.error_after is not None and deltas_sent >= reply.error_after:
                error = {"type": "error", "error": {"type": reply.error_type, "message": reply.error_message}}
                yield Frame(per_token, sse_frame("error", error))
                return
            if reply.drop_after is not None and deltas_sent >= reply.drop_after:
                yield Frame(per_token, action="drop")
                return
            if reply.stall_after is not None and deltas_sent >= reply.stall_after:
                yield Frame(per_token, action="stall")
                return
            payload = {"type": "content_block_delta", "index": index, "delta": delta}
            yield Frame(delay, sse_frame("content_block_delta", payload))
            deltas_sent += 1
            if delta["type"] in ("text_delta", "thinking_delta"):
                output_tokens += 1
                thinking_tokens += delta["type"] == "thinking_delta"
            elif delta["type"] == "input_json_delta" and delta["partial_json"]:
                output_tokens += 2
            if deltas_sent % reply.ping_every == 0:
                yield Frame(0.0, PING)
        yield Frame(0.0, sse_frame("content_block_stop", {"type": "content_block_stop", "index": index}))
        if stop_reason == "max_tokens":
            break
    usage: dict[str, Any] = {"output_tokens": max(output_tokens, 1)}
    if thinking_tokens:
        usage["output_tokens_details"] = {"thinking_tokens": thinking_tokens}
    if meta.cache_creation_input_tokens or meta.cache_read_input_tokens:  # newer responses repeat the input counts
        usage.update(
            input_tokens=meta.input_tokens,
            cache_creation_input_tokens=meta.cache_creation_input_tokens,
            cache_read_input_tokens=meta.cache_read_input_tokens,
        )
    if meta.server_tool_use is not None:
        usage["server_tool_use"] = dict(meta.server_tool_use)
    delta_payload = {
        "type": "message_delta",
        "delta": {"stop_reason": stop_reason, "stop_sequence": reply.stop_sequence},
        "usage": usage,
    }
    yield Frame(0.0, sse_frame("message_delta", delta_payload))
    if not reply.omit_message_stop:
        yield Frame(0.0, sse_frame("message_stop", {"type": "message_stop"}))
