"""Preferences remembered between runs, in `config.toml` in the user config directory.

A small file a person can edit: `theme`, `inspector` (open at start), `hints` (the empty-chat help),
`paced_reads` (read a flowing answer every 50 ms, for less CPU: see `EventStream.read_pace`),
`low_bandwidth` (for slow links: see `tui_chat.terminal_link`; on over SSH when not set), a
`[keys]` table that rebinds commands (see `tui_chat.commands`), `[tools]` (a tool call's `timeout`, the
loop's `max_rounds`) and `[mcp_servers.NAME]` tables (see `tui_chat.tools.mcp`). The file is read and written with
tomlkit, so the user's comments, order, unknown keys and tables survive the app's saves. A broken
file is reported and ignored, never fatal (and never overwritten).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.toml_document import TOMLDocument

from tui_chat.commands import KeyMap, parse_key_overrides
from tui_chat.config import config_dir, make_private_dir
from tui_chat.files import write_atomically
from tui_chat.tools.mcp import parse_mcp_servers
from tui_chat.tools.toolbox import ToolSettings, parse_tool_settings

DEFAULT_THEME = "textual-dark"
HEADER = "claude-tui preferences (edit freely; the app rewrites the values it owns when you change a setting)"


@dataclass
class Preferences:
    theme: str = DEFAULT_THEME
    inspector: bool = False
    """Open the event inspector at start."""
    hints: bool = True
    """Show the help text in an empty conversation."""
    paced_reads: bool = False
    """Read a flowing answer every 50 ms instead of each frame as it lands: less CPU on a slow stream
    (the benchmark measures how much), event times in 50 ms steps."""
    low_bandwidth: bool | None = None
    """Low-bandwidth mode (fewer frames, each written once the terminal showed the last; no cursor blink).
    None (not in the file): on when running over SSH."""
    keymap: KeyMap = field(default_factory=KeyMap)
    """The keys in effect: the defaults with `[keys]` applied."""
    tools: ToolSettings = field(default_factory=ToolSettings)
    """`[tools]` (timeout, max_rounds) and the `[mcp_servers.NAME]` tables (read only: the app never writes them)."""
    problems: list[str] = field(default_factory=list)
    """Why the file (or a part of it) could not be used, one sentence each."""
    document: TOMLDocument = field(default_factory=tomlkit.document)
    """The file as read, comments and all: saving changes only the values the app owns."""
    readable: bool = True
    """False when the file exists but could not be parsed: it is then never overwritten."""

    @property
    def problem(self) -> str | None:
        return "; ".join(self.problems) or None

    @staticmethod
    def path() -> Path:
        return config_dir() / "config.toml"

    @classmethod
    def load(cls) -> Preferences:
        path = cls.path()
        _make_private(path)
        _make_private(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls()
        except (OSError, UnicodeDecodeError) as error:
            return cls(problems=[f"{path}: {error}"], readable=False)
        try:
            document = tomlkit.parse(text)
            data = tomllib.loads(text)
        except (TOMLKitError, tomllib.TOMLDecodeError) as error:
            return cls(problems=[f"{path}: {error}"], readable=False)
        preferences = cls(document=document)
        theme, inspector, hints = data.get("theme"), data.get("inspector"), data.get("hints")
        paced_reads, low_bandwidth = data.get("paced_reads"), data.get("low_bandwidth")
        if isinstance(theme, str) and theme:
            preferences.theme = theme
        if isinstance(inspector, bool):
            preferences.inspector = inspector
        if isinstance(hints, bool):
            preferences.hints = hints
        if isinstance(paced_reads, bool):
            preferences.paced_reads = paced_reads
        if isinstance(low_bandwidth, bool):
            preferences.low_bandwidth = low_bandwidth
        keys: Any = data.get("keys", {})
        if isinstance(keys, dict):
            preferences.keymap, problems = parse_key_overrides(keys)
            preferences.problems.extend(f"{path}: {problem}" for problem in problems)
        else:
            preferences.problems.append(f"{path}: [keys] must be a table of command = key")
        tool_problems: list[str] = []
        if "tools" in data:
            preferences.tools, tool_problems = parse_tool_settings(data["tools"])
        if "mcp_servers" in data:
            servers, server_problems = parse_mcp_servers(data["mcp_servers"])
            preferences.tools.mcp_servers = servers
            tool_problems += server_problems
        preferences.problems.extend(f"{path}: {problem}" for problem in tool_problems)
        return preferences

    def save(self) -> None:
        """Write the values the app owns into the file, keeping everything else as it was (atomically,
        private to the user). Errors are the caller's to report; a file that could not be read is left."""
        if not self.readable:
            raise OSError(f"{self.path()} could not be read, so it is not overwritten")
        document = self.document
        if not document.body:
            document.add(tomlkit.comment(HEADER))
        defaults = Preferences()
        for key in ("theme", "inspector", "hints", "paced_reads", "low_bandwidth"):
            value = getattr(self, key)
            if value is None:
                continue
            owned = key in document or value != getattr(defaults, key)  # a default never set stays unwritten
            if owned and document.get(key) != value:
                document[key] = value
        path = self.path()
        make_private_dir(path.parent)
        write_atomically(path, tomlkit.dumps(document))


def _make_private(path: Path) -> None:
    """Tighten an existing config folder and file made by an older claude-tui (0o755 and 0o644)."""
    for target, mode in ((path.parent, 0o700), (path, 0o600)):
        try:
            if target.exists() and target.stat().st_mode & 0o077:
                os.chmod(target, mode)
        except OSError:
            pass  # (not ours to change: leave it)
