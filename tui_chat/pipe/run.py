"""Running pipe mode: read the prompt, drive the chat controller, print the answer (see `tui_chat.pipe`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from typing import TYPE_CHECKING, Any, TextIO

from tui_chat.config import Settings
from tui_chat.safety import sanitize_line
from tui_chat.session import reports
from tui_chat.session.approval import approve_tools, refuse_all
from tui_chat.session.backend import Backend
from tui_chat.session.controller import ChatController
from tui_chat.session.conversation import Conversation, Turn, TurnStatus
from tui_chat.session.history import History
from tui_chat.stream import clock

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

    from tui_chat.session.recorder import TurnRecorder
    from tui_chat.stream.retry import RetryPolicy

from tui_chat.pipe.output import (
    EXIT_BROKEN_PIPE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
    PipeOptions,
    Printer,
    _is_terminal,
    safe_json,
)


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
        allowed = options.approve_tools
        approval = refuse_all if allowed is None else approve_tools(None if "*" in allowed else allowed)
        self.controller = ChatController(
            self.backend, report=self.report, stream_factory=self.stream, history=history, approval=approval
        )
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
        from tui_chat.pipe.stream import PipeStream  # (imports the SDK: by now imported, in a thread)

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
