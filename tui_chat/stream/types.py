"""Plain values the stream layer reports (no SDK import)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tui_chat.safety import redact, untrusted_line, untrusted_number

UI_READ_PACE = 0.05
"""Seconds between the app's reads of a flowing answer with the "paced_reads" preference
(`EventStream.read_pace`): its panes repaint five times a second anyway, and on a slow stream each
wake-up of the event loop, one per token, is most of the CPU."""

SYNTHESIZED_EVENT_TYPES = frozenset({"text", "thinking", "signature", "input_json", "citation", "compaction"})
"""Events the SDK's stream helper makes up from a delta (not on the wire)."""


class IncompleteStreamError(Exception):
    """The body ended without `message_stop`: the answer may be cut short (the SDK raises nothing)."""


class StreamOrderError(Exception):
    """The server sent events out of the order the Messages API defines (an event before
    `message_start`, a delta for a block that never started): the message says what, in words."""


class Outcome(StrEnum):
    """How a streamed response ended."""

    PENDING = "pending"
    COMPLETE = "complete"
    """`message_stop` arrived."""
    INCOMPLETE = "incomplete"
    """The body ended cleanly without `message_stop` (the SDK raises nothing for this)."""
    ERROR = "error"
    """An HTTP error, an `error` event, a dropped connection or a bad frame."""
    TIMEOUT = "timeout"
    """No bytes for longer than the read timeout (or no connection in time)."""
    CANCELLED = "cancelled"
    """Stopped by the user."""


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """A failed attempt that will be retried after `wait` seconds."""

    attempt: int
    """The attempt that failed (1 for the first request)."""
    max_attempts: int
    wait: float
    status: int | None
    """HTTP status of the failed attempt; None for a connection failure."""
    reason: str
    """One line saying what went wrong."""
    request_id: str | None = None

    def __post_init__(self) -> None:
        # Whatever built it (a server's error, a stored row): numbers are numbers, text is one sanitized
        # line with no key in it.
        for name, default in (("attempt", 1), ("max_attempts", 1), ("wait", 0.0)):
            object.__setattr__(self, name, untrusted_number(getattr(self, name), default))
        object.__setattr__(self, "status", untrusted_number(self.status, None))
        object.__setattr__(self, "reason", redact(untrusted_line(self.reason)))
        if self.request_id is not None:
            object.__setattr__(self, "request_id", redact(untrusted_line(self.request_id)))


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """What went wrong, in words a person can act on. Every string is one sanitized line with no key
    in it, however it was built (from a server's error, or a stored row): a server controls them."""

    kind: str
    """A short label: `overloaded_error`, `connection dropped`, `timeout`, `HTTP 401`, ..."""
    summary: str
    """One line: what happened."""
    status: int | None = None
    error_type: str | None = None
    """The API's `error.type`, when there is one."""
    request_id: str | None = None
    hint: str | None = None
    """What the user can do about it."""
    retryable: bool = True
    """Whether sending the same request again may work."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", untrusted_number(self.status, None))
        object.__setattr__(self, "kind", redact(untrusted_line(self.kind)) or "error")
        object.__setattr__(self, "summary", redact(untrusted_line(self.summary)))
        for name in ("error_type", "request_id", "hint"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, redact(untrusted_line(value)))

    @property
    def summary_repeats_kind(self) -> bool:
        """The summary already names the kind (`HTTP 400` and `HTTP 400 invalid_request_error: …`, or
        `overloaded_error` and `The stream reported overloaded_error: …`): say it once."""
        return bool(self.kind) and self.kind in self.summary

    @property
    def headline(self) -> str:
        """Kind and summary in one line, the kind said once."""
        return self.summary if self.summary_repeats_kind else f"{self.kind} — {self.summary}"
