"""The clock every measured timing reads (monotonic seconds: arrival times, TTFT, elapsed).

One place to read it, so tests can freeze it and get the same screens on every run.
"""

from __future__ import annotations

import time
from collections.abc import Callable

_source: Callable[[], float] = time.perf_counter


def now() -> float:
    return _source()


def freeze(at: float = 1000.0) -> None:
    """Every reading returns `at` until `unfreeze()` (for deterministic tests)."""
    global _source
    _source = lambda: at  # noqa: E731


def unfreeze() -> None:
    global _source
    _source = time.perf_counter
