"""Record the demo server's answer to each request control as a `.sse`, for the replay picker and the tests.

    python scripts/record_scenarios.py

Each scenario is a conversation with its controls, streamed through claude-tui's own recorder and the
real SDK from the demo server on loopback; the last answer's exact bytes go to `tui_chat/recordings/`
and `tests/fixtures/sse/` (the packaged examples are copies of the fixtures). Listed in
`tui_chat/recordings/index.json` by hand, described in both `ORIGIN.md`s.
"""

from __future__ import annotations

import asyncio
import struct
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from anthropic import AsyncAnthropic  # noqa: E402

from tui_chat.attachments import attachment_from_bytes  # noqa: E402
from tui_chat.controls import RequestControls  # noqa: E402
from tui_chat.demo.server import DemoServer  # noqa: E402
from tui_chat.session.conversation import Block, Conversation, TurnStatus  # noqa: E402
from tui_chat.session.recorder import TurnRecorder  # noqa: E402
from tui_chat.tools.toolbox import Toolbox  # noqa: E402

SYSTEM = "You are a patient teacher of network protocols. " * 12


def png(width: int, height: int) -> bytes:
    rows = b"".join(b"\x00" + b"\x30\x90\xe0" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@dataclass
class Scenario:
    name: str
    prompts: list[str]
    controls: RequestControls = field(default_factory=RequestControls)
    system: str | None = None
    image: bool = False
    tools: bool = False
    """Offer claude-tui's built-in tools (the demo server then asks for them)."""
    continued: bool = False
    """Run the tools asked for and record the continuation that reads their results."""


SCENARIOS = [
    Scenario("demo-thinking-adaptive-summarized", ["in japanese, please"], RequestControls(thinking="summarized")),
    Scenario("demo-thinking-adaptive-omitted", ["in japanese, please"], RequestControls(thinking="omitted")),
    Scenario("demo-effort-low", ["long"], RequestControls(effort="low")),
    Scenario("demo-web_search-citations", ["search for streaming"], RequestControls(web=True)),
    Scenario("demo-web_fetch", ["what does https://example.org/streaming say?"], RequestControls(web=True)),
    Scenario("demo-code_execution", ["calculate the sum of 1 to 100"], RequestControls(code_execution=True)),
    Scenario("demo-prompt_cache-read", ["in japanese, please", "again in japanese"], system=SYSTEM),
    Scenario("demo-image-attachment", ["what is this? answer in japanese"], image=True),
    Scenario("demo-tool_use-calculator", ["use a tool: what is (17 * 23) + 2 ** 10?"], tools=True),
    Scenario("demo-tool_use-parallel", ["parallel tools, please"], tools=True),
    Scenario("demo-tool_result-continuation", ["use a tool: what is (17 * 23) + 2 ** 10?"], tools=True, continued=True),
]


async def record(server: DemoServer, scenario: Scenario) -> bytes:
    client = AsyncAnthropic(api_key="demo-key-not-secret", base_url=server.base_url, max_retries=0)
    conversation = Conversation(model="claude-sonnet-5-5", system=scenario.system, controls=scenario.controls)
    toolbox = Toolbox(REPO)
    tools = toolbox.definitions() if scenario.tools else []
    body = b""
    try:
        for prompt in scenario.prompts:
            attachments = [attachment_from_bytes("diagram.png", png(320, 200))] if scenario.image else []
            conversation.add_user(prompt, attachments)
            turn = conversation.start_assistant()
            await TurnRecorder(client, conversation, turn, client_tools=tools).run()
            if scenario.continued:  # the tools' results sent back: the continuation is what is recorded
                calls = turn.tool_calls
                outputs = [await toolbox.run(call["name"], call["input"]) for call in calls]
                pairs = list(zip(calls, outputs, strict=True))
                blocks = [Block(i, "tool_result", o.text, c["name"], c["id"]) for i, (c, o) in enumerate(pairs)]
                results = [{"type": "tool_result", "tool_use_id": c["id"], "content": o.content} for c, o in pairs]
                conversation.add_tool_results(blocks, results)
                turn = conversation.start_assistant()
                await TurnRecorder(client, conversation, turn, client_tools=tools).run()
            if turn.status is not TurnStatus.COMPLETE or turn.wire is None:
                raise RuntimeError(f"{scenario.name}: the answer did not complete ({turn.error})")
            body = turn.wire.sse_bytes()
    finally:
        await client.close()
    return body


async def main() -> None:
    server = DemoServer(pace=0)
    await server.start()
    try:
        for scenario in SCENARIOS:
            body = await record(server, scenario)
            for folder in (REPO / "tui_chat" / "recordings", REPO / "tests" / "fixtures" / "sse"):
                (folder / f"{scenario.name}.sse").write_bytes(body)
            print(f"{scenario.name}.sse  {len(body):,} bytes")
    finally:
        await server.stop()


if __name__ == "__main__":
    asyncio.run(main())
