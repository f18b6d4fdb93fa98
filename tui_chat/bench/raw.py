"""The tutorial's raw loop, the baseline every figure is compared with.

    stream = await client.messages.create(..., stream=True)
    async for event in stream:
        if event.type == "content_block_delta":
            print(event.delta.text, end="", flush=True)

printed to a real sink (/dev/null), timed from the request to the last byte printed.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

MODEL = "claude-sonnet-5-5"
MAX_TOKENS = 64_000
BENCH_KEY = "bench-key-not-secret"


@dataclass
class RawRun:
    seconds: float
    """From `messages.create` to the last delta printed."""
    cpu_seconds: float
    first_printed_at: float | None
    """`time.perf_counter()` when the first delta was printed."""
    message_id: str
    text_bytes: int
    """Bytes printed (the text, UTF-8): what a terminal would be sent."""
    max_stall: float
    """The longest event-loop stall while it ran (seconds)."""


def make_client(base_url: str) -> AsyncAnthropic:
    import httpx2
    from anthropic import AsyncAnthropic

    return AsyncAnthropic(api_key=BENCH_KEY, base_url=base_url, max_retries=0, timeout=httpx2.Timeout(120, connect=10))


async def raw_loop(client: AsyncAnthropic, prompt: str, sink: TextIO) -> RawRun:
    """Run the tutorial's loop once on `prompt` (with a stall monitor beside it, as the app has)."""
    from tui_chat.bench.probe import LoopMonitor

    monitor = LoopMonitor()
    monitor.start()
    message_id = ""
    first: float | None = None
    printed = 0
    cpu = time.process_time()
    started = time.perf_counter()
    stream = await client.messages.create(
        model=MODEL, max_tokens=MAX_TOKENS, messages=[{"role": "user", "content": prompt}], stream=True
    )
    async for event in stream:
        if event.type == "content_block_delta":
            print(event.delta.text, end="", flush=True, file=sink)  # type: ignore[union-attr]
            printed += len(event.delta.text.encode())  # type: ignore[union-attr]
            if first is None:
                first = time.perf_counter()
        elif event.type == "message_start":
            message_id = event.message.id
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    await monitor.stop()
    return RawRun(seconds, cpu, first, message_id, printed, monitor.max_stall)


async def first_delta_written(base_url: str, message_id: str) -> float | None:
    """When the server wrote the first delta of `message_id` (its `time.perf_counter()`)."""

    def fetch() -> float | None:
        with urllib.request.urlopen(f"{base_url}/bench/first-delta/{message_id}", timeout=10) as response:
            value = json.load(response).get("at")
            return float(value) if value is not None else None

    return await asyncio.to_thread(fetch)


RAW_SCRIPT = """
import asyncio, sys
from anthropic import AsyncAnthropic

async def main():
    client = AsyncAnthropic(api_key=sys.argv[2], base_url=sys.argv[1], max_retries=0)
    stream = await client.messages.create(
        model=sys.argv[3], max_tokens=1024, messages=[{"role": "user", "content": sys.argv[4]}], stream=True
    )
    async for event in stream:
        if event.type == "content_block_delta":
            print(event.delta.text, end="", flush=True)

asyncio.run(main())
"""
"""The tutorial's loop as a script of its own (`python -c RAW_SCRIPT BASE_URL KEY MODEL PROMPT`): the
baseline for the pipe mode's start-up, from a fresh process to the first byte of the answer."""
