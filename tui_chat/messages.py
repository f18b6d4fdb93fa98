"""The typed Textual messages the stream posts to widgets (and widgets post to the screen).

The stream posts each message straight to the widget that needs it, so none of those bubble: a
bubbling `BlockText` would be handled again by every container up to the app, ten times a second.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.message_pump import MessagePump

from tui_chat.session.conversation import Block, Turn, TurnMetrics
from tui_chat.session.inspect import HelperEvent
from tui_chat.stream.types import RetryNotice
from tui_chat.stream.wire import RequestRecord, WireEvent, WireRecord


@dataclass
class TurnStarted(Message, bubble=False):
    """An assistant turn was created and its request is about to be sent."""

    turn: Turn


@dataclass
class RequestSent(Message, bubble=False):
    """What a request of the turn sent (each retry replaces its attempt's record; see `RequestRecord.index`)."""

    turn_id: int
    request: RequestRecord


@dataclass
class TurnConnected(Message, bubble=False):
    """The response headers arrived (status, request id, rate limits)."""

    turn_id: int
    record: WireRecord


@dataclass
class RetryScheduled(Message, bubble=False):
    """An attempt failed before the stream started and will be retried after a wait."""

    turn_id: int
    notice: RetryNotice


@dataclass
class BlockStarted(Message, bubble=False):
    """`content_block_start`: a new block to show."""

    turn_id: int
    block: Block


@dataclass
class BlockText(Message, bubble=False):
    """Text that arrived for a block since the last `BlockText` (deltas coalesced)."""

    turn_id: int
    index: int
    text: str


@dataclass
class BlockCompleted(Message, bubble=False):
    """`content_block_stop`: the block is whole (tool input is now pretty-printed)."""

    turn_id: int
    block: Block


@dataclass
class WireEventsArrived(Message, bubble=False):
    """Frames (and SDK helper events) that arrived since the last batch, in order (every one of them)."""

    turn_id: int
    events: list[WireEvent | HelperEvent]


@dataclass
class MetricsUpdated(Message, bubble=False):
    """The turn's metrics changed. Only the latest matters, so queued ones are replaced."""

    turn_id: int
    metrics: TurnMetrics

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, MetricsUpdated) and message.turn_id == self.turn_id


@dataclass
class TurnEnded(Message, bubble=False):
    """The turn is over: complete, stopped, failed or incomplete (see `turn.status`)."""

    turn: Turn


@dataclass
class StreamBatch(Message, bubble=False):
    """Messages for several widgets, in the order the stream produced them, applied together.

    The stream posts one batch per flush to the screen, which hands each message to its widget
    inside one `batch_update`: the text, the events and the metrics of a flush appear in one
    repaint instead of four, and nothing can overtake anything else.
    """

    deliveries: list[tuple[MessagePump, Message]]


@dataclass
class PromptSubmitted(Message):
    """The user pressed Enter in the prompt."""

    text: str
