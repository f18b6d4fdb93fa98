"""Pipe mode: `claude-tui -p PROMPT` streams one answer to standard output, with no full-screen UI.

It drives the same `ChatController` as the chat screen, with its own stream class (a `TurnRecorder`
whose handlers print), so the answer is sent, recorded, saved and ended exactly as in the app. No
Textual import on this path: the first token waits for nothing but the SDK (imported in a thread
while standard input is read and the history opened).

- `--output text` (the default) streams the answer's text as it arrives; `markdown` (the transcript's
  form of the answer) and `json` (text, content blocks, usage, metrics, error) print it at the end.
- `--events` prints every wire event as one JSON line, `{"t": ms since sent, "event": type, "data":
  ...}`, pings and `error` included, the request first (its key redacted); `--events-format text` as
  the inspector's rows. An `--output` given with `--events` is printed after them.
- `--metrics` prints the metrics pane's figures to standard error at the end.
- Exit status: 0 answered, 1 the API or the network failed (the partial answer was printed), 2 a
  usage error, 130 interrupted (Ctrl+C stops the stream and keeps what arrived).

Model output is untrusted: when standard output is a terminal no escape sequence of the model's
reaches it (control characters are removed); when it is not, the text passes through unchanged.
JSON output escapes control, C1 and bidi characters (`\\u009b`): the same JSON value, inert anywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TextIO

from tui_chat.config import Settings
from tui_chat.safety import redact, sanitize, sanitize_line
from tui_chat.session import reports
from tui_chat.session.backend import Backend
from tui_chat.session.controller import ChatController
from tui_chat.session.history import History
from tui_chat.session.model import Conversation, Turn, TurnStatus
from tui_chat.stream import clock

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

    from tui_chat.session.recorder import TurnRecorder
    from tui_chat.stream.retry import RetryPolicy

OutputFormat = Literal["text", "markdown", "json"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
EXIT_BROKEN_PIPE = 141

SECRET_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization", "cookie"})
"""Request headers whose value is never printed."""

_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def safe_json(value: Any) -> str:
    """`value` as one line of JSON that no terminal can act on: control characters are escaped by JSON
    itself, and DEL, C1, bidi and zero-width characters (legal raw in JSON) are escaped here too."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


@dataclass(frozen=True)
class PipeOptions:
    events: bool = False
    events_format: Literal["json", "text"] = "json"
    output: OutputFormat | None = None
    """None: stream the text, unless `events` (then the events alone)."""
    metrics: bool = False

    @property
    def streams_text(self) -> bool:
        return not self.events and self.output in (None, "text")

    @property
    def final_output(self) -> OutputFormat | None:
        """What is printed once the answer has ended (None: nothing, it streamed)."""
        if self.events:
            return self.output
        return None if self.output in (None, "text") else self.output


class Printer:
    """Standard output and standard error, made safe for a terminal when they are one."""

    def __init__(self, out: TextIO, err: TextIO, secrets: list[str]) -> None:
        self.out = out
        self.err = err
        self.secrets = secrets
        self.out_is_terminal = _is_terminal(out)
        self.err_is_terminal = _is_terminal(err)
        self.broken = False
        """Standard output was closed by its reader (`| head`): nothing more is written to it."""
        self.on_broken: list[Any] = []
        self._last_char = "\n"

    def text(self, text: str) -> None:
        """Model text, as it arrives: unchanged into a pipe or file, without control characters into a terminal."""
        self._write(sanitize(text) if self.out_is_terminal else text)

    def line(self, text: str) -> None:
        """A line of our own making (JSON, an inspector row), already safe."""
        self._write(text + "\n")

    def end_text(self) -> None:
        """End the streamed text with a newline if it lacks one."""
        if self._last_char != "\n":
            self._write("\n")

    def error(self, text: str) -> None:
        """A message on standard error (one line, no control characters, no secret)."""
        with contextlib.suppress(OSError, ValueError):
            self.err.write(f"claude-tui: {redact(sanitize_line(text), self.secrets)}\n")
            self.err.flush()

    def metrics(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.err.write(redact(sanitize_line(text), self.secrets) + "\n")
            self.err.flush()

    def _write(self, text: str) -> None:
        if self.broken or not text:
            return
        try:
            self.out.write(text)
            self.out.flush()
        except BrokenPipeError:
            self.broken = True
            _silence_stdout(self.out)
            for callback in self.on_broken:
                callback()
            return
        self._last_char = text[-1]


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _silence_stdout(stream: TextIO) -> None:
    """After EPIPE: point the descriptor at /dev/null, so Python's final flush cannot fail noisily."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)


# ------------------------------------------------------------------------------- the request
def request_description(client: AsyncAnthropic, params: dict[str, Any], secrets: list[str]) -> dict[str, Any]:
    """The request a stream sends: method, URL, headers (the key never shown) and JSON body."""
    headers = {str(name): str(value) for name, value in client.default_headers.items()}
    headers.update({str(k): str(v) for k, v in (params.get("extra_headers") or {}).items()})
    for name in headers:
        if name.lower() in SECRET_HEADERS:
            headers[name] = "[REDACTED]"
    body = {key: value for key, value in params.items() if not key.startswith("extra_")}
    body.update(params.get("extra_body") or {})
    body["stream"] = True
    url = f"{str(client.base_url).rstrip('/')}/v1/messages"
    request: dict[str, Any] = redacted({"method": "POST", "url": url, "headers": headers, "body": body}, secrets)
    return request


def redacted(value: Any, secrets: list[str]) -> Any:
    """`value` with every secret replaced in its strings (recursively)."""
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {key: redacted(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redacted(item, secrets) for item in value]
    return value


# -------------------------------------------------------------------------------- running it
def read_prompt(argument: str | None, stdin: TextIO) -> str:
    """The prompt: standard input (when it is not a terminal), then the argument after a blank line."""
    parts: list[str] = []
    if not _is_terminal(stdin):
        data = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode()
        piped = data.decode("utf-8", errors="replace")
        if piped.strip():
            parts.append(piped.rstrip("\n"))
    if argument and argument.strip():
        parts.append(argument)
    return "\n\n".join(parts)


def run_pipe(settings: Settings, argument: str | None, options: PipeOptions) -> int:
    """`claude-tui -p`: returns the exit status."""
    printer = Printer(sys.stdout, sys.stderr, settings.secrets)
    if settings.api_key is None and not settings.demo:
        printer.error("no API key: set ANTHROPIC_API_KEY (in the environment or a .env file), or try it with --demo")
        return EXIT_USAGE
    if settings.resume is not None and settings.no_history:
        printer.error("--continue and --resume need the history: leave out --no-history")
        return EXIT_USAGE
    return asyncio.run(PipeRun(settings, printer, options).run(argument))


class PipeRun:
    """One run of the pipe mode: a controller, its history, one answer, the exit status."""

    def __init__(
        self, settings: Settings, printer: Printer, options: PipeOptions, *, stdin: TextIO | None = None
    ) -> None:
        self.settings = settings
        self.printer = printer
        self.options = options
        self.stdin = sys.stdin if stdin is None else stdin
        self.backend = Backend(settings)
        self.stopped_by: int | None = None
        """The exit status of a signal that stopped the answer (130 for Ctrl+C)."""
        self.errors = 0
        from tui_chat.config import data_dir

        history = History(None if settings.no_history else data_dir(), secrets=settings.secrets, notify=self.report)
        self.controller = ChatController(self.backend, report=self.report, stream_factory=self.stream, history=history)
        printer.on_broken.append(self.controller.stop)

    def stream(
        self,
        client: AsyncAnthropic,
        conversation: Conversation,
        turn: Turn,
        *,
        retry_policy: RetryPolicy,
        **extra: Any,
    ) -> TurnRecorder:
        from tui_chat.pipe_stream import PipeStream  # (imports the SDK: by now imported, in a thread)

        return PipeStream(
            client, conversation, turn, printer=self.printer, options=self.options, retry_policy=retry_policy, **extra
        )

    def report(self, report: reports.Report) -> None:
        """Warnings and errors go to standard error; the rest is for a screen."""
        if isinstance(report, reports.Notice) and report.severity != "information":
            self.errors += report.severity == "error"
            self.printer.error(f"{report.title.lower()}: {report.text}" if report.title else report.text)

    def interrupted(self) -> int | None:
        """The exit status of the signal that stopped this run, if one did (set by the signal handler)."""
        return self.stopped_by

    def _interrupt(self, status: int) -> None:
        if self.stopped_by is not None:  # a second Ctrl+C: leave now
            os._exit(status)
        self.stopped_by = status
        self.controller.stop()

    async def run(self, argument: str | None) -> int:
        loop = asyncio.get_running_loop()
        handled: list[signal.Signals] = []
        for number, status in ((signal.SIGINT, EXIT_INTERRUPTED), (signal.SIGTERM, EXIT_TERMINATED)):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(number, self._interrupt, status)
                handled.append(number)
        controller = self.controller
        client = asyncio.ensure_future(controller.client())  # the SDK imports while the prompt is read
        try:
            prompt = await asyncio.to_thread(read_prompt, argument, self.stdin)
            if not prompt.strip():
                self.printer.error("no prompt: give one after -p, or pipe it in (echo hello | claude-tui -p)")
                return EXIT_USAGE
            if self.interrupted() is not None:
                return self.stopped_by or EXIT_INTERRUPTED
            controller.history.open_store()
            if self.settings.resume is not None:
                errors = self.errors
                await controller.resume(self.settings.resume)
                if self.errors > errors:
                    return EXIT_USAGE
            if argument and argument.strip() and not controller.conversation.turns:
                controller.conversation.title = sanitize_line(argument).strip()[:80]
            with contextlib.suppress(Exception):  # a client that cannot be built fails the answer, and says why
                await client
            if self.interrupted() is not None:
                return self.stopped_by or EXIT_INTERRUPTED
            await controller.send(prompt)
            await controller.wait()
            return self.finish(controller.conversation)
        finally:
            client.cancel()
            await controller.aclose()
            await self.backend.aclose()
            for number in handled:
                loop.remove_signal_handler(number)

    def finish(self, conversation: Conversation) -> int:
        """Print what comes at the end (the answer in its format, the metrics); the exit status."""
        turn = conversation.turns[-1] if conversation.turns and conversation.turns[-1].role == "assistant" else None
        if turn is None:
            return EXIT_FAILED
        printer = self.printer
        if self.options.streams_text:
            printer.end_text()
        final = self.options.final_output
        if final == "json":
            printer.line(safe_json(answer_json(conversation, turn, self.raw_text(turn))))
        elif final == "markdown":
            from tui_chat.session.export import turn_to_markdown

            printer.text(turn_to_markdown(conversation, turn))
            printer.end_text()
        elif final == "text":
            printer.text(self.raw_text(turn))
            printer.end_text()
        if self.options.metrics:
            from tui_chat.session.figures import figures_line

            printer.metrics(figures_line(turn, clock.now()))
        if turn.error is not None and turn.error.hint:
            printer.error(turn.error.hint)
        if self.stopped_by is not None:
            saved = "" if self.settings.no_history else " and saved"
            printer.error(f"stopped: the answer so far is printed{saved}")
            return self.stopped_by
        if printer.broken:
            return EXIT_BROKEN_PIPE
        return EXIT_OK if turn.status is TurnStatus.COMPLETE else EXIT_FAILED

    @staticmethod
    def raw_text(turn: Turn) -> str:
        """The answer's text as the model sent it (from its content blocks; the turn's own text is sanitized)."""
        content = turn.api_content if isinstance(turn.api_content, list) else []
        texts = [
            str(block.get("text", "")) for block in content if isinstance(block, dict) and block.get("type") == "text"
        ]
        return "".join(texts) if texts else turn.answer_text


def answer_json(conversation: Conversation, turn: Turn, text: str) -> dict[str, Any]:
    """`--output json`: the answer, its content blocks, usage, timings and error, for a script."""
    metrics = turn.metrics
    error = turn.error
    return {
        "conversation_id": conversation.id,
        "message_id": turn.message_id or None,
        "model": turn.model or conversation.model,
        "status": str(turn.status),
        "stop_reason": metrics.stop_reason,
        "text": text,
        "content": turn.api_content if isinstance(turn.api_content, list) else [],
        "usage": {
            "input_tokens": metrics.input_tokens,
            "output_tokens": metrics.output_tokens,
            "cache_creation_input_tokens": metrics.cache_creation_input_tokens,
            "cache_read_input_tokens": metrics.cache_read_input_tokens,
        },
        "metrics": {
            "ttft_ms": None if metrics.ttft is None else round(metrics.ttft * 1000, 1),
            "total_ms": None if metrics.ended_at is None else round(metrics.ended_at * 1000, 1),
            "tokens_per_second": metrics.tokens_per_second(),
            "events": metrics.events,
            "pings": metrics.pings,
            "attempts": metrics.attempts,
            "request_id": metrics.request_id,
        },
        "error": None
        if error is None
        else {"kind": error.kind, "summary": error.summary, "status": error.status, "request_id": error.request_id},
    }
