"""A hostile Messages API server on 127.0.0.1, for driving the real SDK (and the app) into what a red team sends.

Raw asyncio, no HTTP library: it writes whatever it is told, byte for byte, including what a library would
refuse to send — any status line, header values with ESC or bytes 0x80-0xFF (httpx accepts them), any SSE
body. Each request gets the reply queued for its path (`/v1/messages`, `/v1/models`...), else that path's
standing reply, else a 404. It runs on its own event loop in a thread, so a test can block (a pty test) or
await (a Pilot test) while it serves.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self


@dataclass
class RawReply:
    """One HTTP response, exactly as written: the status line and header lines are not checked or escaped."""

    body: bytes = b""
    status_line: bytes = b"HTTP/1.1 200 OK"
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    content_type: bytes = b"text/event-stream; charset=utf-8"

    def encode(self) -> bytes:
        lines = [self.status_line, b"content-type: " + self.content_type]
        lines += [name + b": " + value for name, value in self.headers]
        lines += [b"content-length: " + str(len(self.body)).encode(), b"connection: close"]
        return b"\r\n".join(lines) + b"\r\n\r\n" + self.body


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def frame(event: str, data: Any) -> bytes:
    """One SSE frame: `event: NAME`, then `data:` with `data` as JSON (control characters \\u-escaped, as
    any JSON encoder writes them: the SDK decodes them back to the raw characters)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def message_start(*, model: str = "claude-hostile-1", message_id: str = "msg_hostile_1") -> bytes:
    message = {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 12, "output_tokens": 1},
    }
    return frame("message_start", {"type": "message_start", "message": message})


def text_block(index: int, text: str) -> bytes:
    """A text block: start, one delta per piece of `text` split on `|`, stop."""
    start = {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}
    deltas = [
        frame(
            "content_block_delta",
            {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": piece}},
        )
        for piece in text.split("|")
    ]
    stop = frame("content_block_stop", {"type": "content_block_stop", "index": index})
    return frame("content_block_start", start) + b"".join(deltas) + stop


def message_end(stop_reason: str = "end_turn", output_tokens: int = 9) -> bytes:
    delta = {
        "type": "message_delta",
        "delta": {"stop_reason": stop_reason, "stop_sequence": None},
        "usage": {"output_tokens": output_tokens},
    }
    return frame("message_delta", delta) + frame("message_stop", {"type": "message_stop"})


def error_event(error_type: Any, message: Any) -> bytes:
    return frame("error", {"type": "error", "error": {"type": error_type, "message": message}})


def answer(text: str, **start: str) -> bytes:
    """A whole, well-formed streamed answer whose text is `text` (deltas split on `|`)."""
    return message_start(**start) + text_block(0, text) + message_end()


def json_reply(data: Any, status_line: bytes = b"HTTP/1.1 200 OK", **options: Any) -> RawReply:
    body = json.dumps(data, ensure_ascii=False).encode()
    return RawReply(body, status_line=status_line, content_type=b"application/json", **options)


class HostileServer:
    """`with HostileServer() as server:` serves on `server.base_url` until the block ends."""

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self._queued: dict[str, deque[RawReply]] = {}
        self._standing: dict[str, RawReply] = {}
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="hostile-server", daemon=True)
        self._ready = threading.Event()
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def queue(self, path: str, reply: RawReply) -> None:
        """Answer the next request for `path` with `reply` (once)."""
        with self._lock:
            self._queued.setdefault(path, deque()).append(reply)

    def always(self, path: str, reply: RawReply) -> None:
        """Answer every request for `path` with `reply` (after any queued ones)."""
        with self._lock:
            self._standing[path] = reply

    def _reply_for(self, path: str) -> RawReply:
        with self._lock:
            queued = self._queued.get(path)
            if queued:
                return queued.popleft()
            standing = self._standing.get(path)
        if standing is not None:
            return standing
        return json_reply(
            {"type": "error", "error": {"type": "not_found_error", "message": f"no reply for {path}"}},
            status_line=b"HTTP/1.1 404 Not Found",
        )

    # ------------------------------------------------------------------------------ serving
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            method, target, _ = request_line.split(" ", 2)
            headers = {}
            for line in header_lines:
                name, _, value = line.partition(":")
                if name:
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            path = target.split("?", 1)[0]
            self.requests.append(ReceivedRequest(method, path, headers, body))
            writer.write(self._reply_for(path).encode())
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        self._server.close()
        self._loop.run_until_complete(self._server.wait_closed())
        pending = asyncio.all_tasks(self._loop)
        for task in pending:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.close()

    def start(self) -> str:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the hostile server did not start")
        return self.base_url

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
