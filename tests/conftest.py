"""Shared fixtures: the demo server on loopback, a real SDK client pointed at it, the recorded streams."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from anthropic import AsyncAnthropic

from tui_chat.demo.server import DemoServer

FIXTURES = Path(__file__).parent / "fixtures" / "sse"
SSE_FIXTURES = sorted(FIXTURES.glob("*.sse"))


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read or write the developer's real config, data or .env."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CLAUDE_TUI_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("CLAUDE_TUI_DATA_DIR", str(base / "data"))
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_TUI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(base)


@pytest.fixture
async def demo_server() -> AsyncIterator[DemoServer]:
    """The demo server in the test's event loop, with no pauses."""
    server = DemoServer(pace=0)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def client(demo_server: DemoServer) -> AsyncIterator[AsyncAnthropic]:
    sdk = AsyncAnthropic(api_key="test-key-0123456789", base_url=demo_server.base_url, max_retries=0)
    try:
        yield sdk
    finally:
        await sdk.close()


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def unmarked(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages as sent without the prompt-cache marks claude-tui adds by default (`/cache off` sends none):
    no `cache_control`, and a user message of one text block written as a plain string again."""
    plain: list[dict[str, Any]] = []
    for message in messages:
        content = message["content"]
        if isinstance(content, list):
            content = [{k: v for k, v in block.items() if k != "cache_control"} for block in content]
            if message["role"] == "user" and len(content) == 1 and content[0].get("type") == "text":
                content = content[0]["text"]
        plain.append({**message, "content": content})
    return plain


def pytest_report_header() -> str:
    return f"claude-tui tests; fixtures: {len(SSE_FIXTURES)} recorded streams; cwd {os.getcwd()}"
