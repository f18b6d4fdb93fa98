"""Run the TTFT experiment through the real SDK (streaming first, then not, as in the tutorial)."""

from __future__ import annotations

from anthropic import AsyncAnthropic

from tui_chat.safety import sanitize_line
from tui_chat.session.ttft import DEFAULT_MAX_TOKENS, DEFAULT_PROMPT, TtftExperiment, TtftRun
from tui_chat.stream import clock
from tui_chat.stream.errors import client_secrets, describe_error
from tui_chat.stream.event_stream import EventStream, StreamEvent
from tui_chat.stream.types import Outcome


class _FirstToken(EventStream):
    first_token_at: float | None = None

    async def on_stream_event(self, event: StreamEvent) -> None:
        if event.type == "content_block_delta" and self.first_token_at is None:
            self.first_token_at = clock.now() - self.started


async def measure_streaming(client: AsyncAnthropic, model: str, prompt: str, max_tokens: int) -> TtftRun:
    stream = _FirstToken(client, model=model, max_tokens=max_tokens, messages=[{"role": "user", "content": prompt}])
    outcome = await stream.run()
    run = TtftRun(streaming=True, ttft=stream.first_token_at, total=clock.now() - stream.started)
    snapshot = stream.snapshot
    if snapshot is not None:
        run.output_tokens = snapshot.usage.output_tokens
    if outcome is not Outcome.COMPLETE and stream.error is not None:
        run.error = describe_error(stream.error, client_secrets(client)).summary
    return run


async def measure_non_streaming(client: AsyncAnthropic, model: str, prompt: str, max_tokens: int) -> TtftRun:
    started = clock.now()
    run = TtftRun(streaming=False)
    try:
        message = await client.messages.create(
            model=model, max_tokens=max_tokens, messages=[{"role": "user", "content": prompt}]
        )
    except Exception as error:
        run.total = clock.now() - started
        run.error = describe_error(error, client_secrets(client)).summary
        return run
    run.total = run.ttft = clock.now() - started
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
