"""When to retry a request that failed before its stream started, and how long to wait.

The SDK retries inside `messages.create()` where nobody can see it. claude-tui turns the SDK's
retries off (`max_retries=0`) and applies the same policy here, so each retry can be shown with
its wait and cancelled. Once a stream has started nothing is retried (PROTOCOL.md §7).
"""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass

import anthropic
import httpx2

RETRYABLE_STATUSES = frozenset({408, 409, 429})
"""With any 5xx, the statuses the SDK retries (PROTOCOL.md §6): `retryable_status`."""


def retryable_status(status: int) -> bool:
    """Whether the SDK would retry a response with this status (unless `x-should-retry` says otherwise)."""
    return status in RETRYABLE_STATUSES or status >= 500


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """The SDK's policy (PROTOCOL.md §6) with a ceiling on how long claude-tui will wait by itself."""

    max_retries: int = 2
    initial_delay: float = 0.5
    max_backoff: float = 8.0
    max_wait: float = 60.0
    """A server asking for a longer wait is not retried automatically; the turn fails and says so."""

    def should_retry(self, error: BaseException) -> bool:
        """Whether the SDK would retry this failure (before any server-requested wait is considered)."""
        if isinstance(error, anthropic.APIStatusError):
            verdict = error.response.headers.get("x-should-retry")
            if verdict in ("true", "false"):
                return verdict == "true"
            return retryable_status(error.status_code)
        return isinstance(error, anthropic.APIConnectionError)  # includes APITimeoutError

    def wait_for(self, error: BaseException, retries_taken: int) -> float:
        """Seconds to wait before the next attempt: the server's word if it gave one, else backoff."""
        if isinstance(error, anthropic.APIStatusError):
            asked = retry_after_seconds(error.response.headers)
            if asked is not None and asked > 0:
                return asked
        backoff = min(self.initial_delay * 2.0 ** min(retries_taken, 1000), self.max_backoff)
        return backoff * (1 - 0.25 * random.random())

    def next_wait(self, error: BaseException, retries_taken: int) -> float | None:
        """The wait before retrying, or None when this failure is final."""
        if retries_taken >= self.max_retries or not self.should_retry(error):
            return None
        wait = self.wait_for(error, retries_taken)
        return wait if wait <= self.max_wait else None


def retry_after_seconds(headers: httpx2.Headers) -> float | None:
    """`retry-after-ms`, then `retry-after` (seconds or an HTTP date), as the SDK reads them."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return float(millis) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return float(email.utils.mktime_tz(parsed) - time.time())
