"""Settings: flags, then the environment, then `.env` in the current directory, then the user's `.env`.

No SDK and no Textual import, so `--help` and `--version` answer at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values
from platformdirs import user_config_dir, user_data_dir

from tui_chat.controls import RequestControls
from tui_chat.safety import untrusted_line

APP_NAME = "claude-tui"
DEFAULT_MODEL = "claude-sonnet-5-5"
DEFAULT_MAX_TOKENS = 4096
DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_CONNECT_TIMEOUT = 10.0


class ConfigError(Exception):
    """The settings cannot be used (the message says why and what to do; it never holds the key)."""


def display_path(path: Path) -> str:
    """A path as a person reads it: the home directory as `~`."""
    try:
        return "~/" + str(path.resolve().relative_to(Path.home().resolve()))
    except (ValueError, RuntimeError, OSError):
        return str(path)


def config_dir() -> Path:
    """Where the user's `.env` and config live (e.g. `~/.config/claude-tui`)."""
    override = os.environ.get("CLAUDE_TUI_CONFIG_DIR")
    return Path(override) if override else Path(user_config_dir(APP_NAME, appauthor=False))


def make_private_dir(path: Path) -> None:
    """Create `path` (and its parents) if needed, and make it readable by its owner only (0o700), as the
    data folder is: it holds a `.env` with the API key, preferences and the log. Raises `OSError`."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)


def data_dir() -> Path:
    """Where conversations are stored (e.g. `~/.local/share/claude-tui`)."""
    override = os.environ.get("CLAUDE_TUI_DATA_DIR")
    return Path(override) if override else Path(user_data_dir(APP_NAME, appauthor=False))


class Secret:
    """A string that never shows itself: not in `repr`, `str`, f-strings or tracebacks' locals."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass
class Settings:
    """Everything the app needs to know at start-up."""

    api_key: Secret | None = None
    key_source: str | None = None
    """Where the key came from: `environment`, or the `.env` file's path."""
    base_url: str | None = None
    model: str = DEFAULT_MODEL
    max_tokens: int = DEFAULT_MAX_TOKENS
    system: str | None = None
    demo: bool = False
    read_timeout: float = DEFAULT_READ_TIMEOUT
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    max_retries: int = 2
    env_files: list[Path] = field(default_factory=list)
    """The `.env` files that were found and read, in order of precedence."""
    no_history: bool = False
    """Do not save conversations (`--no-history`)."""
    low_bandwidth: bool = False
    """Low-bandwidth mode for this run (`--low-bandwidth`), whatever the preference says."""
    resume: str | None = None
    """Open a saved conversation at start: its id (or a unique prefix); "" for the most recent one."""
    replay: str | None = None
    """A recording to replay at start (a path, or the name of an example); "" opens the picker."""
    replay_speed: float = 1.0
    replay_step: bool = False
    controls: RequestControls = field(default_factory=RequestControls)
    """Thinking, effort, server tools and caching for new conversations (`--thinking`, `--effort`, ...)."""

    @property
    def secrets(self) -> list[str]:
        """Values that must never be shown or written anywhere."""
        return [self.api_key.reveal()] if self.api_key is not None else []

    @property
    def endpoint(self) -> str:
        """Where requests go, to show (one sanitized line: a `.env` in the current folder may set it)."""
        return untrusted_line(self.base_url or "https://api.anthropic.com")


def env_file_candidates(cwd: Path | None = None) -> list[Path]:
    """`.env` in the current directory first, then the one in the user config directory."""
    return [(cwd or Path.cwd()) / ".env", config_dir() / ".env"]


def load_settings(
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    model: str | None = None,
    max_tokens: int | None = None,
    system: str | None = None,
    base_url: str | None = None,
    demo: bool = False,
    read_timeout: float | None = None,
) -> Settings:
    """Merge flags, environment and `.env` files (earlier sources win). Never raises for a missing key."""
    environ = os.environ if environ is None else environ
    layers: list[tuple[str, Mapping[str, str | None]]] = [("environment", environ)]
    found: list[Path] = []
    for path in env_file_candidates(cwd):
        if path.is_file():
            try:
                layers.append((str(path), dotenv_values(path)))
                found.append(path)
            except (OSError, UnicodeDecodeError):
                continue

    def lookup(name: str) -> tuple[str | None, str | None]:
        for source, values in layers:
            value = values.get(name)
            if value:
                return value.strip(), source
        return None, None

    key, key_source = lookup("ANTHROPIC_API_KEY")
    problem = None if key is None or demo else key_problem(key)
    if problem is not None:
        where = "in the environment" if key_source == "environment" else f"in {key_source}"
        cause = (
            ' (a quoted value over two lines in a .env file, or export ANTHROPIC_API_KEY="$(cat FILE)" of a file '
            "with more than one line, does this)"
            if "line break" in problem
            else ""
        )
        raise ConfigError(
            f"ANTHROPIC_API_KEY ({where}) {problem}: an API key is one line of letters, digits, dashes and "
            f"underscores{cause}. Correct it and start again; nothing was sent."
        )
    env_base_url, _ = lookup("ANTHROPIC_BASE_URL")
    env_model, _ = lookup("CLAUDE_TUI_MODEL")
    env_timeout, _ = lookup("CLAUDE_TUI_READ_TIMEOUT")
    settings = Settings(
        api_key=Secret(key) if key else None,
        key_source=key_source,
        base_url=(base_url or env_base_url or None),
        model=model or env_model or DEFAULT_MODEL,
        max_tokens=max_tokens or DEFAULT_MAX_TOKENS,
        system=system,
        demo=demo,
        env_files=found,
    )
    timeout = read_timeout if read_timeout is not None else _float(env_timeout)
    if timeout is not None and timeout > 0:
        settings.read_timeout = timeout
    return settings


def key_problem(key: str) -> str | None:
    """What makes `key` impossible to send in an HTTP header (httpx refuses it with an error that quotes
    the whole header, key included), or None. Never quotes the key."""
    if "\n" in key or "\r" in key:
        return "has a line break in it"
    if any(character.isspace() for character in key):
        return "has a space or a tab in it"
    if any(not "\x21" <= character <= "\x7e" for character in key):
        return "has a control or non-ASCII character in it"
    return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
