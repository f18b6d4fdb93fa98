"""Wire recordings: a turn's stream saved as a `.sse` file (exact bytes) with its timing beside it.

`NAME.sse` holds the body byte for byte, so any SSE tool can read it. `NAME.sse.json` (optional)
holds what the bytes cannot: the status, the shown headers and each frame's arrival time, so a
replay can keep the original rhythm. Recordings without it (like the SDK's fixtures) replay at
an even pace.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from tui_chat.safety import untrusted_line
from tui_chat.stream.wire import WireRecord, split_recording

META_FORMAT = "claude-tui-recording/1"
EVEN_PACE = 0.03
"""Seconds between frames when a recording carries no timing."""


@dataclass
class WireRecording:
    """A recorded response, ready to replay."""

    name: str
    body: bytes
    arrival: list[float] | None = None
    """Seconds from the request to each frame (None: no timing known)."""
    headers: list[tuple[str, str]] = field(default_factory=list)
    status: int = 200
    description: str = ""
    origin: str = ""
    read_pace: float = 0.0
    """Recorded with paced reads: its arrival times are read times, in steps of this many seconds."""

    @property
    def frames(self) -> list[bytes]:
        return split_recording(self.body)

    def delays(self, speed: float = 1.0) -> list[float]:
        """Pause before each frame, scaled by `speed` (2.0 = twice as fast; 0 or less = no pauses)."""
        count = len(self.frames)
        if speed <= 0:
            return [0.0] * count
        if self.arrival is None or len(self.arrival) != count:
            return [EVEN_PACE / speed] * count
        previous = 0.0
        result = []
        for at in self.arrival:
            result.append(max(0.0, at - previous) / speed)
            previous = at
        return result


@dataclass(frozen=True)
class ReplayChoice:
    """A recording to replay, and how: `speed` scales its timing; `step` sends one event per keypress."""

    recording: WireRecording
    speed: float
    step: bool


def meta_path(sse_path: Path) -> Path:
    return sse_path.with_name(sse_path.name + ".json")


def recording_from_record(record: WireRecord, name: str) -> WireRecording:
    return WireRecording(
        name=name,
        body=record.sse_bytes(),
        arrival=list(record.frame_times()),
        headers=list(record.headers),
        status=record.status or 200,
        read_pace=record.read_pace,
    )


def recording_meta(recording: WireRecording) -> str:
    """The sidecar JSON for a recording."""
    meta: dict[str, Any] = {
        "format": META_FORMAT,
        "status": recording.status,
        "headers": [list(pair) for pair in recording.headers],
        "arrival_seconds": recording.arrival,
    }
    if recording.read_pace > 0:  # the times are when claude-tui read each frame, in steps
        meta["read_pace_seconds"] = recording.read_pace
    return json.dumps(meta, indent=2) + "\n"


def load_recording(path: Path) -> WireRecording:
    """Read a `.sse` file and, when it is there, its timing sidecar. Raises OSError if unreadable."""
    body = path.read_bytes()
    recording = WireRecording(name=path.stem, body=body, origin=str(path))
    sidecar = meta_path(path)
    if sidecar.is_file():
        try:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        arrival = meta.get("arrival_seconds")
        if isinstance(arrival, list) and all(isinstance(a, int | float) for a in arrival):
            recording.arrival = [float(a) for a in arrival]
        headers = meta.get("headers")
        if isinstance(headers, list):  # (served as HTTP headers on replay: one sanitized line each)
            recording.headers = [
                (untrusted_line(p[0]), untrusted_line(p[1])) for p in headers if isinstance(p, list) and len(p) == 2
            ]
        status = meta.get("status")
        if isinstance(status, int) and not isinstance(status, bool) and 200 <= status <= 599:
            recording.status = status
        pace = meta.get("read_pace_seconds")
        if isinstance(pace, int | float) and not isinstance(pace, bool) and pace > 0:
            recording.read_pace = float(pace)
    return recording


def packaged_recordings() -> list[WireRecording]:
    """The example recordings shipped with claude-tui (see `tui_chat/recordings/ORIGIN.md`)."""
    folder = resources.files("tui_chat") / "recordings"
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    found = []
    for entry in index["recordings"]:
        body = (folder / entry["file"]).read_bytes()
        found.append(
            WireRecording(
                name=Path(entry["file"]).stem,
                body=body,
                description=entry["description"],
                origin=entry["origin"],
            )
        )
    return found


def find_recording(name_or_path: str, cwd: Path | None = None) -> WireRecording:
    """A packaged recording by name, or a file by path. Raises FileNotFoundError with a helpful message."""
    for recording in packaged_recordings():
        if recording.name == name_or_path or (recording.name == Path(name_or_path).stem and "/" not in name_or_path):
            return recording
    try:
        path = Path(name_or_path).expanduser()
    except RuntimeError:  # `~name/…` for a user that does not exist
        raise FileNotFoundError(f"No recording {name_or_path!r}: its ~ names no user of this machine.") from None
    if not path.is_absolute() and cwd is not None:
        path = cwd / path
    if path.is_file():
        return load_recording(path)
    names = ", ".join(r.name for r in packaged_recordings())
    raise FileNotFoundError(f"No recording {name_or_path!r}: not a file, and not one of the examples ({names}).")
