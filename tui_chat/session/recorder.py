"""`TurnRecorder`: an `EventStream` whose handlers keep a `Turn` (blocks, metrics, wire record) current.

This is the model layer's view of a stream; the UI subclasses it to also tell widgets. Importing
this module imports the SDK.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from anthropic import AsyncAnthropic
from anthropic.types import (
    ContentBlock,
    Message,
    RawContentBlockDeltaEvent,
    RawContentBlockStartEvent,
    RawMessageDeltaEvent,
    RawMessageStartEvent,
)
from anthropic.types.citations_delta import Citation

from tui_chat.safety import sanitize, sanitize_line
from tui_chat.session.conversation import Block, Conversation, Turn, TurnStatus
from tui_chat.session.request import request_params
from tui_chat.stream import clock
from tui_chat.stream.errors import client_secrets, describe_error
from tui_chat.stream.event_stream import EventStream, StreamEvent, UnsettledText
from tui_chat.stream.retry import RetryPolicy
from tui_chat.stream.types import Outcome, RetryNotice
from tui_chat.stream.wire import RequestRecord, WireEvent, shown_headers
from tui_chat.wording import count_of

SETTLE_FROM = 64_000
"""A block's text grows delta by delta up to this many characters; past it, in steps (see `TurnRecorder.settle`)."""


_STATUS_BY_OUTCOME = {
    Outcome.COMPLETE: TurnStatus.COMPLETE,
    Outcome.INCOMPLETE: TurnStatus.INCOMPLETE,
    Outcome.ERROR: TurnStatus.FAILED,
    Outcome.TIMEOUT: TurnStatus.FAILED,
    Outcome.CANCELLED: TurnStatus.STOPPED,
    Outcome.PENDING: TurnStatus.FAILED,
}


class TurnRecorder(EventStream):
    """Streams one assistant turn of `conversation` and records everything about it in `turn`."""

    def __init__(
        self,
        client: AsyncAnthropic,
        conversation: Conversation,
        turn: Turn,
        *,
        retry_policy: RetryPolicy | None = None,
        replay_headers: list[tuple[str, str]] | None = None,
        client_tools: Sequence[dict[str, Any]] = (),
        **extra: Any,
    ) -> None:
        """`replay_headers`: this is a replay, and these are the headers its recording holds (shown, and
        read for the metrics, instead of those of the local server that replays it). `client_tools`: the
        `tools` entries of claude-tui's own tools (after the server tools)."""
        params = {**request_params(conversation, extra_tools=client_tools), **extra}
        super().__init__(client, retry_policy=retry_policy, **params)
        self.conversation = conversation
        self.turn = turn
        turn.wire = self.record
        self._delta_index = 0
        self._replay_headers = replay_headers
        self._unsettled_blocks: dict[int, UnsettledText] = {}
        """Deltas not yet added to big blocks, by `id` of the block (see `settle`)."""

    def _now(self) -> float:
        return clock.now() - self.started

    async def on_request(self, request: RequestRecord) -> None:
        request.index = self.turn.request_index  # its place in the tool loop (each retry's attempt keeps it)
        await super().on_request(request)

    async def on_connect(self) -> None:
        if self._replay_headers is not None:
            self.record.headers = shown_headers(self._replay_headers)
            self.record.replay = True
        metrics = self.turn.metrics
        metrics.sent_at = self.started
        metrics.headers_at = self.record.headers_at
        metrics.request_id = self.record.request_id
        metrics.attempts = self.record.attempts
        metrics.read_pace = self.record.read_pace
        for name, value in self.record.headers:
            if name.startswith("anthropic-ratelimit-") and name.endswith("-remaining"):
                limit = name.removeprefix("anthropic-ratelimit-").removesuffix("-remaining")
                metrics.rate_limits[limit] = sanitize_line(value)

    async def on_retry(self, notice: RetryNotice) -> None:
        self.turn.metrics.sent_at = self.started
        self.turn.retries.append(notice)
        self.turn.metrics.attempts = notice.attempt + 1

    async def on_wire_event(self, wire: WireEvent) -> None:
        metrics = self.turn.metrics  # (`sent_at` was set in `on_connect`, before any frame)
        metrics.events += 1
        if wire.event == "ping":
            metrics.pings += 1

    async def on_stream_event(self, event: StreamEvent) -> None:
        # Check `type` as well as the class: the SDK builds an unknown event type as the first member
        # of its union (a RawMessageStartEvent with no message), so the class alone is not proof.
        metrics = self.turn.metrics
        kind = event.type
        if kind == "content_block_delta" and isinstance(event, RawContentBlockDeltaEvent):
            self._delta_index = event.index
            at = self._now()
            if metrics.first_token_at is None:
                metrics.first_token_at = at
            metrics.last_token_at = at
            metrics.deltas += 1
            metrics.delta_times.append(at)
        elif kind == "content_block_start" and isinstance(event, RawContentBlockStartEvent):
            self._start_block(event.index, event.content_block)
        elif kind == "message_start" and isinstance(event, RawMessageStartEvent):
            message = event.message
            self.turn.message_id = sanitize_line(message.id)
            self.turn.model = sanitize_line(message.model)
            self._read_usage(message.usage)
        elif kind == "message_delta" and isinstance(event, RawMessageDeltaEvent):
            stop_reason = event.delta.stop_reason
            metrics.stop_reason = sanitize_line(str(stop_reason)) if stop_reason else None
            self._read_usage(event.usage, final=True)

    def _read_usage(self, usage: Any, *, final: bool = False) -> None:
        """Cumulative counts overwrite; optional ones only when present (as the SDK does)."""
        metrics = self.turn.metrics
        for name in (
            "input_tokens",
            "cache_creation_input_tokens",
            "cache_read_input_tokens",
            "output_tokens",
        ):
            value = getattr(usage, name, None)
            if isinstance(value, int):
                setattr(metrics, name, value)
        details = getattr(usage, "output_tokens_details", None)
        thinking = getattr(details, "thinking_tokens", None) if details is not None else None
        if isinstance(thinking, int):
            metrics.thinking_tokens = thinking
        if final:
            metrics.output_tokens_final = True

    def _start_block(self, index: int, content_block: Any) -> None:
        kind = str(getattr(content_block, "type", "unknown"))
        block = Block(index=index, kind=sanitize_line(kind))
        if block.is_tool_use:
            block.name = sanitize_line(str(getattr(content_block, "name", "")))
            block.tool_id = sanitize_line(str(getattr(content_block, "id", "")))
        elif kind == "text":
            block.text = sanitize(getattr(content_block, "text", "") or "")
        elif kind not in ("thinking",):
            block.text = describe_opaque_block(content_block)
        self.turn.blocks.append(block)

    async def on_text(self, text: str, snapshot: str) -> None:
        self._append(text)

    async def on_thinking(self, thinking: str, snapshot: str) -> None:
        self._append(thinking)

    async def on_input_json(self, partial_json: str, snapshot: object) -> None:
        self._append(partial_json)

    def _append(self, fragment: str) -> Block | None:
        """Add a delta's text to its block; return the block (None if it is unknown). Past `SETTLE_FROM`
        characters, a block's deltas are added in steps (see `settle`)."""
        block = self.turn.blocks[-1] if self.turn.blocks else None
        if block is None or block.index != self._delta_index:
            block = self.turn.block(self._delta_index)
        if block is not None:
            clean = sanitize(fragment)
            self.turn.metrics.streamed_chars += len(clean)
            pending = self._unsettled_blocks.get(id(block))
            if pending is None and len(block.text) < SETTLE_FROM:
                block.text += clean
            else:
                if pending is None:
                    pending = self._unsettled_blocks[id(block)] = UnsettledText(block, "text")
                pending.add(clean)
        return block

    def settle(self) -> None:
        """Bring every block's text up to date. A block past `SETTLE_FROM` characters gets its deltas in
        steps (adding each one copies the whole text: quadratic in its length); this runs at
        every block stop and at the end, and the UI's stream before it reads the text."""
        for pending in self._unsettled_blocks.values():
            pending.settle()

    async def on_citation(self, citation: Citation, snapshot: list[Citation]) -> None:
        block = self.turn.block(self._delta_index)
        if block is not None:
            block.citations.append(describe_citation(citation))

    async def on_content_block(self, content_block: ContentBlock) -> None:
        self.settle()
        for block in reversed(self.turn.blocks):
            if not block.complete:
                if block.is_tool_use:
                    tool_input = getattr(content_block, "input", None)
                    block.text = sanitize(json.dumps(tool_input, indent=2, ensure_ascii=False))
                block.complete = True
                break

    async def on_message(self, message: Message) -> None:
        self.turn.api_content = [history_block(block) for block in message.content]

    async def on_exception(self, exception: BaseException) -> None:
        self.turn.error = describe_error(exception, client_secrets(self._client))

    async def on_end(self) -> None:
        self.settle()
        turn = self.turn
        turn.metrics.ended_at = self._now()
        turn.status = _STATUS_BY_OUTCOME[self.outcome]
        if turn.api_content is None:
            snapshot = self.snapshot
            turn.api_content = [history_block(b) for b in snapshot.content] if snapshot is not None else []


def history_block(block: Any) -> dict[str, Any]:
    """A content block as Messages API input: its own fields, minus SDK-only ones."""
    data: dict[str, Any] = block.to_dict(warnings=False) if hasattr(block, "to_dict") else dict(block)
    data.pop("parsed_output", None)
    if data.get("type") == "text" and not data.get("citations"):
        data.pop("citations", None)
    return data


def describe_opaque_block(content_block: Any) -> str:
    """A summary of a block that arrives whole and is not text (redacted thinking, a server tool's result...),
    a line or a few."""
    kind = str(getattr(content_block, "type", "unknown"))
    if kind == "redacted_thinking":
        return "Redacted thinking (encrypted; sent back unchanged)."
    if kind.endswith("_tool_result"):
        return describe_tool_result(kind, _plain(getattr(content_block, "content", None)))
    extra = getattr(content_block, "to_dict", None)
    summary = json.dumps(extra(), ensure_ascii=False)[:300] if callable(extra) else kind
    return sanitize_line(summary)


def _plain(value: Any) -> Any:
    """An SDK object as plain data (dicts and lists)."""
    if hasattr(value, "to_dict"):
        return value.to_dict(warnings=False)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def describe_tool_result(kind: str, content: Any) -> str:
    """What a server tool returned: the search's results, the fetched page, the sandbox's output."""
    if isinstance(content, dict) and "error_code" in content:
        return sanitize_line(f"error: {content.get('error_code')}")
    if isinstance(content, list):  # web search results
        lines = [f"{count_of(len(content), 'result')}:"]
        for number, item in enumerate(content[:10], 1):
            item = item if isinstance(item, dict) else {}
            title = sanitize_line(str(item.get("title") or "(untitled)"))[:120]
            url = sanitize_line(str(item.get("url") or ""))[:200]
            age = f" ({sanitize_line(str(item['page_age']))})" if item.get("page_age") else ""
            lines.append(f"{number}. {title} — {url}{age}")
        return "\n".join(lines)
    if isinstance(content, dict) and content.get("type") == "web_fetch_result":
        document: dict[str, Any] = content["content"] if isinstance(content.get("content"), dict) else {}
        source: dict[str, Any] = document["source"] if isinstance(document.get("source"), dict) else {}
        title = sanitize_line(str(document.get("title") or ""))[:120]
        size = len(str(source.get("data", "")))
        lines = [sanitize_line(str(content.get("url", "")))[:200]]
        if title:
            lines.append(title)
        lines.append(f"{sanitize_line(str(source.get('media_type', 'document')))}, {size:,} characters")
        return "\n".join(lines)
    if isinstance(content, dict) and "return_code" in content:  # code execution
        lines = [f"exit code {content.get('return_code')}"]
        for stream in ("stdout", "stderr"):
            text = sanitize(str(content.get(stream) or "")).rstrip()
            if text:
                shown = text if len(text) <= 600 else text[:600] + "…"
                lines.append(f"{stream}:\n{shown}")
        return "\n".join(lines)
    if isinstance(content, dict):
        return sanitize_line(json.dumps(content, ensure_ascii=False)[:300])
    return sanitize_line(kind)


def describe_citation(citation: Any) -> str:
    title = getattr(citation, "title", None) or getattr(citation, "document_title", None) or ""
    url = getattr(citation, "url", None) or ""
    cited = getattr(citation, "cited_text", "") or ""
    parts = [p for p in (str(title), str(url)) if p]
    label = " — ".join(parts) or str(getattr(citation, "type", "citation"))
    return sanitize_line(f"{label}: “{str(cited)[:160]}”" if cited else label)
