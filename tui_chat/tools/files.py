"""Read-only file access for the model, rooted at the directory claude-tui was started in.

Every path is resolved (symlinks followed) before it is checked, so neither `..` nor a link can leave
the root. Refused whatever the path: `.env` files (any name starting with `.env`), claude-tui's own
config and data folders, and any file holding the API key or something shaped like one. Files are read
up to a size cap; what is returned is text, with the configured secrets redacted all the same.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tui_chat.safety import redact

READ_MAX_BYTES = 64 * 1024
"""The most of a file `read_file` returns (the rest is cut, and the model told so)."""
SCAN_MAX_BYTES = 4 * 1024 * 1024
"""A file larger than this is not read at all (it could not be checked for keys cheaply)."""
LIST_MAX_ENTRIES = 500

KEY_SHAPED = re.compile(
    r"sk-ant-[A-Za-z0-9_-]{8,}|[A-Za-z_]*(?:API_KEY|AUTH_TOKEN|SECRET_KEY)[\"']?\s*[=:]\s*[\"']?[A-Za-z0-9_.\-]{20,}",
    re.IGNORECASE,
)
"""An Anthropic key (`sk-ant-…`), or a key of any kind assigned a value (`ANTHROPIC_API_KEY=abcd…`,
`"api_key": "…"`); a mention without a value (`export ANTHROPIC_API_KEY=$KEY`) is not one."""


class FileToolError(Exception):
    """The path is refused or cannot be read; the message (for the model and the user) says why."""


@dataclass
class FileGuard:
    """Decides which paths the file tools may touch, and reads them."""

    root: Path
    """Where claude-tui was started: nothing outside it is readable."""
    private: Sequence[Path] = ()
    """Folders refused inside the root too (claude-tui's config and data folders)."""
    secrets: Sequence[str] = ()
    """Values that must never leave (the API key): a file holding one is refused."""
    max_bytes: int = READ_MAX_BYTES
    _root: Path = field(init=False)

    def __post_init__(self) -> None:
        self._root = self.root.resolve()
        self._private = [_resolved(path) for path in self.private]

    # ------------------------------------------------------------------------------ checks
    def resolve(self, path_text: str) -> Path:
        """The real path of `path_text` (relative to the root), if the tools may see it."""
        text = str(path_text).strip() or "."
        if "\x00" in text:
            raise FileToolError("A path cannot contain a NUL character.")
        candidate = Path(text).expanduser()
        if any(part.startswith(".env") for part in candidate.parts):
            raise FileToolError(f"{text} is refused: .env files hold secrets and are never read.")
        if not candidate.is_absolute():
            candidate = self._root / candidate
        try:
            real = candidate.resolve(strict=True)
        except FileNotFoundError:
            raise FileToolError(f"{self.shown(candidate)} does not exist.") from None
        except (OSError, RuntimeError) as error:  # a symlink loop, a permission problem
            raise FileToolError(f"{self.shown(candidate)} cannot be opened: {_reason(error)}.") from None
        if real != self._root and self._root not in real.parents:
            raise FileToolError(
                f"{text} is outside the folder claude-tui was started in ({self._root}); "
                "only files under it can be read."
            )
        self._check_private(real, text)
        return real

    def _check_private(self, real: Path, shown: str) -> None:
        relative = real.relative_to(self._root)
        for part in (real.name, *relative.parts):
            if part.startswith(".env"):
                raise FileToolError(f"{shown} is refused: .env files hold secrets and are never read.")
        for folder in self._private:
            if real == folder or folder in real.parents:
                raise FileToolError(f"{shown} is refused: claude-tui's own config and data are never read.")

    def shown(self, path: Path) -> str:
        """A path as the model and the user see it: relative to the root when it is under it."""
        try:
            return str(path.relative_to(self._root)) or "."
        except ValueError:
            return str(path)

    # ------------------------------------------------------------------------------ tools
    def list_files(self, path_text: str = ".") -> str:
        """The entries of a folder under the root, one a line (folders end with `/`), refused ones left out."""
        folder = self.resolve(path_text)
        if not folder.is_dir():
            raise FileToolError(f"{path_text} is not a folder.")
        lines: list[str] = []
        hidden = 0
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            raise FileToolError(f"{path_text} cannot be listed: {_reason(error)}.") from None
        for entry in entries:
            if entry.name.startswith(".env") or self._is_private(Path(entry.path)):
                hidden += 1
                continue
            if len(lines) >= LIST_MAX_ENTRIES:
                lines.append(f"… and more ({len(entries) - LIST_MAX_ENTRIES - hidden} entries not listed)")
                break
            try:
                is_dir = entry.is_dir()
                size = "" if is_dir else f"  {entry.stat().st_size:,} bytes"
            except OSError:
                is_dir, size = False, ""
            lines.append(f"{entry.name}{'/' if is_dir else ''}{size}")
        header = f"{self.shown(folder)}/ ({len(lines)} entries)"
        if hidden:
            header += f"; {hidden} refused entries not shown (.env files, claude-tui's own folders)"
        return "\n".join([header, *lines]) if lines else header + "\n(empty)"

    def _is_private(self, path: Path) -> bool:
        real = _resolved(path)
        return any(real == folder or folder in real.parents for folder in self._private)

    def read_file(self, path_text: str, offset: int = 0) -> str:
        """A text file under the root (from byte `offset`), at most `max_bytes` of it."""
        path = self.resolve(path_text)
        if path.is_dir():
            raise FileToolError(f"{path_text} is a folder: list_files lists it.")
        if not path.is_file():
            raise FileToolError(f"{path_text} is not a regular file.")
        try:
            size = path.stat().st_size
            if size > SCAN_MAX_BYTES:
                raise FileToolError(
                    f"{path_text} is {size:,} bytes; files above {SCAN_MAX_BYTES:,} bytes are not read."
                )
            with path.open("rb") as file:
                data = file.read(SCAN_MAX_BYTES + 1)
        except OSError as error:
            raise FileToolError(f"{path_text} cannot be read: {_reason(error)}.") from None
        if b"\x00" in data[:8192]:
            raise FileToolError(f"{path_text} is a binary file; only text files are read.")
        text = data.decode("utf-8", errors="replace")
        if self.holds_secret(text):
            raise FileToolError(f"{path_text} is refused: it holds an API key (or something shaped like one).")
        offset = max(0, int(offset))
        part = data[offset : offset + self.max_bytes].decode("utf-8", errors="replace")
        end = offset + self.max_bytes
        if offset or end < len(data):
            shown_end = min(end, len(data))
            note = f"[bytes {offset:,}–{shown_end:,} of {len(data):,}"
            note += f"; read_file with offset {shown_end} reads on]" if shown_end < len(data) else "]"
            part = f"{part}\n{note}"
        return redact(part, self.secrets)

    def holds_secret(self, text: str) -> bool:
        return any(secret and len(secret) >= 8 and secret in text for secret in self.secrets) or bool(
            KEY_SHAPED.search(text)
        )


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return type(error).__name__


def private_folders(extra: Iterable[Path] = ()) -> list[Path]:
    """claude-tui's own config and data folders (and any `extra`): refused to the file tools."""
    from tui_chat.config import config_dir, data_dir

    return [config_dir(), data_dir(), *extra]
