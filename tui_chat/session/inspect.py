"""Words for wire events: the inspector's one-line payloads. Pure Python, works on `WireEvent`s alone.

Everything returned is sanitized: wire data is untrusted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tui_chat.safety import reveal_invisible, sanitize, sanitize_line
from tui_chat.stream.wire import RequestRecord, WireEvent, WireRecord
from tui_chat.wording import duration


def visible(text: str, limit: int = 200) -> str:
    """A delta's text on one line: newlines as `⏎`, tabs as `⇥`, controls removed, cut at `limit`."""
    head = text[: limit * 4 + 1]  # (sanitizing may remove some: a margin, never the whole of a huge text)
    shown = sanitize_line(head.replace("\n", "⏎").replace("\t", "⇥"))
    if len(shown) <= limit and len(head) == len(text):
        return shown
    return shown[: limit - 1] + "…"


def _head(value: object, limit: int) -> str:
    """The start of `value` as text: enough for a line of `limit` characters, never all of a huge one."""
    return str(value)[: limit * 4 + 1]


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


def summarize_run(wires: Iterable[WireEvent], count: int, helpers: int = 0, limit: int = 200) -> str:
    """Deltas that arrived together, shown as one row while they stream: how many (`count` wire events,
    `helpers` SDK helper events among them: `+N sdk`), and the start of their text joined. Only the
    deltas the row has room for are read (a run may hold thousands), so a run whose first deltas are
    not text or thinking is shown by its first one's summary."""
    head = f"×{count}" + (f" +{helpers} sdk" if helpers else "")
    texts: list[str] = []
    length = 0
    first: WireEvent | None = None
    for wire in wires:
        if first is None:
            first = wire
        payload = wire.json
        delta = payload.get("delta") if isinstance(payload, dict) else None
        kind = delta.get("type") if isinstance(delta, dict) else None
        if not isinstance(delta, dict) or kind not in ("text_delta", "thinking_delta"):
            return visible(f"{head} {summarize(first, limit)}", limit)
        text = str(delta.get("text" if kind == "text_delta" else "thinking", ""))
        texts.append(text)
        length += len(text)
        if length > limit * 4:  # (as `visible` reads it: enough for the row, whatever sanitizing removes)
            break
    if first is None:
        return visible(head, limit)
    joined = json.dumps("".join(texts), ensure_ascii=False)
    if length > limit * 4:
        joined = joined[: limit * 4 + 1]  # (still cut: `visible` ends it with "…")
    return visible(f"{head} {joined}", limit)


def summarize(wire: WireEvent, limit: int = 200) -> str:
    """The payload of one frame in a few words: delta text, usage, stop reason, error."""
    payload = wire.json
    name = wire.name
    if not isinstance(payload, dict):
        if wire.data and payload is None:
            return visible(f"(not JSON) {_head(wire.data, limit)}", limit)
        return ""
    if name == "content_block_delta":
        delta = payload.get("delta")
        if not isinstance(delta, dict):
            return ""
        kind = delta.get("type")
        if kind == "text_delta":
            return _quoted(delta.get("text", ""), limit)
        if kind == "thinking_delta":
            return "thinking " + _quoted(delta.get("thinking", ""), limit)
        if kind == "input_json_delta":
            return "json " + visible(_head(delta.get("partial_json", ""), limit), limit)
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
        return visible(f"{_head(message.get('model', ''), limit)} {_usage(message.get('usage'))}".strip(), limit)
    if name == "message_delta":
        delta = payload.get("delta")
        stop = delta.get("stop_reason") if isinstance(delta, dict) else None
        text = f"stop_reason={_head(stop, limit)} {_usage(payload.get('usage'))}".strip()
        return visible(text, limit)
    if name == "error":
        error = payload.get("error")
        if not isinstance(error, dict):
            error = {}
        return visible(f"{_head(error.get('type', 'error'), limit)}: {_head(error.get('message', ''), limit)}", limit)
    if name in ("ping", "message_stop", "content_block_stop"):
        return ""
    return visible(_head(wire.data, limit), limit)


def _quoted(text: object, limit: int) -> str:
    """A delta's text as a JSON string, on one line, cut at `limit`."""
    head = _head(text, limit)
    quoted = json.dumps(head, ensure_ascii=False)
    if len(head) < len(str(text)):
        quoted = quoted[:-1] + "…"  # (no closing quote: there is more)
    return visible(quoted, limit)


def summarize_request(request: RequestRecord, turn_number: int = 0) -> str:
    """The request row: `turn 2 · POST /v1/messages · claude-sonnet-5-5 · 3 messages · thinking summarized · …`."""
    body = request.body if isinstance(request.body, dict) else {}
    path = urlsplit(request.url).path or request.url
    parts = [f"turn {turn_number}"] if turn_number else []
    if request.index:
        parts.append(f"request {request.index + 1}")
    parts.append(f"{request.method} {path}")
    if body.get("model"):
        parts.append(str(body["model"]))
    if request.messages:
        parts.append(f"{request.messages} message{'' if request.messages == 1 else 's'}")
    files = _count_blocks(body.get("messages"), ("image", "document"))
    if files:
        parts.append(f"{files} file{'' if files == 1 else 's'}")
    results = _count_blocks(body.get("messages"), ("tool_result",))
    if results:
        parts.append(f"{results} tool_result{'' if results == 1 else 's'}")
    thinking = body.get("thinking")
    if isinstance(thinking, dict):
        display = thinking.get("display")
        parts.append(f"thinking {thinking.get('type')}" + (f" {display}" if display else ""))
    output_config = body.get("output_config")
    if isinstance(output_config, dict) and output_config.get("effort"):
        parts.append(f"effort {output_config['effort']}")
    tools = body.get("tools")
    if isinstance(tools, list) and tools:
        names = [str(tool.get("name", "?")) for tool in tools if isinstance(tool, dict)]
        parts.append("tools " + ",".join(names))
    marks = _count_key(body, "cache_control")
    if marks:
        parts.append(f"cache marks {marks}")
    if request.attempt > 1:
        parts.append(f"attempt {request.attempt}")
    parts.append(_size(request.size))
    return visible(" · ".join(parts), 400)


def _count_blocks(messages: Any, kinds: tuple[str, ...]) -> int:
    if not isinstance(messages, list) or not messages or not isinstance(messages[-1], dict):
        return 0
    content = messages[-1].get("content")
    return (
        sum(1 for block in content if isinstance(block, dict) and block.get("type") in kinds)
        if isinstance(content, list)
        else 0
    )


def _count_key(value: Any, key: str) -> int:
    if isinstance(value, dict):
        return (key in value) + sum(_count_key(item, key) for item in value.values())
    if isinstance(value, list):
        return sum(_count_key(item, key) for item in value)
    return 0


def _size(size: int) -> str:
    return f"{size:,} bytes" if size < 10_240 else f"{round(size / 1024):,} KB"


def request_head(request: RequestRecord) -> str:
    """The request line and the headers shown (the key's as `[REDACTED]`), as they went out."""
    lines = [f"{request.method} {request.url}"]
    lines += [f"{name}: {value}" for name, value in request.headers]
    return sanitize("\n".join(lines))


def request_body(request: RequestRecord) -> str:
    if request.body is None:
        return "(no body)"
    if isinstance(request.body, str):
        return sanitize(request.body)
    return sanitize(json.dumps(request.body, indent=2, ensure_ascii=False))


def request_call(request: RequestRecord) -> str:
    """The SDK call that made this request, in Python."""
    body = request.body if isinstance(request.body, dict) else {}
    arguments = [f"{name}=…" for name in body if name != "stream"]
    return (
        f"client.messages.create({', '.join(arguments)}, stream=True)\n\n"
        "The SDK serialized these parameters into the body above, added its headers (x-stainless-*, "
        "the API version, the key: never shown here), and sent it with max_retries=0: claude-tui retries "
        "by itself, so each attempt is seen."
    )


TIME_WIDTH = 9
NAME_WIDTH = 20
INDEX_WIDTH = 3


def row_columns(at: float, name: str, index: int | None) -> tuple[str, str, str]:
    """The fixed-width columns of an inspector row before its payload: time, event name, block index."""
    return (
        f"{duration(at, 'ms', compact=True):>{TIME_WIDTH}} ",
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
    if record.replay and not record.headers:
        return "replay · no headers recorded"
    parts = [f"recorded HTTP {record.status}" if record.replay else f"HTTP {record.status}"]
    if record.request_id:
        parts.append(sanitize_line(record.request_id))
    remaining = record.header("anthropic-ratelimit-requests-remaining")
    if remaining is not None:
        parts.append(f"requests left {sanitize_line(remaining)}")
    if record.attempts > 1:
        parts.append(f"attempt {record.attempts}")
    return " · ".join(parts)


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
    if event.type in ("text", "thinking"):
        # (a lazy event gives its delta and snapshot length without rebuilding a snapshot of megabytes)
        delta = getattr(event, "delta", None)
        length = getattr(event, "snapshot_length", None)
        if delta is None or length is None:
            delta, length = getattr(event.obj, event.type, ""), len(getattr(event.obj, "snapshot", ""))
        return visible(f"{_quoted(delta, limit)} → snapshot {length:,} chars", limit)
    obj = event.obj
    if event.type == "input_json":
        snapshot = _head(json.dumps(getattr(obj, "snapshot", None), ensure_ascii=False, default=str), limit)
        return visible(f"{_head(getattr(obj, 'partial_json', ''), limit)} → parsed so far {snapshot}", limit)
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
        "Closes the content block its `index` field names (the block's position in `message.content`): that "
        "block is complete, and a tool call's JSON can now be parsed. The SDK's helper emits its version of "
        "this event with the whole `content_block`. A stream cut short by max_tokens may never send it for "
        "its last block."
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


EXPLANATIONS["request"] = (
    "What claude-tui sent, as the SDK sent it: the method and URL, the `anthropic-*` headers (the API "
    "version, any beta) and the JSON body. The key's header is shown by name only, always `[REDACTED]`. "
    "Every request carries the whole conversation so far in `messages`; here the history is folded to its "
    "last messages and attached files are shown by size, e.g. `<image 240 KB>`. The controls add to it: "
    "`thinking` (/thinking), `output_config.effort` (/effort), `tools` with the server tools (/web, "
    "/code-exec), and `cache_control` marks on the system prompt and the last two user messages (prompt "
    "caching, on unless /cache off): the API caches the prompt up to each mark, so the next turn reads it "
    "back (`cache_read_input_tokens` in message_start) at a tenth of the price."
)

BLOCK_EXPLANATIONS: dict[str, str] = {
    "thinking": (
        "**A thinking block.** Adaptive thinking (`thinking: {type: adaptive}`): the model decides how much "
        "to think. With `display: summarized` its thinking streams as `thinking_delta`s; with `display: "
        "omitted` the block arrives empty — no `thinking_delta`, only the `signature_delta` — and costs the "
        "same thinking tokens. Either way the block goes back unchanged with the next request."
    ),
    "server_tool_use": (
        "**A server tool call.** A tool the API runs itself (`web_search`, `web_fetch`, `code_execution`, "
        "`bash_code_execution`, `text_editor_code_execution`), offered because /web or /code-exec put it in "
        "the request's `tools`. Its input streams as `input_json_delta`s like a client tool's, but nothing is "
        "asked of claude-tui: the result arrives as the next block of the same response."
    ),
    "web_search_tool_result": (
        "**Web search results.** Whole in `content_block_start`: for each result its `url`, `title`, "
        "`page_age` and `encrypted_content` (the page, encrypted: it goes back unchanged with the history, "
        "so that the citations stay valid). The text blocks that follow cite them with `citations_delta`s "
        "of type `web_search_result_location`; each search is counted in `usage.server_tool_use`."
    ),
    "web_fetch_tool_result": (
        "**A fetched page.** Whole in `content_block_start`: the `url`, when it was retrieved, and the page "
        "as a `document` block (its text, or a PDF). Each fetch is counted in `usage.server_tool_use`."
    ),
    "code_execution_tool_result": (
        "**Code execution output.** Whole in `content_block_start`: `stdout`, `stderr` and `return_code` "
        "of what ran in the API's sandbox."
    ),
    "bash_code_execution_tool_result": (
        "**Code execution output.** Whole in `content_block_start`: the `stdout`, `stderr` and `return_code` "
        "of the command the sandbox ran (and any files it wrote, by id)."
    ),
    "text_editor_code_execution_tool_result": (
        "**A sandbox file edit.** Whole in `content_block_start`: what the text editor tool did to a file in "
        "the API's sandbox."
    ),
    "redacted_thinking": (
        "**Redacted thinking.** Encrypted by the API; it arrives whole and goes back unchanged with the history."
    ),
}


def explain(name: str) -> str:
    return EXPLANATIONS.get(name) or EXPLANATIONS["unknown"]


def explain_wire(wire: WireEvent) -> str:
    """The event type's explanation, and the block's or delta's own when it has one (server tools,
    thinking, citations)."""
    text = explain(wire.name)
    payload = wire.json if isinstance(wire.json, dict) else {}
    block = payload.get("content_block") if wire.name == "content_block_start" else None
    if isinstance(block, dict) and str(block.get("type")) in BLOCK_EXPLANATIONS:
        text += "\n\n" + BLOCK_EXPLANATIONS[str(block["type"])]
    delta = payload.get("delta") if wire.name == "content_block_delta" else None
    if isinstance(delta, dict) and delta.get("type") == "citations_delta":
        text += (
            "\n\n**A citation.** It ties the text of this block (the text deltas that follow) to a source: a "
            "search result (`url`, `title`, `cited_text`) or a passage of an attached document. The "
            "conversation marks the sentence with the source's number and lists the sources under it."
        )
    return text


SHOWN_DETAIL_CHARACTERS = 64_000
"""The event detail view shows this much of an event's bytes, JSON or SDK object (and says what it cut)."""


def cut_note(text: str, limit: int = SHOWN_DETAIL_CHARACTERS, *, unit: str = "characters") -> str:
    """`text` cut at `limit`, saying how much more there was and where to find all of it."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n… {len(text) - limit:,} more {unit} not shown (/save-sse saves the whole stream)"


def raw_lines(wire: WireEvent, limit: int = SHOWN_DETAIL_CHARACTERS) -> str:
    """The frame's bytes as text, line by line, with line ends and odd characters made visible (the first
    `limit` bytes of a bigger one, with a note)."""
    text = wire.raw[:limit].decode("utf-8", errors="replace")
    shown: list[str] = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        ending = line[len(body) :].replace("\r", "←").replace("\n", "↵")
        trailing = len(body) - len(body.rstrip(" "))
        if trailing:
            body = body.rstrip(" ") + "·" * trailing
        shown.append(reveal_invisible(sanitize(body)) + ending)
    if len(wire.raw) > limit:
        shown.append(f"\n… {len(wire.raw) - limit:,} more bytes not shown (/save-sse saves the whole stream)")
    return "\n".join(shown)


def pretty_json(wire: WireEvent, limit: int = SHOWN_DETAIL_CHARACTERS) -> str:
    payload = wire.json
    if payload is None:
        return "(the data is not JSON)" if wire.data else "(no data)"
    return sanitize(cut_note(json.dumps(payload, indent=2, ensure_ascii=False), limit))


def sdk_object_text(obj: Any) -> str:
    """How the SDK represents the event (pydantic repr), or why there is none."""
    if obj is None:
        return "(none: the SDK skipped this frame)"
    kind = type(obj).__name__
    if kind == "PingEvent":
        return "None — the SDK drops pings in its parser. claude-tui reports it as PingEvent(type='ping')."
    if kind == "ErrorEvent":
        text = f"The SDK raises anthropic.APIStatusError(status_code=200) for it. claude-tui reports {obj!r}"
        return sanitize(cut_note(text))
    shown = repr(obj)  # a pydantic repr starts with the class name: it is not said twice
    return sanitize(cut_note(shown if shown.startswith(kind) else f"{kind}:\n{shown}"))
