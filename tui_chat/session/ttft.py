"""The tutorial's TTFT experiment: the same prompt streamed and not streamed, side by side.

Streaming shows the first token long before the whole answer exists; the total time stays about
the same. Both requests go through the real SDK. Importing this module imports the SDK.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from anthropic import AsyncAnthropic

from tui_chat.safety import sanitize_line
from tui_chat.stream.errors import describe_error
from tui_chat.stream.event_stream import EventStream, StreamEvent
from tui_chat.stream.types import Outcome

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


class _FirstToken(EventStream):
    first_token_at: float | None = None

    async def on_stream_event(self, event: StreamEvent) -> None:
        if event.type == "content_block_delta" and self.first_token_at is None:
            self.first_token_at = time.perf_counter() - self.started


async def measure_streaming(client: AsyncAnthropic, model: str, prompt: str, max_tokens: int) -> TtftRun:
    stream = _FirstToken(client, model=model, max_tokens=max_tokens, messages=[{"role": "user", "content": prompt}])
    outcome = await stream.run()
    run = TtftRun(streaming=True, ttft=stream.first_token_at, total=time.perf_counter() - stream.started)
    snapshot = stream.snapshot
    if snapshot is not None:
        run.output_tokens = snapshot.usage.output_tokens
    if outcome is not Outcome.COMPLETE and stream.error is not None:
        run.error = describe_error(stream.error).summary
    return run


async def measure_non_streaming(client: AsyncAnthropic, model: str, prompt: str, max_tokens: int) -> TtftRun:
    started = time.perf_counter()
    run = TtftRun(streaming=False)
    try:
        message = await client.messages.create(
            model=model, max_tokens=max_tokens, messages=[{"role": "user", "content": prompt}]
        )
    except Exception as error:
        run.total = time.perf_counter() - started
        run.error = describe_error(error).summary
        return run
    run.total = run.ttft = time.perf_counter() - started
    run.output_tokens = message.usage.output_tokens
    return run


async def run_ttft_experiment(
    client: AsyncAnthropic, model: str, prompt: str = DEFAULT_PROMPT, max_tokens: int = DEFAULT_MAX_TOKENS
) -> TtftExperiment:
    """Streaming first, then non-streaming, as in the tutorial."""
    experiment = TtftExperiment(prompt=sanitize_line(prompt), model=sanitize_line(model), max_tokens=max_tokens)
    experiment.streaming = await measure_streaming(client, model, prompt, max_tokens)
    experiment.non_streaming = await measure_non_streaming(client, model, prompt, max_tokens)
    return experiment
