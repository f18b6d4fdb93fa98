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

from tui_chat.bench.hostile import hostile_answer, parse_hostile_prompt
from tui_chat.demo.server import DemoServer, Recording


class BenchServer(DemoServer):
    """The demo server at real pace (`bench ...` prompts set their own rate) with the timing route."""

    def __init__(self) -> None:
        super().__init__(pace=1.0)

    def application(self) -> web.Application:
        app = super().application()
        app.router.add_get("/bench/first-delta/{message_id}", self._first_delta)
        app.router.add_get("/bench/last-stream-end", self._last_stream_end)
        return app

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        """`hostile ...` prompts (see `bench.hostile`) get what a hostile server sends; the rest, the demo."""
        body = await self._read_json(request)
        messages = body.get("messages") if isinstance(body, dict) else None
        last = messages[-1].get("content") if isinstance(messages, list) and messages else None
        if isinstance(last, list):  # blocks (a prompt-cache mark makes the text a block): their text
            last = "".join(str(block.get("text", "")) for block in last if isinstance(block, dict))
        asked = parse_hostile_prompt(last) if isinstance(last, str) else None
        if asked is None:
            return await super()._messages(request)
        self._remember(request, body)
        answer = hostile_answer(*asked)
        headers = {"content-type": "application/json"} if answer.status != 200 else {}
        recording = Recording(answer.body, status=answer.status, chunks=[1 << 16], headers=headers)
        return await self._play_recording(request, recording)

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
