"""Fixtures: each test in its own config and data folders, the demo server on loopback, a real SDK client on it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from anthropic import AsyncAnthropic

from tests.support.sse import SSE_FIXTURES
from tui_chat.demo.server import DemoServer


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


def pytest_report_header() -> str:
    return f"claude-tui tests; fixtures: {len(SSE_FIXTURES)} recorded streams; cwd {os.getcwd()}"
