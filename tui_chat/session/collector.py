"""The app's policy for Python's garbage collector while answers stream (process-wide, so one place).

A full collection walks every object of the process; during a stream that is a visible stall (the
benchmark measures it). The policy: freeze what start-up built once, before the first stream; while
any stream runs, collect only young objects; a little after the last one ends, collect the young
garbage and freeze the survivors (an answer's objects live as long as its conversation), then restore
the thresholds.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import sys

RELEASE_AFTER = 2.0
"""Seconds after the last stream ends before full collections resume (its last frames come first)."""


class CollectorPolicy:
    """Owned by the app; the chat controller tells it when streams start and end."""

    _startup_frozen = False
    """Once per process (a class attribute): what exists before the first stream is frozen once."""

    def __init__(self) -> None:
        self._streams = 0
        self._thresholds = gc.get_threshold()

    def stream_started(self) -> None:
        """Call it before the stream's objects exist: frozen with start-up's, they could never be collected."""
        if not CollectorPolicy._startup_frozen:
            CollectorPolicy._startup_frozen = True
            gc.freeze()
        self._streams += 1
        if self._streams == 1:
            gc.set_threshold(self._thresholds[0], self._thresholds[1], 1_000_000_000)

    def stream_ended(self) -> None:
        """Release the hold `RELEASE_AFTER` seconds from now (at once outside an event loop)."""
        try:
            asyncio.get_running_loop().call_later(RELEASE_AFTER, self._release)
        except RuntimeError:
            self._release()

    def _release(self) -> None:
        self._streams = max(0, self._streams - 1)
        if self._streams == 0:
            # Collect what is garbage, then freeze the survivors, so no later full collection walks them
            # again. A full collection: the stream that has ended is garbage in cycles (the SDK's stream
            # objects reference each other) promoted to the oldest generation while collections were held;
            # frozen, it would be kept for good, with everything it holds (every answer's frames). The
            # earlier answers are frozen already, so this walks one answer's objects.
            gc.collect()
            gc.freeze()
            gc.set_threshold(*self._thresholds)
            return_freed_memory()


def _malloc_trim() -> object:
    """glibc's `malloc_trim`, or None (another C library, or none found)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


_trim = _malloc_trim()


def return_freed_memory() -> None:
    """Give the memory the C heap holds free back to the system (glibc's `malloc_trim`). An answer's
    objects are many and small; once they are packed and freed, the heap keeps the pages they were on
    (the next answer's objects do not fit the holes left between the survivors), and the process grows
    by a megabyte or two an answer: over an hour, 20-30 MB. Cheap (a few ms), and done at rest."""
    if _trim is not None:
        _trim(0)  # type: ignore[operator]
