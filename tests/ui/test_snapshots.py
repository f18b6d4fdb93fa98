"""Snapshot tests of the screens in `tests/support/scenes.py` (the same scripts make `screenshots/`).

Deterministic: a frozen clock (every timing reads 0), fixed home paths (shown as `~`), UTC dates,
the demo server at full speed with its fixed ids, and no cursor blink. Update them after an
intended change of the UI with `pytest tests/ui/test_snapshots.py --snapshot-update`, then look at the
report. Snapshots are stored with LF line endings (see `.gitattributes`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.scenes import SCENES, Scene, home_environment, ttft_fixed
from tui_chat.stream import clock

SNAPSHOT_SCRIPTS = {"ttft": ttft_fixed}
"""Scenes whose screen shows measurements: fixed figures instead of a frozen clock's zeros."""


@pytest.fixture
def frozen_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    environment, work = home_environment(tmp_path)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(work)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    clock.freeze()
    try:
        yield
    finally:
        clock.unfreeze()
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize("scene", SCENES, ids=[scene.name for scene in SCENES])
def test_screen(scene: Scene, snap_compare: Any, frozen_world: None) -> None:
    script = SNAPSHOT_SCRIPTS.get(scene.name, scene.script)
    app = scene.make_app(pace=0)
    assert snap_compare(app, terminal_size=scene.size, run_before=script)
