"""`ChatStream`: the UI's stream. Its handlers update the turn (via `TurnRecorder`) and post messages.

High-frequency updates are coalesced: text and wire frames are collected and posted together at
most every `FLUSH_INTERVAL` seconds (the first at once, so the first token is not delayed). Each
post makes every pane repaint, and a repaint of this layout costs far more than a token, so the rate
of posts, not of tokens, sets the CPU cost: five a second keeps a 100 tok/s answer light and still looks live.
With the "paced_reads" preference, reads are coalesced too (`EventStream.read_pace`): once text
flows, frames gather in the socket for up to 50 ms and are read together, a wake-up per 50 ms instead
of one per token, for event times in 50 ms steps. Structural events (a block starting or stopping, the
end) flush what is pending first, so widgets see everything in order. The stream never touches a
widget; it only posts messages to them.
"""

from __future__ import annotations

import asyncio
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
    RequestSent,
    RetryScheduled,
    StreamBatch,
    TurnConnected,
    TurnEnded,
    WireEventsArrived,
)
from tui_chat.session.conversation import Conversation, Turn
from tui_chat.session.inspect import HelperEvent
from tui_chat.session.recorder import TurnRecorder
from tui_chat.stream import clock
from tui_chat.stream.event_stream import StreamEvent
from tui_chat.stream.retry import RetryPolicy
from tui_chat.stream.types import RetryNotice
from tui_chat.stream.wire import RequestRecord, WireEvent


@dataclass(frozen=True)
class StreamTargets:
    """Who gets which messages."""

    conversation: MessagePump
    inspector: MessagePump
    metrics: MessagePump
    screen: MessagePump


STREAMED_KINDS = frozenset({"text", "thinking", "tool_use", "server_tool_use", "mcp_tool_use"})
"""Blocks whose text grows by deltas (the rest arrive whole in `content_block_start`)."""


class _Snapshot:
    """The SDK's latest snapshot string of one block, shared by that block's `LazyHelperEvent`s."""

    __slots__ = ("text",)

    def __init__(self) -> None:
        self.text = ""


class LazyHelperEvent(HelperEvent):
    """A `text`/`thinking` helper event that rebuilds the SDK object when asked for it.

    The SDK's `TextEvent` carries the whole snapshot so far; keeping one per token keeps every
    intermediate snapshot alive (memory quadratic in the answer's length). The snapshot only
    grows by appending, so its length and the block's latest snapshot give it back exactly.
    """

    __slots__ = ("_cls", "_delta", "_length", "_snapshot")

    def __init__(self, event: Any, at: float, wire_index: int, snapshot: _Snapshot, length: int) -> None:
        """`event`: the SDK's `TextEvent` or `ThinkingEvent`; `snapshot`: its block's shared holder; `length`:
        the snapshot's length after this delta (the event's own snapshot may lag: `EXACT_SNAPSHOT_CHARACTERS`)."""
        self.type = event.type
        self.at = at
        self.wire_index = wire_index
        self._cls: Any = type(event)
        self._delta: str = getattr(event, event.type)
        text: str = event.snapshot
        self._length = length
        self._snapshot = snapshot
        if len(text) > len(snapshot.text):
            snapshot.text = text

    @property
    def delta(self) -> str:
        """The delta's text (what `obj` would hold in its `text` or `thinking` field)."""
        return self._delta

    @property
    def snapshot_length(self) -> int:
        """The length of the snapshot after this delta (without rebuilding it)."""
        return self._length

    @property  # read-only here: computed from the shared snapshot
    def obj(self) -> Any:
        fields = {"type": self.type, self.type: self._delta, "snapshot": self._snapshot.text[: self._length]}
        return self._cls.construct(**fields)


class ChatStream(TurnRecorder):
    FLUSH_INTERVAL = 0.2

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
        self._flush_handle: asyncio.Handle | None = None
        self._last_flush = 0.0
        self._completed: set[int] = set()
        self._snapshots: dict[int, _Snapshot] = {}
        self._outbox: list[tuple[MessagePump, UIMessage]] = []
        self._first_text_posted = False

    # ---------------------------------------------------------------------------- coalescing
    def _schedule(self) -> None:
        if self._flush_handle is None:
            loop = asyncio.get_running_loop()
            wait = self._last_flush + self.FLUSH_INTERVAL - loop.time()
            self._flush_handle = loop.call_later(max(0.0, wait), self.flush)

    def flush(self) -> None:
        """Post everything pending (wire frames, block text, metrics, and any message queued since the
        last flush) to the screen as one `StreamBatch`."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        self._last_flush = asyncio.get_running_loop().time()
        self.settle()  # (a big block's text, brought up to date for the widgets)
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
        deliveries, self._outbox = self._outbox, []
        self.targets.screen.post_message(StreamBatch(deliveries))

    def _post(self, target: MessagePump, message: UIMessage) -> None:
        """Queue `message` for `target`; it goes out, in order, with the next batch."""
        self._outbox.append((target, message))

    # ------------------------------------------------------------------------------ handlers
    async def on_request(self, request: RequestRecord) -> None:
        await super().on_request(request)
        self._post(self.targets.inspector, RequestSent(self.turn.id, request))  # (flushed with what follows)

    async def on_connect(self) -> None:
        await super().on_connect()
        self._post(self.targets.inspector, TurnConnected(self.turn.id, self.record))
        self.flush()

    async def on_retry(self, notice: RetryNotice) -> None:
        await super().on_retry(notice)
        self._post(self.targets.conversation, RetryScheduled(self.turn.id, notice))
        self._post(self.targets.inspector, RetryScheduled(self.turn.id, notice))
        self.flush()

    async def on_wire_event(self, wire: WireEvent) -> None:
        await super().on_wire_event(wire)
        self._wire_batch.append(wire)
        self._schedule()

    async def on_helper_event(self, event: StreamEvent) -> None:
        await super().on_helper_event(event)
        wire_index = len(self.record.events) - 1
        at = clock.now() - self.started
        if event.type in ("text", "thinking") and isinstance(getattr(event, "snapshot", None), str):
            snapshot = self._snapshots.setdefault(self._delta_index, _Snapshot())
            length = self.snapshot_length(self._delta_index)
            self._wire_batch.append(LazyHelperEvent(event, at, wire_index, snapshot, length))
        else:
            self._wire_batch.append(HelperEvent(event.type, at, event, wire_index))

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
                self._flush_soon()  # the widget is mounted while the model works on the first token
        elif event.type in ("message_start", "message_delta"):
            self._schedule()

    def _mark(self) -> None:
        self._dirty_blocks.add(self._delta_index)
        if self._first_text_posted:
            self._schedule()
        else:
            self._first_text_posted = True
            self._flush_soon()  # the first token goes out at once: it is what TTFT is about

    def _flush_soon(self) -> None:
        """Flush on the next loop turn, whatever the rate limit (after this frame's other events)."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
        self._flush_handle = asyncio.get_running_loop().call_soon(self.flush)

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
        whole = getattr(content_block, "thinking" if content_block.type == "thinking" else "text", None)
        holder = self._snapshots.get(self._delta_index)
        if holder is not None and isinstance(whole, str):
            holder.text = whole  # the whole text, for helper events whose snapshot lagged (see `LazyHelperEvent`)
        await super().on_content_block(content_block)
        for block in self.turn.blocks:
            if block.complete and block.index not in self._completed:
                self._completed.add(block.index)
                self._post(self.targets.conversation, BlockCompleted(self.turn.id, block))
        self._schedule()

    async def on_message(self, message: Message) -> None:
        await super().on_message(message)
        self._schedule()

    async def on_end(self) -> None:
        await super().on_end()
        self.flush()
        targets = self.targets
        for target in (targets.conversation, targets.inspector, targets.metrics):
            self._post(target, TurnEnded(self.turn))
        self.flush()
