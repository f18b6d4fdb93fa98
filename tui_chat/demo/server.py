"""A loopback Messages API: the `--demo` backend and the tests' fixture server.

`POST /v1/messages` (streaming and not), `GET /v1/models`, `GET /v1/models/{id}` and
`POST /v1/messages/count_tokens`, with the API's headers, error bodies and byte-faithful SSE
(pings included). Answers come from `scenarios`; tests can instead queue exact recordings or HTTP
errors for the next requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tui_chat.demo import features, scenarios
from tui_chat.demo.features import ModelFeatures, PromptCache
from tui_chat.demo.script import Frame, MessageMeta, Reply, count_tokens, final_message, frames
from tui_chat.stream.wire import split_recording

API_VERSION = "2026-10-21"


@dataclass(frozen=True)
class DemoModel:
    id: str
    display_name: str
    tokens_per_second: float
    first_token_delay: float
    max_input_tokens: int = 1_000_000
    max_tokens: int = 128_000
    created_at: str = "2026-09-30T00:00:00Z"
    features: ModelFeatures = field(default_factory=ModelFeatures)
    """What it accepts (thinking types, effort levels, server tools, images and PDFs)."""


ALWAYS_THINKS = ModelFeatures(thinking_disabled=False, effort=("low", "medium", "high", "xhigh", "max"))
LEGACY = ModelFeatures(thinking_adaptive=False, thinking_enabled=True, effort=(), code_execution=False)

MODELS = [
    DemoModel("claude-sonnet-5-5", "Claude Sonnet 5.5 (demo)", 90.0, 0.35),
    DemoModel("claude-opus-5-5", "Claude Opus 5.5 (demo)", 55.0, 0.6, features=ALWAYS_THINKS),
    DemoModel("claude-haiku-5-5", "Claude Haiku 5.5 (demo)", 160.0, 0.2),
    DemoModel("claude-fable-5-2", "Claude Fable 5.2 (demo)", 45.0, 0.8, features=ALWAYS_THINKS),
    DemoModel(
        "claude-haiku-4-5",
        "Claude Haiku 4.5 (demo, legacy)",
        150.0,
        0.25,
        max_input_tokens=200_000,
        max_tokens=64_000,
        created_at="2025-10-01T00:00:00Z",
        features=LEGACY,
    ),
]
DEFAULT_DEMO_MODEL = MODELS[0]


@dataclass
class Recording:
    """Exact bytes to stream for one request, as recorded (a `.sse` body)."""

    body: bytes
    chunk_size: int | None = None
    """Write in pieces of this many bytes (None: one write per frame)."""
    delays: list[float] | None = None
    """Seconds to wait before each frame (None: no waiting)."""
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    drop_at_end: bool = False
    step: bool = False
    """Send one frame per `DemoServer.grant_steps(1)` (the replay's step mode)."""
    """Cut the TCP connection after the body instead of ending it cleanly."""
    chunks: list[int] | None = None
    """Exact write sizes over the whole body, frames ignored, the list repeated until the body is out
    (None: see `chunk_size`). `chunk_size` and `delays` are then unused."""


@dataclass
class ReceivedRequest:
    """A request the server saw (the API key itself is not kept)."""

    method: str
    path: str
    body: Any
    had_api_key: bool
    headers: dict[str, str]


class DemoServer:
    """The Messages API on loopback. Run it in the current loop (`start`) or a thread (`DemoThread`)."""

    def __init__(
        self, *, pace: float = 1.0, tokens_per_second: float | None = None, models: list[DemoModel] | None = None
    ) -> None:
        """`pace` scales every pause (0: no pauses); `tokens_per_second` overrides the model's rate; `models`
        replaces the models it lists and answers as."""
        self.pace = pace
        self.models = list(MODELS if models is None else models)
        self.tokens_per_second = tokens_per_second
        self.requests: list[ReceivedRequest] = []
        self.queued: deque[Recording] = deque()
        self.cache = PromptCache()
        """Prompt-cache entries written by `cache_control` breakpoints, read back by later requests."""
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self._step_allowance = 0
        self._step_granted: asyncio.Event | None = None
        self.first_delta_at: dict[str, float] = {}
        self.last_stream_end: float | None = None
        """`time.perf_counter()` when the last body of a stream was written (for the benchmark)."""
        """`time.perf_counter()` just after the first `content_block_delta` was written, by message id
        (for the benchmark's first-token lag; the clock is the system's monotonic one on Linux)."""

    # ------------------------------------------------------------------------------ lifecycle
    def application(self) -> web.Application:
        app = web.Application(client_max_size=40 * 1024 * 1024)
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_post("/v1/messages/count_tokens", self._count_tokens)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/v1/models/{model_id}", self._model)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on loopback (an ephemeral port by default); return the base URL."""
        self._runner = web.AppRunner(self.application(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_port = self._runner.addresses[0][1]
        self.base_url = f"http://{host}:{bound_port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------------------------ test hooks
    def queue_recording(self, recording: Recording | bytes) -> None:
        """Serve these exact bytes to the next `POST /v1/messages`."""
        self.queued.append(recording if isinstance(recording, Recording) else Recording(recording))

    def queue_error(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """Answer the next `POST /v1/messages` with this HTTP error."""
        payload = json.dumps(body).encode()
        self.queued.append(
            Recording(payload, headers={"content-type": "application/json", **(headers or {})}, status=status)
        )

    def grant_steps(self, count: int) -> None:
        """Let a stepping replay send `count` more frames. Call on the server's loop (`DemoThread.call`)."""
        self._step_allowance += count
        if self._step_granted is not None:
            self._step_granted.set()

    async def _next_step(self) -> None:
        if self._step_granted is None:
            self._step_granted = asyncio.Event()
        while self._step_allowance <= 0:
            self._step_granted.clear()
            await self._step_granted.wait()
        self._step_allowance -= 1

    # ------------------------------------------------------------------------------ handlers
    def _headers(self, **extra: str) -> dict[str, str]:
        request_number = next(self._ids)
        return {
            "request-id": f"req_demo_{request_number:06d}",
            "anthropic-organization-id": "demo-organization",
            "anthropic-ratelimit-requests-limit": "50",
            "anthropic-ratelimit-requests-remaining": "49",
            "anthropic-ratelimit-requests-reset": "2026-11-22T00:00:01Z",
            "anthropic-ratelimit-tokens-limit": "400000",
            "anthropic-ratelimit-tokens-remaining": "399000",
            "anthropic-ratelimit-tokens-reset": "2026-11-22T00:00:01Z",
            **extra,
        }

    def _error(self, status: int, error_type: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
        all_headers = self._headers(**(headers or {}))
        body = {
            "type": "error",
            "error": {"type": error_type, "message": message},
            "request_id": all_headers["request-id"],
        }
        return web.json_response(body, status=status, headers=all_headers)

    def _remember(self, request: web.Request, body: Any) -> None:
        headers = {k.lower(): v for k, v in request.headers.items() if k.lower() not in ("x-api-key", "authorization")}
        had_key = "x-api-key" in request.headers or "authorization" in request.headers
        self.requests.append(ReceivedRequest(request.method, request.path, body, had_key, headers))

    async def _read_json(self, request: web.Request) -> Any:
        try:
            return await request.json()
        except (ValueError, UnicodeDecodeError):
            return None

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        body = await self._read_json(request)
        self._remember(request, body)
        if self.queued:
            return await self._play_recording(request, self.queued.popleft())
        if not isinstance(body, dict):
            return self._error(400, "invalid_request_error", "The request body is not valid JSON.")
        problem = _validate(body)
        if problem is not None:
            return self._error(*problem)
        model = _find_model(self.models, str(body["model"]))
        if model is None:
            return self._error(404, "not_found_error", f"model: {body['model']}")
        refused = features.validate(body, model.id, model.features)
        if refused is not None:
            return self._error(400, "invalid_request_error", refused)
        attempt = _int(request.headers.get("x-stainless-retry-count"), 0)
        units = features.prompt_units(body)  # (counting a long history takes a while: once)
        view = scenarios.request_view(body, attempt, units)
        choice = scenarios.choose(view)
        if isinstance(choice, scenarios.HttpFailure):
            extra: dict[str, str] = {}
            if choice.retry_after is not None:
                extra["retry-after"] = f"{choice.retry_after:g}"
            if choice.should_retry is not None:
                extra["x-should-retry"] = "true" if choice.should_retry else "false"
            await asyncio.sleep(0.15 * self.pace)
            return self._error(choice.status, choice.error_type, choice.message, extra)
        reply = self._paced(choice, model)
        usage = self.cache.use(body, units)
        meta = MessageMeta(
            f"msg_demo_{len(self.requests):06d}",
            str(body["model"]),
            usage.input_tokens,
            cache_creation_input_tokens=usage.cache_creation_input_tokens,
            cache_read_input_tokens=usage.cache_read_input_tokens,
            server_tool_use=features.server_tool_counts(reply) if view.features.tools else None,
        )
        max_tokens = int(body["max_tokens"])
        if body.get("stream"):
            return await self._stream(request, frames(reply, meta, max_tokens), meta.message_id)
        # Not streaming: the whole answer arrives after the time the stream would have taken.
        generating = min(_token_count(reply), max_tokens) / reply.tokens_per_second
        await asyncio.sleep(self.pace * (reply.first_token_delay + generating))
        return web.json_response(final_message(reply, meta, max_tokens), headers=self._headers())

    def _paced(self, reply: Reply, model: DemoModel) -> Reply:
        if reply.fixed_pace:
            return reply
        rate = self.tokens_per_second or model.tokens_per_second
        if reply.first_token_delay == Reply.first_token_delay:
            reply.first_token_delay = model.first_token_delay
        reply.tokens_per_second = rate
        return reply

    async def _stream(self, request: web.Request, script: Iterable[Frame], message_id: str) -> web.StreamResponse:
        response = web.StreamResponse(
            status=200,
            headers=self._headers(**{"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}),
        )
        response.enable_chunked_encoding()
        await response.prepare(request)
        with contextlib.suppress(ConnectionError):  # the client hung up (stopped, or quit): nothing to do
            await self._write_script(request, response, script, message_id)
        return response

    async def _write_script(
        self, request: web.Request, response: web.StreamResponse, script: Iterable[Frame], message_id: str
    ) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time()  # pauses add up on an absolute clock, so the rate holds under load
        pending = bytearray()
        delta_pending = False

        async def write_pending() -> None:
            nonlocal delta_pending
            await response.write(bytes(pending))
            pending.clear()
            if delta_pending:
                delta_pending = False
                self.first_delta_at.setdefault(message_id, time.perf_counter())

        for frame in script:
            delay = frame.delay * self.pace
            if delay > 0:
                if pending:
                    await write_pending()
                due += delay
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
            if frame.action == "drop":
                await response.write(bytes(pending))
                _drop(request)
                return
            if frame.action == "stall":
                await response.write(bytes(pending))
                await _wait_for_disconnect(request)
                return
            pending += frame.data
            if not delta_pending and message_id not in self.first_delta_at:
                delta_pending = frame.data.startswith(b"event: content_block_delta")
            if len(pending) > 16384 or delay > 0:
                await write_pending()
        if pending:
            await write_pending()
        await response.write_eof()
        self.last_stream_end = time.perf_counter()

    async def _play_recording(self, request: web.Request, recording: Recording) -> web.StreamResponse:
        if recording.status != 200:
            headers = self._headers(**recording.headers)
            return web.Response(status=recording.status, body=recording.body, headers=headers)
        response = web.StreamResponse(
            status=200,
            headers=self._headers(
                **{
                    "content-type": "text/event-stream; charset=utf-8",
                    "cache-control": "no-cache",
                    **recording.headers,
                }
            ),
        )
        response.enable_chunked_encoding()
        await response.prepare(request)
        with contextlib.suppress(ConnectionError):
            await self._write_recording(request, response, recording)
        return response

    async def _write_recording(self, request: web.Request, response: web.StreamResponse, recording: Recording) -> None:
        if recording.chunks is not None:
            await _write_pieces(response, recording.body, recording.chunks)
        else:
            frames_ = split_recording(recording.body)
            delays = recording.delays or [0.0] * len(frames_)
            self._step_allowance = 0
            for frame, delay in zip(frames_, delays, strict=False):
                if recording.step:
                    await self._next_step()
                elif delay > 0:
                    await asyncio.sleep(delay * self.pace)
                if recording.chunk_size:
                    for start in range(0, len(frame), recording.chunk_size):
                        await response.write(frame[start : start + recording.chunk_size])
                else:
                    await response.write(frame)
        if recording.drop_at_end:
            _drop(request)
            return
        await response.write_eof()

    async def _count_tokens(self, request: web.Request) -> web.Response:
        body = await self._read_json(request)
        self._remember(request, body)
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or "model" not in body:
            return self._error(400, "invalid_request_error", "messages and model are required.")
        problem = _validate({**body, "max_tokens": 1})
        model = _find_model(self.models, str(body["model"]))
        if problem is None and model is not None:
            refused = features.validate(body, model.id, model.features)
            problem = None if refused is None else (400, "invalid_request_error", refused)
        if problem is not None:
            return self._error(*problem)
        return web.json_response({"input_tokens": features.total_tokens(body)}, headers=self._headers())

    async def _models(self, request: web.Request) -> web.Response:
        self._remember(request, None)
        data = [_model_info(model) for model in self.models]
        page = {"data": data, "has_more": False, "first_id": data[0]["id"], "last_id": data[-1]["id"]}
        return web.json_response(page, headers=self._headers())

    async def _model(self, request: web.Request) -> web.Response:
        self._remember(request, None)
        model = _find_model(self.models, request.match_info["model_id"], exact=True)
        if model is None:
            return self._error(404, "not_found_error", f"model: {request.match_info['model_id']}")
        return web.json_response(_model_info(model), headers=self._headers())


def _model_info(model: DemoModel) -> dict[str, Any]:
    return {
        "type": "model",
        "id": model.id,
        "display_name": model.display_name,
        "created_at": model.created_at,
        "max_input_tokens": model.max_input_tokens,
        "max_tokens": model.max_tokens,
        "capabilities": model.features.capabilities(),
    }


def _find_model(models: list[DemoModel], model_id: str, *, exact: bool = False) -> DemoModel | None:
    for model in models:
        if model.id == model_id:
            return model
    if not exact and model_id.startswith("claude-"):
        return DemoModel(model_id, model_id, DEFAULT_DEMO_MODEL.tokens_per_second, DEFAULT_DEMO_MODEL.first_token_delay)
    return None


def _validate(body: dict[str, Any]) -> tuple[int, str, str] | None:
    """The checks the real API makes that a client can get wrong."""
    for name in ("model", "max_tokens", "messages"):
        if name not in body:
            return 400, "invalid_request_error", f"{name}: Field required"
    if not isinstance(body["max_tokens"], int) or body["max_tokens"] < 1:
        return 400, "invalid_request_error", "max_tokens: must be a positive integer"
    for name in ("temperature", "top_p", "top_k"):
        if name in body:
            return 400, "invalid_request_error", f"{name}: not supported in API version {API_VERSION}"
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        return 400, "invalid_request_error", "messages: at least one message is required"
    if messages[0].get("role") != "user":
        return 400, "invalid_request_error", "messages: the first message must use the user role"
    if not body.get("tools") and any(_tool_use_ids(m) or _tool_result_ids(m) for m in messages):
        return (
            400,
            "invalid_request_error",
            "Requests which include `tool_use` or `tool_result` blocks must define tools.",
        )
    for earlier, later in itertools.pairwise(messages):
        if earlier.get("role") == "assistant" and _tool_use_ids(earlier):
            missing = _tool_use_ids(earlier) - _tool_result_ids(later)
            if missing:
                return (
                    400,
                    "invalid_request_error",
                    "messages: `tool_use` ids were found without `tool_result` blocks immediately after: "
                    + ", ".join(sorted(missing)),
                )
    return None


def _tool_use_ids(message: dict[str, Any]) -> set[str]:
    content = message.get("content")
    if not isinstance(content, list):
        return set()
    return {str(b.get("id")) for b in content if isinstance(b, dict) and b.get("type") == "tool_use"}


def _tool_result_ids(message: dict[str, Any]) -> set[str]:
    content = message.get("content")
    if not isinstance(content, list):
        return set()
    return {str(b.get("tool_use_id")) for b in content if isinstance(b, dict) and b.get("type") == "tool_result"}


def _token_count(reply: Reply) -> int:
    return sum(count_tokens(block.text) for block in reply.blocks)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


async def _write_pieces(response: web.StreamResponse, body: bytes, sizes: list[int]) -> None:
    """Write `body` in pieces of `sizes` bytes (cycled; sizes below 1 count as 1)."""
    start = 0
    for size in itertools.cycle(sizes or [len(body) or 1]):
        if start >= len(body):
            return
        end = start + max(1, size)
        await response.write(body[start:end])
        start = end


def _drop(request: web.Request) -> None:
    """Cut the TCP connection mid-body, as a network failure would."""
    transport = request.transport
    if transport is not None:
        transport.abort()


async def _wait_for_disconnect(request: web.Request) -> None:
    """Send nothing more, keep the connection open until the client gives up."""
    while request.transport is not None and not request.transport.is_closing():  # noqa: ASYNC110
        await asyncio.sleep(0.05)


class DemoThread:
    """Runs a `DemoServer` on its own event loop in a daemon thread, so the UI loop stays free."""

    def __init__(self, server: DemoServer | None = None) -> None:
        self.server = server or DemoServer()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="claude-tui-demo-server", daemon=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def _run(self) -> None:
        # aiohttp logs a client that hangs up mid-stream as an error; that is the drop scenario, not a fault.
        logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self.server.start())
        except BaseException as error:  # reported to the starting thread
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self.server.stop())
        # Streams still being written (a client that left mid-answer) end here, not as warnings at exit.
        pending = asyncio.all_tasks(self._loop)
        for task in pending:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        self._loop.close()

    def start(self, timeout: float = 10.0) -> str:
        """Start the server; return its base URL once it is listening."""
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the demo server did not start")
        if self._error is not None:
            raise RuntimeError(f"the demo server did not start: {self._error}") from self._error
        return self.base_url

    def call(self, function: Any, *args: Any) -> None:
        """Run `function(*args)` on the server's loop (thread-safe)."""
        self._loop.call_soon_threadsafe(function, *args)

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            with contextlib.suppress(RuntimeError):
                self._thread.join(timeout=5)
