"""The tutorial's TTFT experiment, as data: the same prompt streamed and not streamed, side by side.

Streaming shows the first token long before the whole answer exists; the total time stays about
the same. `ttft_runner` runs it through the SDK; this module is pure Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

DEFAULT_PROMPT = "Write me a long essay explaining the history of the American Revolution"
DEFAULT_MAX_TOKENS = 500


@dataclass
class TtftRun:
    """One request of the experiment. Times are seconds from sending the request."""

    streaming: bool
    ttft: float | None = None
    """First content delta (streaming), or the whole response (not streaming: nothing comes earlier)."""
    total: float | None = None
    output_tokens: int | None = None
    error: str | None = None


@dataclass
class TtftExperiment:
    prompt: str
    model: str
    max_tokens: int
    streaming: TtftRun = field(default_factory=lambda: TtftRun(streaming=True))
    non_streaming: TtftRun = field(default_factory=lambda: TtftRun(streaming=False))
    when: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def speedup(self) -> float | None:
        """How many times sooner streaming showed the first token."""
        if self.streaming.ttft and self.non_streaming.ttft:
            return self.non_streaming.ttft / self.streaming.ttft
        return None
