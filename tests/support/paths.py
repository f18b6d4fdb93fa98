"""Where things are: the repository, the tests, the recorded streams."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
"""The repository's root (the folder holding `tui_chat/` and `tests/`)."""


SUPPORT = REPO / "tests" / "support"
"""This folder: the helper scripts the tests run (`crash_app.py`, `notes_server.py`)."""


FIXTURES = REPO / "tests" / "fixtures" / "sse"
"""The recorded streams (`.sse`), served byte for byte."""
