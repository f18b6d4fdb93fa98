"""The connection to Claude (or the demo server): built off the UI thread, after the first frame.

Importing the SDK takes longer than drawing the UI, so nothing here imports it at module level;
`prepare()` does, and the UI runs it in a thread once the screen is up.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from tui_chat.config import Settings

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

    from tui_chat.demo.server import DemoServer, DemoThread

DEMO_KEY = "demo-key-not-secret"


def demo_pace() -> float:
    """`CLAUDE_TUI_DEMO_PACE` scales the demo server's pauses (0: as fast as possible; for tests and benchmarks)."""
    try:
        return max(0.0, float(os.environ.get("CLAUDE_TUI_DEMO_PACE", "1")))
    except ValueError:
        return 1.0


class Backend:
    """Owns the SDK client and, in demo mode, the demo server thread."""

    def __init__(self, settings: Settings, *, demo_server: DemoServer | None = None) -> None:
        self.settings = settings
        self._demo_server = demo_server
        self.demo: DemoThread | None = None
        self._client: AsyncAnthropic | None = None
        self._replay: DemoThread | None = None
        self._replay_client: AsyncAnthropic | None = None
        self._lock = threading.Lock()

    @property
    def is_demo(self) -> bool:
        return self.settings.demo

    @property
    def ready(self) -> bool:
        return self._client is not None

    def enable_demo(self) -> None:
        """Switch to demo mode (from the missing-key screen); `prepare()` starts the server."""
        self.settings.demo = True
        self._client = None

    def prepare(self) -> AsyncAnthropic:
        """Import the SDK, start the demo server if needed, and build the client. Thread-safe, idempotent.

        Nothing more: a message sent during start-up waits for this, so the warm-ups (the SDK's models,
        the highlighters) are the caller's next step, not part of it."""
        with self._lock:
            if self._client is not None:
                return self._client
            import httpx2
            from anthropic import AsyncAnthropic

            settings = self.settings
            base_url: str | None
            api_key: str | None
            if settings.demo:
                base_url = self._start_demo()
                api_key = DEMO_KEY
            else:
                base_url = settings.base_url
                api_key = settings.api_key.reveal() if settings.api_key else None
            self._client = AsyncAnthropic(
                api_key=api_key,
                base_url=base_url,
                max_retries=0,
                timeout=httpx2.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            )
            return self._client

    def prepare_replay(self) -> tuple[AsyncAnthropic, DemoThread]:
        """A client and a local server to replay recordings through (the demo server in demo mode)."""
        client = self.prepare()
        with self._lock:
            if self.settings.demo and self.demo is not None:
                return client, self.demo
            if self._replay is None or self._replay_client is None:
                import httpx2
                from anthropic import AsyncAnthropic

                from tui_chat.demo.server import DemoServer, DemoThread

                self._replay = DemoThread(DemoServer())
                self._replay.start()
                self._replay_client = AsyncAnthropic(
                    api_key=DEMO_KEY,
                    base_url=self._replay.base_url,
                    max_retries=0,
                    timeout=httpx2.Timeout(60, connect=5),
                )
            return self._replay_client, self._replay

    def _start_demo(self) -> str:
        if self.demo is None:
            from tui_chat.demo.server import DemoServer, DemoThread

            server = self._demo_server or DemoServer(pace=demo_pace())
            self.demo = DemoThread(server)
            self.demo.start()
        return self.demo.base_url

    @property
    def endpoint(self) -> str:
        """Where requests go, for the top bar (the demo server's port changes every run, so it is left out)."""
        if self.settings.demo:
            return "local demo server" if self.demo is not None else "demo server (starting)"
        return self.settings.endpoint

    async def aclose(self) -> None:
        """Close the HTTP client (in the loop that used it), then stop the demo server."""
        for client in (self._client, self._replay_client):
            if client is not None:
                await client.close()
        self._client = self._replay_client = None
        self.close()

    def close(self) -> None:
        for thread in (self.demo, self._replay):
            if thread is not None:
                thread.stop()
        self.demo = self._replay = None
