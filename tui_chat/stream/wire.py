"""Server-sent events exactly as they cross the wire: framing, parsing and the per-turn record.

Pure Python (no SDK, no Textual), so the session layer can store, export and replay records
without importing either.
"""

from __future__ import annotations

import itertools
import json
import re
import weakref
import zlib
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

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
"""The API's event names (SSE `event:` fields)."""

_KNOWN_NAMES = {name.encode(): name for name in KNOWN_EVENTS}
"""Every frame of a response shares these strings instead of decoding its own name."""


@dataclass(slots=True, eq=False)
class WireEvent:
    """One SSE frame as received: its exact bytes, fields and arrival time.

    Only the bytes are kept: `data` and `json` are read from them when asked for (a long session holds
    hundreds of thousands of frames; their text and parsed JSON would cost several times the bytes themselves)."""

    index: int
    """Position in the turn's stream, from 0."""
    at: float
    """Seconds since the request was sent when the frame was complete."""
    raw: bytes
    """The frame's bytes exactly as received, terminating blank line included."""
    event: str | None
    """The `event:` field (the SSE name); None when the frame had none."""
    parsed: Any = field(default=None, repr=False)
    """The object the SDK made of it (or our `PingEvent`/`ErrorEvent`), once known."""
    _data_at: int = field(default=-1, repr=False)
    """Where `data` starts in `raw` for a frame of the API's own shape (-1: read by the SSE rules)."""

    @classmethod
    def from_frame(cls, index: int, at: float, raw: bytes) -> WireEvent:
        # The API's own shape, "event: NAME\ndata: JSON\n\n", read without the general parser.
        if raw.startswith(b"event: ") and raw.endswith(b"\n\n") and b"\r" not in raw:
            name_end = raw.find(b"\n")
            data_end = len(raw) - 2
            if raw.startswith(b"data: ", name_end + 1) and raw.find(b"\n", name_end + 1) == data_end:
                name_bytes = raw[7:name_end]
                name = _KNOWN_NAMES.get(name_bytes)
                try:
                    if name is None:
                        name = name_bytes.decode()
                    raw[name_end + 7 : data_end].decode()  # (valid UTF-8: else the SSE rules decide)
                except UnicodeDecodeError:
                    pass
                else:
                    return cls(index, at, raw, name or None, _data_at=name_end + 7)
        return cls(index, at, raw, parse_frame(raw).event)

    @property
    def data(self) -> str:
        """The `data:` lines joined by newlines, exactly as received."""
        if self._data_at >= 0:
            return self.raw[self._data_at : -2].decode()
        return parse_frame(self.raw).data

    @property
    def json(self) -> Any:
        """The parsed `data` (None when it is not valid JSON), parsed each time it is asked for."""
        data = self.data
        try:
            return json.loads(data) if data else None
        except ValueError:
            return None

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


_KNOWN_SHOWN = frozenset(KNOWN_EVENTS)


def _shown_name(name: str) -> str:
    if name in _KNOWN_SHOWN:  # (the common case, asked for every row the inspector lists)
        return name
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


class WireUnavailableError(LookupError):
    """The bytes of a released record could not be read back (the database no longer holds them)."""


BodyLoader = Callable[[], "bytes | None"]
"""Reads a released record's body back (from the database); None if it cannot."""


class PackedEvents(Sequence[WireEvent]):
    """The frames of a finished response in one body and three arrays (13 bytes a frame besides its bytes),
    made into `WireEvent`s when asked for (without the SDK objects: those are rebuilt from the frame).

    A long session holds hundreds of thousands of frames; as objects each costs far more than its packed entry. Once
    the database holds them, `release` drops the body too: it is read back through the loader when a frame
    is asked for (the inspector scrolled back, the detail view, `/save-sse`), checked against its length
    and CRC, and kept for the last few records read."""

    __slots__ = ("__weakref__", "_body", "_crc", "_ends", "_loader", "_names", "_size", "_table", "_times")

    def __init__(self, body: bytes, lengths: Iterable[int], times: Iterable[float], names: Iterable[str]) -> None:
        self._body: bytes | None = body
        self._size = len(body)
        self._crc = zlib.crc32(body)
        self._ends = array("I" if len(body) < 1 << 32 else "Q", itertools.accumulate(lengths))
        self._times = array("d", times)
        self._table: list[str] = []
        index: dict[str, int] = {}
        self._names = array("H", (index.setdefault(name, len(index)) for name in names))
        self._table = list(index)
        self._loader: BodyLoader | None = None
        if len(self._ends) != len(self._times) or len(self._ends) != len(self._names):
            raise ValueError("as many lengths, times and names as frames are needed")
        if (self._ends[-1] if self._ends else 0) != len(body):
            raise ValueError("the frame lengths do not add up to the body")

    @classmethod
    def of(cls, events: Sequence[WireEvent]) -> PackedEvents:
        """`events` packed (what a stream recorded)."""
        if isinstance(events, PackedEvents):
            return events
        return cls(
            b"".join(event.raw for event in events),
            (len(event.raw) for event in events),
            (event.at for event in events),
            (event.name for event in events),
        )

    @classmethod
    def from_body(cls, body: bytes, lengths: Sequence[int], times: Sequence[float]) -> PackedEvents:
        """Frames stored as a body, their lengths and times (the database's columns)."""
        names: list[str] = []
        offset = 0
        for index, length in enumerate(lengths):
            names.append(WireEvent.from_frame(index, 0.0, body[offset : offset + length]).name)
            offset += length
        return cls(body, lengths, times, names)

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> WireEvent: ...
    @overload
    def __getitem__(self, index: slice) -> list[WireEvent]: ...
    def __getitem__(self, index: int | slice) -> WireEvent | list[WireEvent]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("frame index out of range")
        start = self._ends[index - 1] if index else 0
        return WireEvent.from_frame(index, self._times[index], self.body[start : self._ends[index]])

    @property
    def body(self) -> bytes:
        """All the frames' bytes (read back if released; `WireUnavailableError` if they cannot be)."""
        if self._body is not None:
            return self._body
        cached = _recently_read.get(self)
        if cached is not None:
            return cached
        loaded = self._loader() if self._loader is not None else None
        if loaded is None or len(loaded) != self._size or zlib.crc32(loaded) != self._crc:
            raise WireUnavailableError("the recorded bytes of this answer are no longer in the database")
        _remember(self, loaded)
        return loaded

    @property
    def released(self) -> bool:
        return self._body is None

    def release(self, loader: BodyLoader) -> None:
        """Drop the body from memory; `loader` reads it back when it is needed."""
        self._loader = loader
        self._body = None

    def lengths(self) -> list[int]:
        return [end - start for start, end in itertools.pairwise([0, *self._ends])]

    def times(self) -> array[float]:
        return self._times

    def names(self) -> list[str]:
        """What the inspector calls each frame (see `WireEvent.name`), without reading the body."""
        table = self._table
        return [table[code] for code in self._names]

    def name(self, index: int) -> str:
        return self._table[self._names[index]]

    def time(self, index: int) -> float:
        return self._times[index]


_recently_read: weakref.WeakKeyDictionary[PackedEvents, bytes] = weakref.WeakKeyDictionary()
RECENTLY_READ = 3
"""Released bodies kept after being read back (scrolling through a turn reads it once)..."""
RECENTLY_READ_BYTES = 1 << 20
"""... as long as they hold no more than this together; the last one read is kept whatever its size (the
rows drawn just after a turn is packed are its last ones: three long answers were 3.5 MB kept for them)."""


def _remember(events: PackedEvents, body: bytes) -> None:
    _recently_read.pop(events, None)
    _recently_read[events] = body
    while len(_recently_read) > 1 and (
        len(_recently_read) > RECENTLY_READ or sum(map(len, _recently_read.values())) > RECENTLY_READ_BYTES
    ):
        del _recently_read[next(iter(_recently_read.keys()))]


@dataclass(slots=True, eq=False)
class WireRecord:
    """Everything that crossed the wire for one streamed response."""

    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    events: Sequence[WireEvent] = field(default_factory=list)
    """The frames in order: a list while the response streams, `PackedEvents` once `pack`ed."""
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
        if isinstance(self.events, PackedEvents):
            return self.events.body
        return b"".join(event.raw for event in self.events)

    def counts(self) -> dict[str, int]:
        """How many frames of each name, in first-seen order."""
        names = self.events.names() if isinstance(self.events, PackedEvents) else (e.name for e in self.events)
        counts: dict[str, int] = {}
        for name in names:
            counts[name] = counts.get(name, 0) + 1
        return counts

    def frame_lengths(self) -> list[int]:
        if isinstance(self.events, PackedEvents):
            return self.events.lengths()
        return [len(event.raw) for event in self.events]

    def frame_times(self) -> Sequence[float]:
        if isinstance(self.events, PackedEvents):
            return self.events.times()
        return [event.at for event in self.events]

    @property
    def packed(self) -> PackedEvents | None:
        return self.events if isinstance(self.events, PackedEvents) else None

    def pack(self) -> PackedEvents:
        """Keep the frames packed (see `PackedEvents`): for a response that has ended."""
        packed = self.events = PackedEvents.of(self.events)
        return packed


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
