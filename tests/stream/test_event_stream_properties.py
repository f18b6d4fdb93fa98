"""Properties of the stream layer over every recorded stream, served byte for byte to the real SDK.

Each `.sse` fixture is re-chunked (hypothesis-chosen write sizes, 1-byte writes splitting UTF-8
characters), given extra pings at frame boundaries, and truncated at any byte (the body then ends
cleanly, or the TCP connection is cut). Whatever arrives, `EventStream.run()` must return an
`Outcome` without raising, `on_end` comes once and last, `on_exception` at most once (exactly once
unless the stream completed), the text seen by `on_text` is a prefix of the untruncated stream's
text for that block, the wire record holds exactly the bytes that arrived, and every ping is seen.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from anthropic import AsyncAnthropic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.sse import SSE_FIXTURES, fixture_bytes
from tui_chat.demo.server import DemoServer, Recording
from tui_chat.stream.event_stream import EventStream, IncompleteStreamError
from tui_chat.stream.retry import RetryPolicy
from tui_chat.stream.types import Outcome

REQUEST: dict[str, Any] = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 1024,
    "messages": [{"role": "user", "content": "replay"}],
}
PING = b'event: ping\ndata: {"type":"ping"}\n\n'
BODIES = {path.name: path.read_bytes() for path in SSE_FIXTURES}
NAMES = sorted(BODIES)
EXHAUSTIVE = ["sdk-basic-text.sse", "hw-error-midstream-overloaded.sse"]
PROPERTY_SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
FRAME_END = re.compile(rb"\n\n")  # every fixture uses LF line ends (checked below)


# ------------------------------------------------------------------ an independent reading of the bytes
def frames_of(body: bytes) -> list[bytes]:
    """The body cut after each blank line (the last piece may be unterminated)."""
    pieces: list[bytes] = []
    start = 0
    for match in FRAME_END.finditer(body):
        pieces.append(body[start : match.end()])
        start = match.end()
    if start < len(body):
        pieces.append(body[start:])
    return pieces


def frame_data(frame: bytes) -> Any:
    data = [line[5:].strip() for line in frame.split(b"\n") if line.startswith(b"data:")]
    try:
        return json.loads(b"\n".join(data)) if data else None
    except ValueError:
        return None


def block_texts(body: bytes) -> dict[int, str]:
    """The full text of each text block, from `content_block_start` and the `text_delta`s."""
    texts: dict[int, str] = {}
    for frame in frames_of(body):
        payload = frame_data(frame)
        if not isinstance(payload, dict):
            continue
        if payload.get("type") == "content_block_start" and payload["content_block"].get("type") == "text":
            texts[payload["index"]] = payload["content_block"].get("text", "")
        elif payload.get("type") == "content_block_delta" and payload["delta"].get("type") == "text_delta":
            texts[payload["index"]] = texts.get(payload["index"], "") + payload["delta"]["text"]
    return texts


def read_part(body: bytes) -> bytes:
    """What a client reads of `body`: everything, or up to the end of the first `error` or `message_stop`
    frame (message_stop ends the answer: what follows is not read)."""
    read = 0
    for frame in frames_of(body):
        read += len(frame)
        lines = frame.split(b"\n")
        if (b"event: error" in lines or b"event: message_stop" in lines) and frame.endswith(b"\n\n"):
            break
    return body[:read]


def count_pings(body: bytes) -> int:
    return sum(1 for frame in frames_of(body) if b"event: ping" in frame.split(b"\n"))


def boundaries(body: bytes) -> list[int]:
    """Byte offsets where a whole frame may be inserted (the end only if the last frame is terminated)."""
    starts = [0] + [match.end() for match in FRAME_END.finditer(body)]
    return [offset for offset in starts if offset < len(body) or body.endswith(b"\n\n")]


def with_pings(body: bytes, at: list[int]) -> bytes:
    """Insert one ping frame at each offset in `at` (offsets into the original body)."""
    out = bytearray()
    previous = 0
    for offset in sorted(at):
        out += body[previous:offset] + PING
        previous = offset
    return bytes(out + body[previous:])


# ------------------------------------------------------------------ the stream under test
class Probe(EventStream):
    """Logs the handler calls the properties need."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[str] = []
        self.texts: list[tuple[int | None, str, str]] = []
        self.exceptions: list[BaseException] = []
        self.pings = 0
        self._block: int | None = None

    async def on_stream_event(self, event: Any) -> None:
        self.calls.append("stream_event")
        if event.type == "ping":
            self.pings += 1
        elif event.type == "content_block_delta":
            self._block = event.index

    async def on_text(self, text: str, snapshot: str) -> None:
        self.calls.append("text")
        self.texts.append((self._block, text, snapshot))

    async def on_exception(self, exception: BaseException) -> None:
        self.calls.append("exception")
        self.exceptions.append(exception)

    async def on_end(self) -> None:
        self.calls.append("end")


@dataclass
class Reference:
    """What the untruncated, unchunked stream gives."""

    outcome: Outcome
    snapshot: dict[str, Any] | None
    texts: dict[int, str]


_references: dict[str, Reference] = {}


async def play(server: DemoServer, client: AsyncAnthropic, recording: Recording) -> tuple[Probe, Outcome]:
    """Serve `recording` to one `Probe`; `run()` must not raise."""
    requests_before = len(server.requests)
    server.queue_recording(recording)
    probe = Probe(client, retry_policy=RetryPolicy(max_retries=0), **REQUEST)
    try:
        outcome = await probe.run()
    except BaseException as exc:  # pragma: no cover - the property under test
        pytest.fail(f"run() raised {exc!r}")
    assert len(server.requests) == requests_before + 1 and not server.queued
    return probe, outcome


async def reference(server: DemoServer, client: AsyncAnthropic, name: str) -> Reference:
    if name not in _references:
        probe, outcome = await play(server, client, Recording(BODIES[name]))
        snapshot = probe.snapshot.to_dict(warnings=False) if probe.snapshot is not None else None
        _references[name] = Reference(outcome, snapshot, block_texts(BODIES[name]))
    return _references[name]


def check(probe: Probe, outcome: Outcome, sent: bytes, texts: dict[int, str], *, cut: bool) -> None:
    """The properties that hold whatever arrived."""
    where = f"(sent {len(sent)} bytes, cut={cut}, outcome={outcome})"
    assert outcome in (Outcome.COMPLETE, Outcome.INCOMPLETE, Outcome.ERROR), where
    assert probe.record.status == 200 and probe.record.attempts == 1, where

    # on_end exactly once, last; on_exception at most once, exactly once unless complete.
    assert probe.calls.count("end") == 1 and probe.calls[-1] == "end", where
    assert len(probe.exceptions) == (0 if outcome is Outcome.COMPLETE else 1), (where, probe.exceptions)
    if outcome is Outcome.INCOMPLETE:
        assert isinstance(probe.exceptions[0], IncompleteStreamError), where
        assert probe.calls[-2] == "exception"

    # A complete message_stop frame is the proof of completion, however the connection ends after it.
    if b"event: message_stop\n" in read_part(sent) and read_part(sent).rstrip(b" ").endswith(b"\n\n"):
        last = read_part(sent).rsplit(b"event: ", 1)[-1]
        if last.startswith(b"message_stop"):
            assert outcome is Outcome.COMPLETE, where

    # The running text of each block only grows, and is a prefix of the block's full text.
    running: dict[int | None, str] = {}
    for block, text, snapshot in probe.texts:
        assert block in texts, where
        assert snapshot == running.get(block, "") + text, where
        assert texts[block].startswith(snapshot), (where, block, snapshot)
        running[block] = snapshot

    # The wire record is exactly what was read: all of it on a clean end; on a cut, every complete
    # frame (the unterminated remainder is lost with the connection). Nothing is read after an error.
    received = probe.record.sse_bytes()
    read = read_part(sent)
    if cut:
        assert read.startswith(received), where
        assert b"\n\n" not in read[len(received) :], where
    else:
        assert received == read, where

    # Every ping that arrived was reported, though the SDK drops them.
    assert probe.pings == count_pings(received), where


def test_fixtures_use_lf_line_ends() -> None:
    """`frames_of` and `boundaries` split on LF LF only."""
    assert all(b"\r" not in body for body in BODIES.values())


# ------------------------------------------------------------------ chunking and pings
@pytest.mark.parametrize("name", NAMES, ids=[name.removesuffix(".sse") for name in NAMES])
async def test_one_byte_writes(name: str, demo_server: DemoServer, client: AsyncAnthropic) -> None:
    """Every fixture written a byte at a time (multibyte characters split across writes)."""
    ref = await reference(demo_server, client, name)
    body = BODIES[name]
    probe, outcome = await play(demo_server, client, Recording(body, chunks=[1]))
    check(probe, outcome, body, ref.texts, cut=False)
    assert outcome is ref.outcome
    assert (probe.snapshot.to_dict(warnings=False) if probe.snapshot else None) == ref.snapshot


@st.composite
def rechunked(draw: st.DrawFn) -> tuple[str, list[int], list[int]]:
    """A fixture, the offsets to insert pings at, and write sizes."""
    name = draw(st.sampled_from(NAMES))
    at = draw(st.lists(st.sampled_from(boundaries(BODIES[name])), max_size=6))
    sizes = draw(st.lists(st.integers(1, 4) | st.integers(1, 300), min_size=1, max_size=12))
    return name, at, sizes


@settings(PROPERTY_SETTINGS, max_examples=150)
@given(case=rechunked())
async def test_any_chunking_with_pings(
    case: tuple[str, list[int], list[int]], demo_server: DemoServer, client: AsyncAnthropic
) -> None:
    """Write sizes and extra pings change nothing but the ping count."""
    name, at, sizes = case
    ref = await reference(demo_server, client, name)
    sent = with_pings(BODIES[name], at)
    probe, outcome = await play(demo_server, client, Recording(sent, chunks=sizes))
    check(probe, outcome, sent, ref.texts, cut=False)
    assert probe.pings == count_pings(read_part(sent))
    if read_part(sent) == sent:  # (nothing is read after an error or after message_stop)
        assert probe.pings == count_pings(BODIES[name]) + len(at)
    assert outcome is ref.outcome
    assert (probe.snapshot.to_dict(warnings=False) if probe.snapshot else None) == ref.snapshot
    if outcome is Outcome.COMPLETE:
        assert {block: text for block, _, text in probe.texts} == {
            block: text for block, text in ref.texts.items() if text
        }


# ------------------------------------------------------------------ truncation
@pytest.mark.parametrize("cut", [False, True], ids=["clean-end", "tcp-cut"])
@pytest.mark.parametrize("name", EXHAUSTIVE, ids=[name.removesuffix(".sse") for name in EXHAUSTIVE])
async def test_truncated_at_every_byte(name: str, cut: bool, demo_server: DemoServer, client: AsyncAnthropic) -> None:
    """`body[:n]` for every n, then a clean end of the body or a cut connection."""
    body = fixture_bytes(name)
    texts = block_texts(body)
    outcomes: set[Outcome] = set()
    for n in range(len(body) + 1):
        sent = body[:n]
        probe, outcome = await play(demo_server, client, Recording(sent, drop_at_end=cut))
        check(probe, outcome, sent, texts, cut=cut)
        outcomes.add(outcome)
    assert Outcome.ERROR in outcomes


@st.composite
def truncated(draw: st.DrawFn) -> tuple[str, list[int], list[int], int, bool]:
    """A fixture with pings inserted, write sizes, where to truncate, and whether to cut the connection."""
    name, at, sizes = draw(rechunked())
    length = len(with_pings(BODIES[name], at))
    n = draw(st.integers(0, length))
    return name, at, sizes, n, draw(st.booleans())


@settings(PROPERTY_SETTINGS, max_examples=200)
@given(case=truncated())
async def test_truncated_anywhere(
    case: tuple[str, list[int], list[int], int, bool], demo_server: DemoServer, client: AsyncAnthropic
) -> None:
    """Any fixture, re-chunked and with pings, cut short at any byte."""
    name, at, sizes, n, cut = case
    sent = with_pings(BODIES[name], at)[:n]
    probe, outcome = await play(demo_server, client, Recording(sent, chunks=sizes, drop_at_end=cut))
    check(probe, outcome, sent, block_texts(BODIES[name]), cut=cut)
