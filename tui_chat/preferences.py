"""Preferences remembered between runs, in `config.toml` in the user config directory.

A small file a person can edit: `theme`, `inspector` (open at start), `hints` (the empty-chat
help) and `paced_reads` (read a flowing answer every 50 ms, for less CPU: see `EventStream.read_pace`).
Unknown keys are kept; a broken file is reported and ignored, never fatal.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui_chat.config import config_dir, make_private_dir

DEFAULT_THEME = "textual-dark"


@dataclass
class Preferences:
    theme: str = DEFAULT_THEME
    inspector: bool = False
    """Open the event inspector at start."""
    hints: bool = True
    """Show the help text in an empty conversation."""
    paced_reads: bool = False
    """Read a flowing answer every 50 ms instead of each frame as it lands: a fifth less CPU on a slow
    stream, event times in 50 ms steps."""
    extra: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None
    """Why the file could not be read, if it could not."""

    @staticmethod
    def path() -> Path:
        return config_dir() / "config.toml"

    @classmethod
    def load(cls) -> Preferences:
        path = cls.path()
        _make_private(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            return cls(problem=f"{path}: {error}")
        preferences = cls()
        theme, inspector, hints = data.pop("theme", None), data.pop("inspector", None), data.pop("hints", None)
        paced_reads = data.pop("paced_reads", None)
        if isinstance(theme, str) and theme:
            preferences.theme = theme
        if isinstance(inspector, bool):
            preferences.inspector = inspector
        if isinstance(hints, bool):
            preferences.hints = hints
        if isinstance(paced_reads, bool):
            preferences.paced_reads = paced_reads
        preferences.extra = data
        return preferences

    def save(self) -> None:
        """Write the file (atomically, mode 0o600, in a folder made 0o700). Errors are the caller's to report."""
        path = self.path()
        make_private_dir(path.parent)
        lines = [
            "# claude-tui preferences (edit freely; the app rewrites this file when you change a setting)",
            f"theme = {_toml_string(self.theme)}",
            f"inspector = {'true' if self.inspector else 'false'}",
            f"hints = {'true' if self.hints else 'false'}",
            f"paced_reads = {'true' if self.paced_reads else 'false'}",
        ]
        for key, value in self.extra.items():
            if isinstance(value, bool):
                lines.append(f"{key} = {'true' if value else 'false'}")
            elif isinstance(value, int | float):
                lines.append(f"{key} = {value}")
            elif isinstance(value, str):
                lines.append(f"{key} = {_toml_string(value)}")
        temporary = path.with_name(path.name + ".tmp")
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(handle, 0o600)  # (a leftover temporary file keeps its old mode through O_CREAT)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write("\n".join(lines) + "\n")
        os.replace(temporary, path)


def _make_private(path: Path) -> None:
    """Tighten an existing config folder and file made by an older claude-tui (0o755 and 0o644)."""
    for target, mode in ((path.parent, 0o700), (path, 0o600)):
        try:
            if target.exists() and target.stat().st_mode & 0o077:
                os.chmod(target, mode)
        except OSError:
            pass  # (not ours to change: leave it)


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
