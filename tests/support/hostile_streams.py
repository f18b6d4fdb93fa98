"""A hostile Messages endpoint on loopback: it sends whatever bytes a test scripts, then keeps the
connection open, closes it or cuts it, as a broken gateway or a malicious server would.

Each request to `POST /v1/messages` plays the next queued `Hostile` script (a plain, well-formed
answer when none is queued). Used with the real SDK: `client()` gives an `AsyncAnthropic` pointed at it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from anthropic import AsyncAnthropic


def frame(event: str, data: Any) -> bytes:
    """One SSE frame as the API writes it (`data` as JSON unless it is already bytes or text)."""
    if isinstance(data, bytes):
        body = data
    elif isinstance(data, str):
        body = data.encode()
    else:
        body = json.dumps(data, separators=(",", ":")).encode()
    return b"event: " + event.encode() + b"\ndata: " + body + b"\n\n"


def message_start(*, usage: Any = ..., model: str = "claude-hostile", message_id: str = "msg_hostile") -> bytes:
    message: dict[str, Any] = {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
    }
    if usage is ...:
        message["usage"] = {"input_tokens": 12, "output_tokens": 1}
    elif usage is not None:
        message["usage"] = usage
    return frame("message_start", {"type": "message_start", "message": message})


def block_start(index: int = 0) -> bytes:
    return frame(
        "content_block_start",
        {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}},
    )


def text_delta(text: str, index: int = 0) -> bytes:
    return frame(
        "content_block_delta",
        {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": text}},
    )


def block_stop(index: int = 0) -> bytes:
    return frame("content_block_stop", {"type": "content_block_stop", "index": index})


def message_delta(output_tokens: int = 5) -> bytes:
    return frame(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": output_tokens},
        },
    )


MESSAGE_STOP = frame("message_stop", {"type": "message_stop"})
PING = frame("ping", {"type": "ping"})


def answer(*texts: str, usage: Any = ...) -> list[bytes]:
    """A complete, well-formed answer of one text block made of `texts` (one delta each)."""
    return [
        message_start(usage=usage),
        block_start(0),
        *(text_delta(text) for text in texts),
        block_stop(0),
        message_delta(),
        MESSAGE_STOP,
    ]


@dataclass
class Hostile:
    """What to do with one request."""

    parts: Iterable[bytes | float] = field(default_factory=list)
    """Written in order; a float is a pause of that many seconds."""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    ending: str = "close"
    """After the parts: `close` (end the body cleanly), `hold` (keep the connection open, send nothing,
    until the client leaves) or `cut` (abort the TCP connection)."""


class HostileServer:
    """`POST /v1/messages` plays the queued scripts; everything else is a 404."""

    def __init__(self) -> None:
        self.queued: deque[Hostile] = deque()
        self.requests = 0
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def queue(self, *scripts: Hostile) -> None:
        self.queued.extend(scripts)

    async def start(self) -> str:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/messages", self._messages)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def client(self, **options: Any) -> AsyncAnthropic:
        return AsyncAnthropic(api_key="sk-ant-hostile-0000", base_url=self.base_url, max_retries=0, **options)

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        await request.read()
        self.requests += 1
        script = self.queued.popleft() if self.queued else Hostile(answer("Hello."))
        if script.status != 200:
            body = b"".join(part for part in script.parts if isinstance(part, bytes))
            return web.Response(status=script.status, body=body, headers=script.headers)
        response = web.StreamResponse(
            status=200,
            headers={"content-type": "text/event-stream", "request-id": "req_hostile", **script.headers},
        )
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            for part in script.parts:
                if isinstance(part, float):
                    await asyncio.sleep(part)
                else:
                    await response.write(part)
            if script.ending == "hold":
                while request.transport is not None and not request.transport.is_closing():
                    await asyncio.sleep(0.02)
                return response
            if script.ending == "cut":
                if request.transport is not None:
                    request.transport.abort()
                return response
            await response.write_eof()
        except ConnectionError:
            pass
        return response


@contextlib.asynccontextmanager
async def hostile_server() -> AsyncIterator[HostileServer]:
    server = HostileServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
