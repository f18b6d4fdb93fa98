"""Recordings: the packaged ones, and a saved one's timing read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import FIXTURES
from tests.support.sse import SSE_FIXTURES
from tui_chat.session.recording import (
    find_recording,
    load_recording,
    meta_path,
    packaged_recordings,
    recording_from_record,
    recording_meta,
)
from tui_chat.stream.wire import WireEvent, WireRecord, split_recording


def test_packaged_recordings_are_listed_with_origins() -> None:
    recordings = packaged_recordings()
    assert len(recordings) >= 8
    for recording in recordings:
        assert recording.description and recording.origin
        assert recording.body == (FIXTURES / f"{recording.name}.sse").read_bytes()
    assert find_recording("hw-thinking-signature-pings").name == "hw-thinking-signature-pings"
    with pytest.raises(FileNotFoundError, match="examples"):
        find_recording("no-such-recording")


def test_saved_timing_round_trips(tmp_path: Path) -> None:
    body = (SSE_FIXTURES[0].parent / "sdk-basic-text.sse").read_bytes()
    record = WireRecord(status=200, headers=[("request-id", "req_1")])
    for index, frame in enumerate(split_recording(body)):
        record.events.append(WireEvent.from_frame(index, 0.1 * (index + 1), frame))
    recording = recording_from_record(record, "saved")
    path = tmp_path / "saved.sse"
    path.write_bytes(recording.body)
    meta_path(path).write_text(recording_meta(recording))
    loaded = load_recording(path)
    assert loaded.body == body
    assert loaded.headers == [("request-id", "req_1")]
    assert loaded.delays(1.0) == pytest.approx([0.1] * len(record.events))
    assert loaded.delays(2.0) == pytest.approx([0.05] * len(record.events))
    assert loaded.delays(0) == [0.0] * len(record.events)
    assert loaded.read_pace == 0 and "read_pace_seconds" not in meta_path(path).read_text()
    record.read_pace = 0.05  # recorded with paced reads: the sidecar says its times are read times
    meta_path(path).write_text(recording_meta(recording_from_record(record, "saved")))
    assert load_recording(path).read_pace == 0.05
