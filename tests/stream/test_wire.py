"""SSE framing: exact bytes per frame, whatever the chunking."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support import hostile_streams
from tests.support.sse import SSE_FIXTURES
from tui_chat.stream.wire import (
    PackedEvents,
    SSEFramer,
    WireEvent,
    WireRecord,
    WireUnavailableError,
    parse_frame,
    shown_headers,
    split_recording,
)


def frames_by_chunks(body: bytes, size: int) -> list[bytes]:
    framer = SSEFramer()
    frames: list[bytes] = []
    for start in range(0, len(body), size):
        frames.extend(framer.feed(body[start : start + size]))
    rest = framer.flush()
    if rest:
        frames.append(rest)
    return frames


@pytest.mark.parametrize("path", SSE_FIXTURES, ids=[p.stem for p in SSE_FIXTURES])
def test_any_chunking_gives_the_same_frames(path) -> None:  # type: ignore[no-untyped-def]
    body = path.read_bytes()
    whole = frames_by_chunks(body, len(body) + 1)
    assert b"".join(whole) == body
    for size in (1, 2, 3, 7, 64):
        assert frames_by_chunks(body, size) == whole


def test_line_endings_and_comments() -> None:
    body = b': comment\r\nevent: ping\r\ndata: {"type":"ping"}\r\n\r\nevent: a\rdata: 1\r\rdata: x\ndata: y\n\n'
    frames = frames_by_chunks(body, 1)
    assert frames == [
        b': comment\r\nevent: ping\r\ndata: {"type":"ping"}\r\n\r\n',
        b"event: a\rdata: 1\r\r",
        b"data: x\ndata: y\n\n",
    ]
    assert parse_frame(frames[0]).event == "ping"
    assert parse_frame(frames[1]).data == "1"
    multi = parse_frame(frames[2])
    assert multi.event is None and multi.data == "x\ny"


def test_split_multibyte_character_survives() -> None:
    body = 'event: content_block_delta\ndata: {"text":"≈ 日本"}\n\n'.encode()
    frames = frames_by_chunks(body, 1)
    assert frames == [body]
    assert "日本" in parse_frame(frames[0]).data


def test_unterminated_last_frame_is_kept() -> None:
    assert split_recording(b"event: a\ndata: 1\n\nevent: b\ndata: 2") == [
        b"event: a\ndata: 1\n\n",
        b"event: b\ndata: 2",
    ]


def test_wire_event_names_and_json() -> None:
    event = WireEvent.from_frame(
        0, 0.0, b'event: content_block_delta\ndata: {"type":"content_block_delta","index":2}   \n\n'
    )
    assert event.name == "content_block_delta"
    assert event.block_index == 2
    bad = WireEvent.from_frame(1, 0.0, b"event: message_start\ndata: {not json\n\n")
    assert bad.json is None and bad.name == "message_start"
    anonymous = WireEvent.from_frame(2, 0.0, b'data: {"type":"mystery"}\n\n')
    assert anonymous.name == "mystery"


def test_record_counts_and_headers() -> None:
    record = WireRecord(status=200)
    for index, frame in enumerate(split_recording((SSE_FIXTURES[0].parent / "sdk-basic-text.sse").read_bytes())):
        record.events.append(WireEvent.from_frame(index, 0.0, frame))
    assert record.counts()["ping"] == 1
    headers = shown_headers(
        [("Request-Id", "req_1"), ("X-Api-Key", "secret"), ("anthropic-ratelimit-tokens-remaining", "5")]
    )
    assert headers == [("request-id", "req_1"), ("anthropic-ratelimit-tokens-remaining", "5")]


_LINE = st.sampled_from(["event: ", "event:", "data: ", "data:", ": ", "id: ", "retry: ", "", " "])
_VALUE = st.text(alphabet=st.sampled_from(["a", " ", "{", "}", "\u00e9", "日", ":", "\r", "x"]), max_size=6)
_END = st.sampled_from(["\n", "\r\n", "\r"])


@given(st.lists(st.tuples(_LINE, _VALUE, _END), min_size=1, max_size=4), st.sampled_from(["\n", "\r\n", ""]))
def test_the_fast_reading_of_a_frame_agrees_with_the_sse_rules(lines: list[tuple[str, str, str]], end: str) -> None:
    """`WireEvent.from_frame` reads the API's usual shape directly; whatever the frame, it agrees with `parse_frame`."""
    raw = ("".join(field + value + newline for field, value, newline in lines) + end).encode()
    wire = WireEvent.from_frame(0, 0.0, raw)
    parsed = parse_frame(raw)
    assert (wire.event, wire.data) == (parsed.event, parsed.data)


@pytest.mark.parametrize(
    "raw",
    [
        b'event: content_block_delta\ndata: {"type":"content_block_delta"}\n\n',
        b'event: ping\ndata: {"type": "ping"}   \n\n',
        b"event: \ndata: x\n\n",
        b"event: a\ndata: \xe6\x97\xa5\n\n",
        b"event: a\ndata: \xe6\x97\n\n",
    ],
)
def test_the_usual_frame_shapes(raw: bytes) -> None:
    wire = WireEvent.from_frame(0, 0.0, raw)
    parsed = parse_frame(raw)
    assert (wire.event, wire.data) == (parsed.event, parsed.data)


def events_of(body: bytes) -> list[WireEvent]:
    return [WireEvent.from_frame(index, 0.1 * index, raw) for index, raw in enumerate(split_recording(body))]


def test_packed_events_give_back_every_frame_and_are_read_back_checked() -> None:
    body = b"".join(
        [*hostile_streams.answer("Hello, ", "world."), hostile_streams.frame("odd", "not json"), b": comment\r\n\r\n"]
    )
    events = events_of(body)
    packed = PackedEvents.of(events)
    assert len(packed) == len(events)
    assert [(e.index, e.at, e.raw, e.event, e.data) for e in packed] == [
        (e.index, e.at, e.raw, e.event, e.data) for e in events
    ]
    assert packed.names() == [event.name for event in events]
    record = WireRecord(status=200, events=packed)
    assert record.sse_bytes() == body and record.counts() == WireRecord(events=events).counts()

    reads: list[int] = []

    def loader() -> bytes:
        reads.append(1)
        return body

    packed.release(loader)
    assert packed.released
    assert packed.names() == [event.name for event in events]  # (names and times need no bytes)
    assert packed[2].raw == events[2].raw and packed[-1].raw == events[-1].raw
    assert packed.body == body and len(reads) == 1  # read back once, then kept for a while

    other = PackedEvents.of(events)
    other.release(lambda: body[:-1] + b"X")  # the database now holds other bytes (a replaced answer)
    with pytest.raises(WireUnavailableError):
        other[0]
    gone = PackedEvents.of(events)
    gone.release(lambda: None)
    with pytest.raises(WireUnavailableError):
        _ = gone.body


def test_bodies_read_back_are_kept_within_a_bound_and_the_last_one_always() -> None:
    from tui_chat.stream import wire as wire_module
    from tui_chat.stream.wire import RECENTLY_READ_BYTES, PackedEvents

    reads: list[int] = []

    def released(size: int) -> PackedEvents:
        body = b"x" * size
        packed = PackedEvents(body, [size], [0.0], ["content_block_delta"])
        packed.release(lambda: reads.append(size) or body)
        return packed

    small = [released(1000 + n) for n in range(3)]
    assert [len(packed[0].raw) for packed in small] == [1000, 1001, 1002] and len(reads) == 3
    reads.clear()
    assert [len(p.body) for p in small] == [1000, 1001, 1002] and reads == []  # three small ones stay
    big = released(RECENTLY_READ_BYTES * 2)
    assert len(big.body) == len(big.body) == RECENTLY_READ_BYTES * 2
    assert reads == [RECENTLY_READ_BYTES * 2]  # the last one read is kept, however big
    assert len(wire_module._recently_read) == 1  # and the others are let go: together they would exceed it
    assert len(small[0].body) == 1000
    assert len(wire_module._recently_read) == 1 and reads[-1] == 1000
