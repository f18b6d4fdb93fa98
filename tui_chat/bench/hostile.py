"""The benchmark's hostile answers: what a broken or malicious server can send, made on the benchmark server.

A prompt `hostile KIND SIZE [delta=N]` is answered with:

- `line`: one text block of SIZE characters without a newline, in deltas of N characters (default 1,000);
- `answer`: a markdown answer of SIZE characters (paragraphs, lists, code), in deltas of N characters;
- `event`: one `content_block_delta` of SIZE bytes (past the client's ceiling for one event);
- `error`: an HTTP 400 whose error message is SIZE characters.

Pure Python (no SDK, no Textual, no aiohttp): the server and the tests build the same bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from tui_chat.demo.bench_content import bench_text

_PROMPT = re.compile(r"^\s*hostile\s+(line|answer|event|error)\s+(\d{1,9})(?:\s+delta=(\d{1,9}))?\s*$")


@dataclass(frozen=True)
class HostileAnswer:
    status: int
    body: bytes


def hostile_prompt(kind: str, size: int, *, delta: int | None = None) -> str:
    return f"hostile {kind} {size}" + (f" delta={delta}" if delta else "")


def parse_hostile_prompt(text: str) -> tuple[str, int, int] | None:
    """(kind, size, delta) of a `hostile ...` prompt, None if `text` is not one."""
    match = _PROMPT.match(text)
    if match is None:
        return None
    return match[1], int(match[2]), int(match[3] or 1000)


def _frame(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _text_stream(text: str, delta: int, *, middle: bytes = b"") -> bytes:
    """A complete answer whose one text block is `text` in deltas of `delta` characters (`middle`: a frame
    sent after them, before the block stops)."""
    message: dict[str, Any] = {
        "id": "msg_hostile",
        "type": "message",
        "role": "assistant",
        "model": "claude-hostile",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1},
    }
    parts = [
        _frame("message_start", {"type": "message_start", "message": message}),
        _frame(
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        ),
    ]
    for start in range(0, len(text), delta):
        piece = text[start : start + delta]
        parts.append(
            _frame(
                "content_block_delta",
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}},
            )
        )
    parts += [
        middle,
        _frame("content_block_stop", {"type": "content_block_stop", "index": 0}),
        _frame(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": max(1, len(text) // 4)},
            },
        ),
        _frame("message_stop", {"type": "message_stop"}),
    ]
    return b"".join(parts)


def hostile_text(kind: str, size: int) -> str:
    """The answer text of a `line` or `answer` prompt (what the client must keep, whole)."""
    if kind == "line":
        return ("".join(f"{n:07d} " for n in range(size // 8 + 1)))[:size]
    chunk = bench_text("markdown", 2000)
    return (chunk + "\n\n") * (size // (len(chunk) + 2)) + chunk[: size % (len(chunk) + 2)]


def hostile_answer(kind: str, size: int, delta: int) -> HostileAnswer:
    if kind in ("line", "answer"):
        return HostileAnswer(200, _text_stream(hostile_text(kind, size), delta))
    if kind == "event":
        return HostileAnswer(200, _text_stream("Before the huge event. ", 1000, middle=_huge_event(size)))
    error = {"type": "error", "error": {"type": "invalid_request_error", "message": "e" * size}}
    return HostileAnswer(400, json.dumps(error).encode())


def _huge_event(size: int) -> bytes:
    head = b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":'
    head += b'{"type":"text_delta","text":"'
    return head + b"h" * size + b'"}}\n\n'
