"""`ChatStream`: the UI's stream. Its handlers update the turn (via `TurnRecorder`) and post messages.

High-frequency updates are coalesced: text and wire frames are collected and posted at most every
`FLUSH_INTERVAL` seconds, so a stream of thousands of tokens a second becomes ~30 messages a second.
Structural events (a block starting or stopping, the end) flush what is pending first, so widgets
see everything in order. The stream never touches a widget; it only posts messages to them.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from anthropic import AsyncAnthropic
from anthropic.types import ContentBlock, Message
from textual.message import Message as UIMessage
from textual.message_pump import MessagePump

from tui_chat.messages import (
    BlockCompleted,
    BlockStarted,
    BlockText,
    MetricsUpdated,
    RetryScheduled,
    TurnConnected,
    TurnEnded,
    WireEventsArrived,
)
from tui_chat.session.inspect import HelperEvent
from tui_chat.session.model import Conversation, Turn
from tui_chat.session.recorder import TurnRecorder
from tui_chat.stream.event_stream import StreamEvent
from tui_chat.stream.retry import RetryPolicy
from tui_chat.stream.types import RetryNotice
from tui_chat.stream.wire import WireEvent


@dataclass(frozen=True)
class StreamTargets:
    """Who gets which messages."""

    conversation: MessagePump
    inspector: MessagePump
    metrics: MessagePump
    screen: MessagePump


STREAMED_KINDS = frozenset({"text", "thinking", "tool_use", "server_tool_use", "mcp_tool_use"})
"""Blocks whose text grows by deltas (the rest arrive whole in `content_block_start`)."""


class ChatStream(TurnRecorder):
    FLUSH_INTERVAL = 1 / 30

    def __init__(
        self,
        client: AsyncAnthropic,
        conversation: Conversation,
        turn: Turn,
        targets: StreamTargets,
        *,
        retry_policy: RetryPolicy | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(client, conversation, turn, retry_policy=retry_policy, **extra)
        self.targets = targets
        self._wire_batch: list[WireEvent | HelperEvent] = []
        self._posted_chars: dict[int, int] = {}
        self._dirty_blocks: set[int] = set()
        self._flush_handle: asyncio.TimerHandle | None = None
        self._completed: set[int] = set()

    # ---------------------------------------------------------------------------- coalescing
    def _schedule(self) -> None:
        if self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_later(self.FLUSH_INTERVAL, self.flush)

    def flush(self) -> None:
        """Post everything pending: wire frames, block text, metrics."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        turn_id = self.turn.id
        if self._wire_batch:
            self._post(self.targets.inspector, WireEventsArrived(turn_id, self._wire_batch))
            self._wire_batch = []
        for index in sorted(self._dirty_blocks):
            block = self.turn.block(index)
            if block is None:
                continue
            sent = self._posted_chars.get(index, 0)
            if len(block.text) > sent:
                self._post(self.targets.conversation, BlockText(turn_id, index, block.text[sent:]))
                self._posted_chars[index] = len(block.text)
        self._dirty_blocks.clear()
        self._post(self.targets.metrics, MetricsUpdated(turn_id, self.turn.metrics))

    def _post(self, target: MessagePump, message: UIMessage) -> None:
        target.post_message(message)

    # ------------------------------------------------------------------------------ handlers
    async def on_connect(self) -> None:
        await super().on_connect()
        self._post(self.targets.inspector, TurnConnected(self.turn.id, self.record))
        self._schedule()

    async def on_retry(self, notice: RetryNotice) -> None:
        await super().on_retry(notice)
        self._post(self.targets.conversation, RetryScheduled(self.turn.id, notice))
        self._post(self.targets.inspector, RetryScheduled(self.turn.id, notice))

    async def on_wire_event(self, wire: WireEvent) -> None:
        await super().on_wire_event(wire)
        self._wire_batch.append(wire)
        self._schedule()

    async def on_helper_event(self, event: StreamEvent) -> None:
        await super().on_helper_event(event)
        wire_index = len(self.record.events) - 1
        self._wire_batch.append(HelperEvent(event.type, time.perf_counter() - self.started, event, wire_index))

    async def on_stream_event(self, event: StreamEvent) -> None:
        await super().on_stream_event(event)
        if event.type == "content_block_start":
            self.flush()
            block = self.turn.block(event.index)
            if block is not None:
                # Widgets start empty; all of a block's text (even any in its start event) comes as BlockText.
                self._post(self.targets.conversation, BlockStarted(self.turn.id, block))
                self._posted_chars[block.index] = 0
                if block.text and block.kind in STREAMED_KINDS:
                    self._dirty_blocks.add(block.index)
                    self._schedule()
        elif event.type in ("message_start", "message_delta"):
            self._schedule()

    def _mark(self) -> None:
        self._dirty_blocks.add(self._delta_index)
        self._schedule()

    async def on_text(self, text: str, snapshot: str) -> None:
        await super().on_text(text, snapshot)
        self._mark()

    async def on_thinking(self, thinking: str, snapshot: str) -> None:
        await super().on_thinking(thinking, snapshot)
        self._mark()

    async def on_input_json(self, partial_json: str, snapshot: object) -> None:
        await super().on_input_json(partial_json, snapshot)
        self._mark()

    async def on_content_block(self, content_block: ContentBlock) -> None:
        self.flush()
        await super().on_content_block(content_block)
        for block in self.turn.blocks:
            if block.complete and block.index not in self._completed:
                self._completed.add(block.index)
                self._post(self.targets.conversation, BlockCompleted(self.turn.id, block))

    async def on_message(self, message: Message) -> None:
        await super().on_message(message)
        self._schedule()

    async def on_end(self) -> None:
        await super().on_end()
        self.flush()
        targets = self.targets
        for target in (targets.conversation, targets.inspector, targets.metrics, targets.screen):
            self._post(target, TurnEnded(self.turn))
