"""Conversation state: turns, their content blocks, metrics, and the history sent to the API.

Pure Python: no SDK and no Textual import. Display text is sanitized on the way in; the content
sent back to the API (`api_content`) is kept exactly as the model produced it, because thinking
blocks must be returned unchanged.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import MutableSequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from tui_chat.safety import sanitize
from tui_chat.session.pricing import estimate_cost
from tui_chat.stream import clock
from tui_chat.stream.types import ErrorInfo, RetryNotice
from tui_chat.stream.wire import WireRecord

TOOLS_NOT_RUN = (
    "claude-tui does not run tools, so this tool was not executed. Answer without its result, or say "
    "what result you would need."
)


class TurnStatus(StrEnum):
    STREAMING = "streaming"
    COMPLETE = "complete"
    STOPPED = "stopped"
    """Stopped by the user; the partial answer is kept."""
    FAILED = "failed"
    INCOMPLETE = "incomplete"
    """Ended without `message_stop`."""


@dataclass
class Block:
    """One content block of an assistant turn, as displayed."""

    index: int
    kind: str
    """`text`, `thinking`, `redacted_thinking`, `tool_use`, `server_tool_use`, `*_tool_result`, ..."""
    text: str = ""
    """Sanitized text, thinking, or tool-input JSON (streamed fragments, pretty-printed when complete)."""
    name: str = ""
    """Tool name for tool-use blocks."""
    tool_id: str = ""
    citations: list[str] = field(default_factory=list)
    """One sanitized line per citation."""
    complete: bool = False

    @property
    def is_tool_use(self) -> bool:
        return self.kind in ("tool_use", "server_tool_use", "mcp_tool_use")


@dataclass
class TurnMetrics:
    """Timings are seconds since the request was sent (`stream.clock` based)."""

    sent_at: float = 0.0
    """`clock.now()` when the request was sent."""
    headers_at: float | None = None
    first_token_at: float | None = None
    last_token_at: float | None = None
    ended_at: float | None = None
    input_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    output_tokens: int | None = None
    """From `message_delta` (cumulative); until then the `message_start` value."""
    output_tokens_final: bool = False
    """True once a `message_delta` reported the count."""
    thinking_tokens: int | None = None
    stop_reason: str | None = None
    deltas: int = 0
    streamed_chars: int = 0
    events: int = 0
    pings: int = 0
    attempts: int = 1
    request_id: str | None = None
    delta_times: MutableSequence[float] = field(default_factory=list)
    """Arrival time of every content delta (seconds since sent): the inter-token rhythm (a list while the
    answer streams; an `array` of doubles, a quarter of the memory, once a long session packs it)."""
    rate_limits: dict[str, str] = field(default_factory=dict)
    """`anthropic-ratelimit-*-remaining` headers of the response, by limit name (requests, tokens...)."""
    read_pace: float = 0.0
    """Seconds between paced reads (the "paced_reads" preference), 0 when every frame was read as it
    landed: above 0, delta times after the first come in steps and tok/s is approximate."""

    def inter_token_ms(self, last: int = 60) -> list[float]:
        """Milliseconds between consecutive deltas, for the last `last` gaps."""
        times = self.delta_times[-(last + 1) :]
        return [(later - earlier) * 1000 for earlier, later in itertools.pairwise(times)]

    def elapsed(self, now: float | None = None) -> float:
        """Seconds from sending to the end (or to `now` while streaming)."""
        if self.ended_at is not None:
            return self.ended_at
        return (now if now is not None else clock.now()) - self.sent_at

    @property
    def ttft(self) -> float | None:
        return self.first_token_at

    @property
    def estimated_output_tokens(self) -> int:
        """A live estimate while streaming (about 4 characters a token)."""
        return max(self.output_tokens or 0, round(self.streamed_chars / 4))

    def tokens_per_second(self, now: float | None = None) -> float | None:
        """Output tokens over the streaming window (first delta to last delta, or to now)."""
        if self.first_token_at is None:
            return None
        if self.ended_at is not None:
            end = self.last_token_at if self.last_token_at is not None else self.ended_at
        else:
            end = self.elapsed(now)
        window = end - self.first_token_at
        tokens = self.output_tokens if self.output_tokens_final else self.estimated_output_tokens
        if window <= 0.0 or not tokens:
            return None
        return tokens / window

    def cost(self, model: str) -> float | None:
        """Estimated dollars for this request (see `pricing`)."""
        return estimate_cost(
            model,
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cache_creation_input_tokens=self.cache_creation_input_tokens,
            cache_read_input_tokens=self.cache_read_input_tokens,
        )

    @property
    def total_input_tokens(self) -> int | None:
        if self.input_tokens is None:
            return None
        return self.input_tokens + (self.cache_creation_input_tokens or 0) + (self.cache_read_input_tokens or 0)


_turn_ids = itertools.count(1)


@dataclass
class Turn:
    """One message of the conversation: the user's, or the assistant's answer as it streams."""

    role: str
    text: str = ""
    """The user's text (sanitized for display; the original is in `api_content`)."""
    blocks: list[Block] = field(default_factory=list)
    status: TurnStatus = TurnStatus.COMPLETE
    error: ErrorInfo | None = None
    retries: list[RetryNotice] = field(default_factory=list)
    metrics: TurnMetrics = field(default_factory=TurnMetrics)
    wire: WireRecord | None = None
    api_content: Any = None
    """What this turn contributes to the history, as Messages API content (str or list of blocks)."""
    model: str = ""
    message_id: str = ""
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    number: int = 0
    """For assistant turns: 1 for the first answer of the conversation, 2 for the next..."""
    replay: str | None = None
    """Set on both turns of a replayed recording (its name): never part of the history sent."""
    id: int = field(default_factory=lambda: next(_turn_ids))
    load_notes: list[str] = field(default_factory=list)
    """What of this turn could not be read from the database when it was loaded (shown with it)."""

    def block(self, index: int) -> Block | None:
        for block in reversed(self.blocks):
            if block.index == index:
                return block
        return None

    @property
    def answer_text(self) -> str:
        """The visible text of an assistant turn (text blocks only)."""
        return "".join(block.text for block in self.blocks if block.kind == "text")

    @property
    def tool_use_ids(self) -> list[str]:
        if self.status is not TurnStatus.COMPLETE or not isinstance(self.api_content, list):
            return []
        return [str(b["id"]) for b in self.api_content if isinstance(b, dict) and b.get("type") == "tool_use"]


def unreadable_note(notes: list[str]) -> str:
    """One line naming what could not be read from the database (`load_notes`), "" if nothing."""
    return f"⚠ Could not be read from the database: {'; '.join(notes)}." if notes else ""


@dataclass
class SessionTotals:
    turns: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    failed: int = 0
    cost: float | None = None
    output_estimated: bool = False
    """An answer is still streaming: its output tokens are an estimate until message_delta."""

    @property
    def total_input_tokens(self) -> int:
        """Input tokens counted as the turn lines count them: uncached plus cache reads and writes."""
        return self.input_tokens + self.cache_read_input_tokens + self.cache_creation_input_tokens


class Conversation:
    """The turns of one chat and the request that continues it."""

    def __init__(
        self,
        *,
        model: str,
        system: str | None = None,
        max_tokens: int = 4096,
        conversation_id: str | None = None,
    ) -> None:
        self.id = conversation_id or uuid.uuid4().hex[:12]
        """Stable id (used by the store, `--resume ID` and `claude-tui export ID`)."""
        self.model = model
        self.system = system or None
        self.max_tokens = max_tokens
        self.turns: list[Turn] = []
        self.created = datetime.now(UTC)
        self.title = ""
        self.load_notes: list[str] = []
        """What could not be read from the database when it was loaded (its header, unreadable turns)."""

    @property
    def damaged_turns(self) -> int:
        """Turns loaded with parts that could not be read (see `Turn.load_notes`)."""
        return sum(1 for turn in self.turns if turn.load_notes)

    def add_user(self, text: str) -> Turn:
        """Record the user's message (text as typed; sanitized for display)."""
        turn = Turn(role="user", text=sanitize(text), api_content=text)
        if not self.title:
            self.title = sanitize(text).strip().splitlines()[0][:80] if text.strip() else "New conversation"
        self.turns.append(turn)
        return turn

    def start_assistant(self) -> Turn:
        number = 1 + sum(1 for t in self.turns if t.role == "assistant")
        turn = Turn(role="assistant", status=TurnStatus.STREAMING, model=self.model, number=number)
        self.turns.append(turn)
        return turn

    def discard_last_assistant(self) -> Turn | None:
        """Drop the last assistant turn (before a retry); return it."""
        if self.turns and self.turns[-1].role == "assistant":
            return self.turns.pop()
        return None

    @property
    def last_user_text(self) -> str | None:
        for turn in reversed(self.turns):
            if turn.role == "user":
                return str(turn.api_content) if isinstance(turn.api_content, str) else turn.text
        return None

    @property
    def streaming(self) -> bool:
        return bool(self.turns) and self.turns[-1].status is TurnStatus.STREAMING

    def totals(self) -> SessionTotals:
        totals = SessionTotals()
        for turn in self.turns:
            if turn.role != "assistant" or turn.replay is not None:
                continue  # a replayed recording was not asked in this session, nor paid for
            totals.turns += 1
            metrics = turn.metrics
            totals.input_tokens += metrics.input_tokens or 0
            if turn.status is TurnStatus.STREAMING and not metrics.output_tokens_final:
                totals.output_estimated = True  # as the turn line counts it: ~4 characters a token so far
                totals.output_tokens += metrics.estimated_output_tokens
            else:
                totals.output_tokens += metrics.output_tokens or 0
            totals.cache_read_input_tokens += metrics.cache_read_input_tokens or 0
            totals.cache_creation_input_tokens += metrics.cache_creation_input_tokens or 0
            if turn.status in (TurnStatus.FAILED, TurnStatus.INCOMPLETE):
                totals.failed += 1
            cost = metrics.cost(turn.model)
            if cost is not None:
                totals.cost = (totals.cost or 0.0) + cost
        return totals

    def api_messages(self) -> list[dict[str, Any]]:
        """The history to send: alternating roles, tool calls answered, unusable partial blocks left out."""
        messages: list[dict[str, Any]] = []
        pending_tool_ids: list[str] = []
        for turn in self.turns:
            if turn.replay is not None:
                continue
            if turn.role == "user":
                content: list[dict[str, Any]] = [
                    {
                        "type": "tool_result",
                        "tool_use_id": tool_id,
                        "content": TOOLS_NOT_RUN,
                        "is_error": True,
                    }
                    for tool_id in pending_tool_ids
                ]
                pending_tool_ids = []
                content.append({"type": "text", "text": str(turn.api_content)})
                if messages and messages[-1]["role"] == "user":
                    messages[-1]["content"].extend(content)
                else:
                    messages.append({"role": "user", "content": content})
            elif turn.status is not TurnStatus.STREAMING:
                blocks = _history_blocks(turn)
                if blocks:
                    messages.append({"role": "assistant", "content": blocks})
                    pending_tool_ids = turn.tool_use_ids
        for message in messages:  # plain strings where possible: what a person would write by hand
            content = message["content"]
            if message["role"] == "user" and len(content) == 1 and content[0]["type"] == "text":
                message["content"] = content[0]["text"]
        return messages


def _history_blocks(turn: Turn) -> list[dict[str, Any]]:
    """A finished turn's content for the history. Partial answers keep only their text."""
    content = turn.api_content if isinstance(turn.api_content, list) else []
    if turn.status is TurnStatus.COMPLETE:
        return [dict(block) for block in content]
    text = "".join(str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text").rstrip()
    return [{"type": "text", "text": text}] if text else []
