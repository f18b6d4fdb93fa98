"""The TTFT experiment: the same request streamed and not, against the demo server."""

from __future__ import annotations

from anthropic import AsyncAnthropic

from tui_chat.demo.server import DemoServer
from tui_chat.session.ttft_runner import run_ttft_experiment


async def test_ttft_experiment_against_the_demo_server() -> None:
    server = DemoServer(pace=0.15)
    await server.start()
    client = AsyncAnthropic(api_key="k", base_url=server.base_url, max_retries=0)
    try:
        experiment = await run_ttft_experiment(client, "claude-sonnet-5-5", max_tokens=200)
    finally:
        await client.close()
        await server.stop()
    streaming, whole = experiment.streaming, experiment.non_streaming
    assert streaming.error is None and whole.error is None
    assert streaming.output_tokens == whole.output_tokens == 200
    assert streaming.ttft is not None and whole.ttft is not None
    assert streaming.ttft < streaming.total  # the first token came before the end
    assert whole.ttft == whole.total  # non-streaming: nothing before the end
    assert streaming.ttft < whole.ttft
    assert experiment.speedup is not None and experiment.speedup > 2
    bodies = [r.body for r in server.requests]
    assert [b.get("stream", False) for b in bodies] == [True, False]
    assert bodies[0]["messages"] == bodies[1]["messages"]
