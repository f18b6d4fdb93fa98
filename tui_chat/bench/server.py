"""The benchmark's demo server, in a process of its own so its CPU time never counts as the client's.

`python -m tui_chat.bench.server` prints its base URL on the first line of stdout and serves until
stdin closes. Besides the Messages API it answers `GET /bench/first-delta/{message_id}` with the
`time.perf_counter()` at which the first delta of that response was written (CLOCK_MONOTONIC on
Linux, so comparable with the client's clock), and `GET /bench/last-stream-end` with the time the
last stream's body was complete.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from types import TracebackType
from typing import Self

from aiohttp import web

from tui_chat.demo.server import DemoServer


class BenchServer(DemoServer):
    """The demo server at real pace (`bench ...` prompts set their own rate) with the timing route."""

    def __init__(self) -> None:
        super().__init__(pace=1.0)

    def application(self) -> web.Application:
        app = super().application()
        app.router.add_get("/bench/first-delta/{message_id}", self._first_delta)
        app.router.add_get("/bench/last-stream-end", self._last_stream_end)
        return app

    async def _first_delta(self, request: web.Request) -> web.Response:
        at = self.first_delta_at.get(request.match_info["message_id"])
        return web.json_response({"at": at})

    async def _last_stream_end(self, request: web.Request) -> web.Response:
        return web.json_response({"at": self.last_stream_end})


async def _serve() -> None:
    server = BenchServer()
    url = await server.start()
    print(url, flush=True)
    loop = asyncio.get_running_loop()
    closed = asyncio.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(closed.set)), daemon=True).start()
    try:
        await closed.wait()
    finally:
        await server.stop()


class ServerProcess:
    """Runs `python -m tui_chat.bench.server` and stops it on exit (closing its stdin)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> Self:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tui_chat.bench.server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.startswith("http://"):
            self.__exit__(None, None, None)
            raise RuntimeError("the benchmark server did not start")
        self.base_url = line
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        process = self._process
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self._process = None


if __name__ == "__main__":
    asyncio.run(_serve())
