"""Words for wire events: the inspector's one-line payloads. Pure Python, works on `WireEvent`s alone.

Everything returned is sanitized: wire data is untrusted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tui_chat.safety import reveal_invisible, sanitize, sanitize_line
from tui_chat.stream.wire import WireEvent, WireRecord

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
            return "thinking " + visible(json.dumps(str(delta.get("thinking", "")), ensure_ascii=False), limit)
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


TIME_WIDTH = 9
NAME_WIDTH = 20
INDEX_WIDTH = 3


def row_columns(at: float, name: str, index: int | None) -> tuple[str, str, str]:
    """The fixed-width columns of an inspector row before its payload: time, event name, block index."""
    return (
        f"{format_offset(at):>{TIME_WIDTH}} ",
        f"{name[:NAME_WIDTH]:<{NAME_WIDTH}}",
        f"{'' if index is None else index:>{INDEX_WIDTH}} ",
    )


def row_text(at: float, name: str, index: int | None, payload: str) -> str:
    """An inspector row as one line of plain text (`claude-tui -p --events-format text`)."""
    return "".join(row_columns(at, name, index)) + payload


def wire_row(wire: WireEvent, limit: int = 200) -> str:
    """The inspector's row for a wire event, as plain text."""
    return row_text(wire.at, sanitize_line(wire.name), wire.block_index, summarize(wire, limit))


def headers_summary(record: WireRecord) -> str:
    """The payload of the inspector's headers row: status, request id, requests left, attempts."""
    parts = [f"HTTP {record.status}"]
    if record.request_id:
        parts.append(sanitize_line(record.request_id))
    remaining = record.header("anthropic-ratelimit-requests-remaining")
    if remaining is not None:
        parts.append(f"requests left {sanitize_line(remaining)}")
    if record.attempts > 1:
        parts.append(f"attempt {record.attempts}")
    return " · ".join(parts)


SDK_EVENT_TYPES = ("text", "thinking", "signature", "input_json", "citation", "compaction")


@dataclass(slots=True, eq=False)
class HelperEvent:
    """An event the SDK's stream helper made up from a wire delta (not on the wire)."""

    type: str
    at: float
    """Seconds since the request was sent (same clock as `WireEvent.at`)."""
    obj: Any
    """The SDK's object (`TextEvent`, `InputJsonEvent`, ...), summarized lazily."""
    wire_index: int
    """The wire event it was made from."""


def summarize_helper(event: HelperEvent, limit: int = 200) -> str:
    """One line for an SDK helper event: its own field, then what the snapshot holds so far."""
    obj = event.obj
    if event.type in ("text", "thinking"):
        delta = json.dumps(getattr(obj, event.type, ""), ensure_ascii=False)
        return visible(f"{delta} → snapshot {len(getattr(obj, 'snapshot', '')):,} chars", limit)
    if event.type == "input_json":
        snapshot = json.dumps(getattr(obj, "snapshot", None), ensure_ascii=False, default=str)
        return visible(f"{getattr(obj, 'partial_json', '')} → parsed so far {snapshot}", limit)
    if event.type == "signature":
        return f"signature ({len(str(getattr(obj, 'signature', '')))} chars)"
    if event.type == "citation":
        citation = getattr(obj, "citation", None)
        return visible(
            f"citation {getattr(citation, 'type', '')} → {len(getattr(obj, 'snapshot', []) or [])} so far",
            limit,
        )
    return visible(event.type, limit)


@dataclass
class InspectorFilter:
    """Which rows the inspector shows."""

    pings: bool = True
    deltas: bool = True
    errors_only: bool = False
    sdk_events: bool = False
    """Also show the SDK's synthesized helper events (marked as SDK-made)."""

    def accepts(self, name: str, *, helper: bool = False, error: bool = False) -> bool:
        if self.errors_only:
            return error or name == "error"
        if helper:
            return self.sdk_events
        if name == "ping":
            return self.pings
        if name == "content_block_delta":
            return self.deltas
        return True

    def describe(self) -> str:
        if self.errors_only:
            return "errors only"
        hidden = [label for label, shown in (("pings", self.pings), ("deltas", self.deltas)) if not shown]
        parts = [f"hiding {', '.join(hidden)}"] if hidden else ["all events"]
        if self.sdk_events:
            parts.append("+ SDK helper events")
        return ", ".join(parts)


EXPLANATIONS: dict[str, str] = {
    "headers": (
        "The HTTP response headers, before any event. The status is 200 for a stream that started. "
        "`request-id` identifies the request (quote it when reporting a problem); the "
        "`anthropic-ratelimit-*` headers say how much of each rate limit is left and when it resets. "
        "Once these headers are in, the SDK never retries: any later failure arrives inside the stream."
    ),
    "message_start": (
        "Always the first event. It carries the message shell: its `id`, the `model`, `role: assistant`, an "
        "empty `content` list, `stop_reason: null`, and `usage` — the input tokens (plus any cache "
        "creation/read tokens) and a first output token count. Grammar: "
        "message_start block* message_delta+ message_stop."
    ),
    "content_block_start": (
        "Opens content block number `index` (its position in the final `message.content`) and gives its "
        "initial state: `text` (empty), `thinking`, `tool_use` (id, name, empty input), or a block that "
        "arrives whole such as `redacted_thinking` or a server tool's result. Deltas for this index follow, "
        "then content_block_stop."
    ),
    "content_block_delta": (
        "A piece of block `index`. `text_delta` adds text; `thinking_delta` adds thinking; "
        "`input_json_delta` adds a fragment of a tool call's JSON input (fragments split keys and strings, "
        "so join them and parse at the stop); `signature_delta` sets a thinking block's opaque signature; "
        "`citations_delta` attaches a source. These are the events that carry the answer."
    ),
    "content_block_stop": (
        "Closes block `index`: it is complete (tool JSON can now be parsed). The SDK's helper emits its "
        "version of this event with the whole `content_block`. A stream cut short by max_tokens may never "
        "send it for its last block."
    ),
    "message_delta": (
        "Top-level changes after the last block: `delta.stop_reason` (end_turn, max_tokens, stop_sequence, "
        "tool_use, pause_turn, refusal, ...) and `usage`. Its counts are cumulative totals, not "
        "increments: the output token count here replaces the one from message_start."
    ),
    "message_stop": (
        "The last event, with no payload. It is the only proof that the stream is complete: a body that "
        "ends without it was cut short, even if nothing raised an error."
    ),
    "ping": (
        "A keep-alive with no data. It can appear anywhere, any number of times — often right after the "
        "first content_block_start, and while the model is slow to produce tokens. The SDK drops pings "
        "before you see them; claude-tui reads the frames itself, so they show here."
    ),
    "error": (
        "The server ran into trouble after the stream had started (the HTTP status was already 200), for "
        "example `overloaded_error` — what would be an HTTP 529 before a stream. Nothing follows it. The "
        "SDK raises APIStatusError (status 200); the partial answer so far is kept."
    ),
    "unknown": (
        "An event type this version does not know. The API's versioning policy allows new event types, "
        "so a client must show or skip them, never crash. The SDK passes it through as a plain object."
    ),
    "sdk": (
        "Not on the wire: the SDK's streaming helper made this event from the delta above it. `text`, "
        "`thinking` and `input_json` carry the delta plus a snapshot of everything so far (for tool input, "
        "the JSON parsed so far in partial mode); `signature` and `citation` repeat what the delta set."
    ),
}


def explain(name: str) -> str:
    return EXPLANATIONS.get(name) or EXPLANATIONS["unknown"]


def raw_lines(wire: WireEvent) -> str:
    """The frame's bytes as text, line by line, with line ends and odd characters made visible."""
    text = wire.raw.decode("utf-8", errors="replace")
    shown: list[str] = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        ending = line[len(body) :].replace("\r", "←").replace("\n", "↵")
        trailing = len(body) - len(body.rstrip(" "))
        if trailing:
            body = body.rstrip(" ") + "·" * trailing
        shown.append(reveal_invisible(sanitize(body)) + ending)
    return "\n".join(shown)


def pretty_json(wire: WireEvent) -> str:
    payload = wire.json
    if payload is None:
        return "(the data is not JSON)" if wire.data else "(no data)"
    return sanitize(json.dumps(payload, indent=2, ensure_ascii=False))


def sdk_object_text(obj: Any) -> str:
    """How the SDK represents the event (pydantic repr), or why there is none."""
    if obj is None:
        return "(none: the SDK skipped this frame)"
    kind = type(obj).__name__
    if kind == "PingEvent":
        return "None — the SDK drops pings in its parser. claude-tui reports it as PingEvent(type='ping')."
    if kind == "ErrorEvent":
        return f"The SDK raises anthropic.APIStatusError(status_code=200) for it. claude-tui reports {obj!r}"
    return sanitize(f"{kind}:\n{obj!r}")
