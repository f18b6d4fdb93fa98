"""Server-sent events exactly as they cross the wire: framing, parsing and the per-turn record.

Pure Python (no SDK, no Textual), so the session layer can store, export and replay records
without importing either.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from tui_chat.safety import untrusted_line

# A frame ends at a blank line: a line terminator (CRLF, LF or CR) right after another one.
_FRAME_END = re.compile(rb"(?:\r\n|\r(?!\n)|\n)(?:\r\n|\r|\n)")

# Headers worth showing for a response; everything else is dropped. Never any request header,
# so the API key cannot appear here.
SHOWN_HEADER_PREFIXES = ("anthropic-ratelimit-", "retry-after", "x-should-retry")
SHOWN_HEADERS = frozenset(
    {
        "request-id",
        "content-type",
        "anthropic-organization-id",
        "anthropic-workspace-id",
        "server",
        "date",
        "via",
        "cf-ray",
        "retry-after-ms",
    }
)


class SSEFramer:
    """Split a byte stream into SSE frames, each with its exact bytes.

    TCP chunks bear no relation to event boundaries and can split a UTF-8 character, so bytes are
    buffered until a blank line. A CR at the very end of the buffer is held back in case the
    next chunk starts with its LF.
    """

    __slots__ = ("_buffer", "_scan_from")

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._scan_from = 0

    def feed(self, chunk: bytes) -> list[bytes]:
        """Add `chunk`; return every frame it completes (terminating blank line included)."""
        self._buffer += chunk
        frames: list[bytes] = []
        start = 0
        while True:
            match = _FRAME_END.search(self._buffer, max(start, self._scan_from - 4))
            if match is None:
                break
            end = match.end()
            if end == len(self._buffer) and self._buffer.endswith(b"\r"):
                break  # might be the CR of a CRLF whose LF has not arrived yet
            frames.append(bytes(self._buffer[start:end]))
            start = end
        if start:
            del self._buffer[:start]
        self._scan_from = len(self._buffer)
        return frames

    def flush(self) -> bytes | None:
        """At end of stream: the unterminated remainder, if any."""
        rest = bytes(self._buffer)
        self._buffer.clear()
        self._scan_from = 0
        return rest or None


@dataclass(slots=True)
class ParsedFrame:
    """The SSE fields of one frame."""

    event: str | None
    data: str
    lines: list[str]
    has_data: bool
    id: str | None = None
    retry: int | None = None


def parse_frame(raw: bytes) -> ParsedFrame:
    """Interpret one frame by the SSE rules: `event`, `data` (joined by newlines), comments ignored."""
    event: str | None = None
    data_lines: list[str] = []
    lines: list[str] = []
    last_id: str | None = None
    retry: int | None = None
    for raw_line in raw.splitlines():  # bytes.splitlines only splits on \r and \n
        if not raw_line:
            continue
        line = raw_line.decode("utf-8", errors="replace")
        lines.append(line)
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "event":
            event = value or None
        elif name == "data":
            data_lines.append(value)
        elif name == "id" and "\0" not in value:
            last_id = value
        elif name == "retry" and value.isdigit():
            retry = int(value)
    return ParsedFrame(event, "\n".join(data_lines), lines, bool(data_lines), last_id, retry)


_UNPARSED: Any = object()


@dataclass(slots=True, eq=False)
class WireEvent:
    """One SSE frame as received: its exact bytes, fields and arrival time."""

    index: int
    """Position in the turn's stream, from 0."""
    at: float
    """Seconds since the request was sent when the frame was complete."""
    raw: bytes
    """The frame's bytes exactly as received, terminating blank line included."""
    event: str | None
    """The `event:` field (the SSE name); None when the frame had none."""
    data: str
    """The `data:` lines joined by newlines, exactly as received."""
    parsed: Any = field(default=None, repr=False)
    """The object the SDK made of it (or our `PingEvent`/`ErrorEvent`), once known."""
    _json: Any = field(default=_UNPARSED, repr=False)

    @classmethod
    def from_frame(cls, index: int, at: float, raw: bytes) -> WireEvent:
        # The API's own shape, "event: NAME\ndata: JSON\n\n", read without the general parser.
        if raw.startswith(b"event: ") and raw.endswith(b"\n\n") and b"\r" not in raw:
            name_end = raw.find(b"\n")
            data_end = len(raw) - 2
            if raw.startswith(b"data: ", name_end + 1) and raw.find(b"\n", name_end + 1) == data_end:
                try:
                    name, data = raw[7:name_end].decode(), raw[name_end + 7 : data_end].decode()
                except UnicodeDecodeError:
                    pass
                else:
                    return cls(index, at, raw, name or None, data)
        parsed = parse_frame(raw)
        return cls(index, at, raw, parsed.event, parsed.data)

    @property
    def json(self) -> Any:
        """The parsed `data` (None when it is not valid JSON). Parsed once, on first use."""
        if self._json is _UNPARSED:
            try:
                self._json = json.loads(self.data) if self.data else None
            except ValueError:
                self._json = None
        return self._json

    @property
    def name(self) -> str:
        """What the inspector calls this frame: the SSE name, else the data's type, else `(comment)`
        (one sanitized line: a server chooses it)."""
        if self.event:
            return _shown_name(self.event)
        payload = self.json
        if isinstance(payload, dict) and isinstance(payload.get("type"), str):
            return _shown_name(payload["type"])
        return "(no event)" if self.data else "(comment)"

    @property
    def block_index(self) -> int | None:
        payload = self.json
        if isinstance(payload, dict) and isinstance(payload.get("index"), int):
            return int(payload["index"])
        return None


def _shown_name(name: str) -> str:
    return name if name.isascii() and name.isprintable() else untrusted_line(name)


def shown_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The response headers a person wants to see (request id, rate limits), lower-cased names, each
    value one sanitized line: httpx accepts ESC and bytes 0x80-0xFF in a header (latin-1 decoded, so
    0x9B arrives as the C1 control CSI), and these are shown, stored and exported."""
    keep: list[tuple[str, str]] = []
    for name, value in headers:
        lower = name.lower()
        if lower in SHOWN_HEADERS or lower.startswith(SHOWN_HEADER_PREFIXES):
            keep.append((untrusted_line(lower), untrusted_line(value)))
    return keep


REQUEST_HEADER_PREFIXES = ("anthropic-",)
REQUEST_HEADERS = frozenset({"content-type", "content-length", "x-stainless-retry-count"})
SECRET_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization"})
"""Request headers that carry the key: shown by name, their value never kept."""
REDACTED = "[REDACTED]"

KEPT_MESSAGES = 4
"""A recorded request keeps its last messages; the earlier ones are folded into one line."""
KEPT_CHARACTERS = 4000
"""Longer strings in a recorded request are cut (a huge paste, a long answer)."""


@dataclass(slots=True, eq=False)
class RequestRecord:
    """One HTTP request as it was sent (the inspector's request row). The key is never in it.

    `body` is the JSON body with the history folded to its last messages, attached files as
    `<image 240 KB>` and very long strings cut (see `fold_body`); `size` is the body as sent."""

    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: Any = None
    size: int = 0
    at: float = 0.0
    """Seconds since the turn's first request was sent."""
    attempt: int = 1
    """1, or the retry it was (the SDK's `x-stainless-retry-count` + 1)."""
    index: int = 0
    """Position of this request in its turn (a turn that runs tools sends several)."""
    messages: int = 0
    """Messages in the body as sent (some may be folded in `body`)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "headers": [list(pair) for pair in self.headers],
            "body": self.body,
            "size": self.size,
            "at": self.at,
            "attempt": self.attempt,
            "index": self.index,
            "messages": self.messages,
        }

    @classmethod
    def from_dict(cls, data: Any) -> RequestRecord | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                method=str(data["method"]),
                url=str(data["url"]),
                headers=[(str(name), str(value)) for name, value in data.get("headers", [])],
                body=data.get("body"),
                size=int(data.get("size", 0)),
                at=float(data.get("at", 0.0)),
                attempt=int(data.get("attempt", 1)),
                index=int(data.get("index", 0)),
                messages=int(data.get("messages", 0)),
            )
        except (KeyError, TypeError, ValueError):
            return None


def shown_request_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The request headers a person wants to see (`anthropic-*`, content type), the key's as `[REDACTED]`."""
    keep: list[tuple[str, str]] = []
    for name, value in headers:
        lower = name.lower()
        if lower in SECRET_HEADERS:
            keep.append((lower, REDACTED))
        elif lower in REQUEST_HEADERS or lower.startswith(REQUEST_HEADER_PREFIXES):
            keep.append((lower, value))
    return keep


def fold_body(body: Any) -> tuple[Any, int]:
    """(a copy of the request body fit to keep and show, how many messages it had)."""
    if not isinstance(body, dict):
        return _fold_value(body), 0
    folded: dict[str, Any] = {}
    messages = body.get("messages")
    count = len(messages) if isinstance(messages, list) else 0
    for key, value in body.items():
        if key == "messages" and isinstance(value, list) and len(value) > KEPT_MESSAGES:
            earlier = value[: len(value) - KEPT_MESSAGES]
            size = len(json.dumps(earlier, ensure_ascii=False).encode())
            note = f"… {len(earlier)} earlier messages folded ({_size(size)}) …"
            folded[key] = [note, *(_fold_value(item) for item in value[-KEPT_MESSAGES:])]
        else:
            folded[key] = _fold_value(value)
    return folded, count


def _fold_value(value: Any) -> Any:
    if isinstance(value, dict):
        source = value.get("source")
        if isinstance(source, dict) and isinstance(source.get("data"), str):
            kind = {"image": "image", "document": "document"}.get(str(value.get("type")), "file")
            media = str(source.get("media_type", ""))
            if media == "application/pdf":
                kind = "pdf"
            elif media == "text/plain":
                kind = "text"
            data = source["data"]
            padding = len(data) - len(data.rstrip("="))
            size = len(data) * 3 // 4 - padding if source.get("type") == "base64" else len(data.encode())
            return {
                **{k: _fold_value(v) for k, v in value.items() if k != "source"},
                "source": {
                    **{k: v for k, v in source.items() if k != "data"},
                    "data": f"<{kind} {_size(size)}>",
                },
            }
        return {key: _fold_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_fold_value(item) for item in value]
    if isinstance(value, str) and len(value) > KEPT_CHARACTERS:
        return f"{value[: KEPT_CHARACTERS // 2]}… (+{len(value) - KEPT_CHARACTERS // 2:,} characters)"
    return value


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024):,} KB"
    return f"{size / (1024 * 1024):,.1f} MB"


@dataclass(slots=True, eq=False)
class WireRecord:
    """Everything that crossed the wire for one streamed response."""

    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    events: list[WireEvent] = field(default_factory=list)
    headers_at: float | None = None
    """Seconds from sending the request to the response headers."""
    attempts: int = 1
    """HTTP attempts it took (retries + 1)."""
    read_pace: float = 0.0
    """The stream's `read_pace`: when above 0, frame times after the first delta are read times, in steps."""
    request: RequestRecord | None = None
    """The request this is the response to (its last attempt)."""
    replay: bool = False
    """A replayed recording: `headers` are the ones it was recorded with (none without its sidecar), not
    the local server's that replayed it."""

    def __post_init__(self) -> None:
        # A record built from a stored row: its fields are as hostile as a server's.
        if self.headers:
            self.headers = [(untrusted_line(name), untrusted_line(value)) for name, value in self.headers]
        if not isinstance(self.status, int) or isinstance(self.status, bool):
            self.status = None
        if not isinstance(self.attempts, int) or isinstance(self.attempts, bool):
            self.attempts = 1

    def header(self, name: str) -> str | None:
        lower = name.lower()
        for key, value in self.headers:
            if key == lower:
                return value
        return None

    @property
    def request_id(self) -> str | None:
        return self.header("request-id")

    def sse_bytes(self) -> bytes:
        """The body exactly as received (what a `.sse` recording holds)."""
        return b"".join(event.raw for event in self.events)

    def counts(self) -> dict[str, int]:
        """How many frames of each name, in first-seen order."""
        counts: dict[str, int] = {}
        for event in self.events:
            counts[event.name] = counts.get(event.name, 0) + 1
        return counts


def split_recording(body: bytes) -> list[bytes]:
    """Split a whole `.sse` body into its frames (the last one may lack its blank line)."""
    framer = SSEFramer()
    frames = framer.feed(body)
    rest = framer.flush()
    if rest is not None and rest.strip():
        frames.append(rest)
    elif rest is not None and frames:
        frames[-1] += rest
    return frames
