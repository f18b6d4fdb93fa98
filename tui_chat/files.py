"""Writing a file so that it is either whole or not there: never half-written, whatever stops the write."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: str | bytes, *, overwrite: bool = True) -> None:
    """Write `data` (text as UTF-8, newlines untouched) to `path`, readable by its owner only (0o600).

    The data goes to a temporary file beside `path`, is flushed to the disk (`fsync`), and only then gets
    the name, so a crash or a full disk leaves the old file (or none), never part of the new one; the
    temporary file never stays behind. With `overwrite` false, raises `FileExistsError` if `path` exists,
    even if it appeared while the data was written. Other failures raise `OSError`.
    """
    payload = data.encode("utf-8", "replace") if isinstance(data, str) else data
    temporary: str | None = None
    try:
        # The temporary name is the target's, shortened: a name just under the limit must still fit.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:64]}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        if overwrite:
            os.replace(temporary, path)
        else:
            _place_without_overwriting(temporary, path)
        temporary = None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    _sync_folder(path.parent)


def _place_without_overwriting(temporary: str, target: Path) -> None:
    """Give the finished file its name, failing if the name was taken meanwhile."""
    try:
        os.link(temporary, target)  # atomic, and fails if `target` exists
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK):
            raise
        if target.exists():  # no hard links on this file system: check, then rename
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target)) from None
        os.rename(temporary, target)
        return
    os.unlink(temporary)


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry for the new name to the disk too (where the system allows it)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
