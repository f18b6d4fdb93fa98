"""`PipeStream`: the pipe mode's stream. A `TurnRecorder` (the turn is recorded as in the app) whose
handlers print the answer's text, or every event, as it comes (see `tui_chat.pipe`). Imports the SDK."""

from __future__ import annotations

from typing import Any

from anthropic import AsyncAnthropic

from tui_chat.pipe.output import PipeOptions, Printer, redacted, request_description, safe_json
from tui_chat.session.conversation import Conversation, Turn
from tui_chat.session.inspect import headers_summary, row_text, visible, wire_row
from tui_chat.session.recorder import TurnRecorder
from tui_chat.stream import clock
from tui_chat.stream.retry import RetryPolicy
from tui_chat.stream.types import RetryNotice
from tui_chat.stream.wire import WireEvent


class PipeStream(TurnRecorder):
    """The pipe's stream: records the turn like any other, and prints the text or the events as they come."""

    def __init__(
        self,
        client: AsyncAnthropic,
        conversation: Conversation,
        turn: Turn,
        *,
        printer: Printer,
        options: PipeOptions,
        retry_policy: RetryPolicy | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(client, conversation, turn, retry_policy=retry_policy, **extra)
        self.printer = printer
        self.options = options
        self._request = request_description(client, self.params, printer.secrets)

    def _event(self, at: float, event: str, data: Any, row: str) -> None:
        if not self.options.events:
            return
        if self.options.events_format == "text":
            self.printer.line(row)
        else:
            self.printer.line(safe_json({"t": round(at * 1000, 1), "event": event, "data": data}))

    async def run(self) -> Any:
        request = self._request
        method, url = request["method"], request["url"]
        self._event(0.0, "request", request, row_text(0.0, "request", None, visible(f"{method} {url}")))
        return await super().run()

    async def on_connect(self) -> None:
        await super().on_connect()
        record = self.record
        at = record.headers_at or 0.0
        data = {"status": record.status, "headers": dict(record.headers)}
        self._event(
            at,
            "response",
            redacted(data, self.printer.secrets),
            row_text(at, "headers", None, headers_summary(record)),
        )

    async def on_retry(self, notice: RetryNotice) -> None:
        await super().on_retry(notice)
        at = clock.now() - self.started
        summary = f"attempt {notice.attempt + 1} of {notice.max_attempts} in {notice.wait:.1f} s: {notice.reason}"
        data = {
            "attempt": notice.attempt,
            "max_attempts": notice.max_attempts,
            "wait": notice.wait,
            "status": notice.status,
            "reason": notice.reason,
            "request_id": notice.request_id,
        }
        self._event(at, "retry", data, row_text(at, "retry", None, visible(summary)))

    async def on_wire_event(self, wire: WireEvent) -> None:
        await super().on_wire_event(wire)
        if self.options.events:
            payload = wire.json
            data = payload if payload is not None else wire.data
            self._event(wire.at, wire.name, data, wire_row(wire))

    async def on_text(self, text: str, snapshot: str) -> None:
        await super().on_text(text, snapshot)
        if self.options.streams_text:
            self.printer.text(text)

    async def on_exception(self, exception: BaseException) -> None:
        await super().on_exception(exception)
        error = self.turn.error
        if error is not None:
            at = clock.now() - self.started
            data = {
                "kind": error.kind,
                "summary": error.summary,
                "status": error.status,
                "request_id": error.request_id,
            }
            self._event(
                at, "exception", data, row_text(at, "exception", None, visible(f"{error.kind}: {error.summary}"))
            )
