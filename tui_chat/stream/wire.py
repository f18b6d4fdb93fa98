"""Server-sent events exactly as they cross the wire: framing, parsing and the per-turn record.

Pure Python (no SDK, no Textual), so the session layer can store, export and replay records
without importing either.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

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


MAX_EVENT_BYTES = 8 * 1024 * 1024
"""The most one event may hold while a response streams (`EventStream` reads with this ceiling): a frame
grows in memory until its blank line arrives, and each of its bytes is then held several times over (its
text, its JSON, the SDK's object). The API's events are a few hundred bytes; a server tool's result a
few hundred kilobytes."""


class FrameTooLargeError(ValueError):
    """One SSE frame passed the framer's ceiling before it ended (see `MAX_EVENT_BYTES`)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"one event passed {limit:,} bytes ({size:,} bytes had arrived without its end)")
        self.size = size
        self.limit = limit


class SSEFramer:
    """Split a byte stream into SSE frames, each with its exact bytes.

    TCP chunks bear no relation to event boundaries and can split a UTF-8 character, so bytes are
    buffered until a blank line. A CR at the very end of the buffer is held back in case the
    next chunk starts with its LF. With `max_frame_bytes`, a frame that grows past it raises
    `FrameTooLargeError` (what was buffered of it is dropped).
    """

    __slots__ = ("_buffer", "_limit", "_scan_from")

    def __init__(self, max_frame_bytes: int | None = None) -> None:
        self._buffer = bytearray()
        self._scan_from = 0
        self._limit = max_frame_bytes

    def feed(self, chunk: bytes) -> list[bytes]:
        """Add `chunk`; return every frame it completes (terminating blank line included)."""
        self._buffer += chunk
        frames: list[bytes] = []
        start = 0
        limit = self._limit
        while True:
            match = _FRAME_END.search(self._buffer, max(start, self._scan_from - 4))
            if match is None:
                break
            end = match.end()
            if end == len(self._buffer) and self._buffer.endswith(b"\r"):
                break  # might be the CR of a CRLF whose LF has not arrived yet
            if limit is not None and end - start > limit:
                self._refuse(end - start)
            frames.append(bytes(self._buffer[start:end]))
            start = end
        if start:
            del self._buffer[:start]
        if limit is not None and len(self._buffer) > limit:
            self._refuse(len(self._buffer))
        self._scan_from = len(self._buffer)
        return frames

    def _refuse(self, size: int) -> None:
        assert self._limit is not None
        self._buffer.clear()
        self._scan_from = 0
        raise FrameTooLargeError(size, self._limit)

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
        """What the inspector calls this frame: the SSE name, else the data's type, else `(comment)`."""
        if self.event:
            return self.event
        payload = self.json
        if isinstance(payload, dict) and isinstance(payload.get("type"), str):
            return str(payload["type"])
        return "(no event)" if self.data else "(comment)"

    @property
    def block_index(self) -> int | None:
        payload = self.json
        if isinstance(payload, dict) and isinstance(payload.get("index"), int):
            return int(payload["index"])
        return None


def shown_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The response headers a person wants to see (request id, rate limits), lower-cased names."""
    keep: list[tuple[str, str]] = []
    for name, value in headers:
        lower = name.lower()
        if lower in SHOWN_HEADERS or lower.startswith(SHOWN_HEADER_PREFIXES):
            keep.append((lower, value))
    return keep


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
