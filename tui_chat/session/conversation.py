"""Conversation state: turns, their content blocks, metrics, and the history sent to the API.

Pure Python: no SDK and no Textual import. Display text is sanitized on the way in — every text
field of a `Block`, `TurnMetrics` and `Turn` is sanitized when the object is made, whether from a
stream or from a stored row — while the content sent back to the API (`api_content`) is kept exactly
as the model produced it, because thinking blocks must be returned unchanged.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import MutableSequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from tui_chat.attachments import Attachment
from tui_chat.controls import RequestControls
from tui_chat.safety import sanitize, untrusted_line, untrusted_number, untrusted_text
from tui_chat.session.pricing import estimate_cost
from tui_chat.stream import clock
from tui_chat.stream.types import ErrorInfo, RetryNotice
from tui_chat.stream.wire import WireRecord

NOT_RUN_MOVED_ON = "Not run: the user sent a new message instead of answering this tool call."
"""The result of a tool call left unanswered (the loop was stopped) once the user writes again."""


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
    is_error: bool = False
    """A `tool_result` block (of a `tool` turn) sent with `is_error`."""
    decision: str = ""
    """A `tool_result` block: `approved`, `always`, `refused`, `stopped`, `unavailable` or `automatic`."""
    note: str = ""
    """A `tool_result` block: where the tool runs, how long it took, the user's reason for refusing."""

    def __post_init__(self) -> None:
        self.index = _whole(self.index)
        self.kind = untrusted_line(self.kind)
        self.text = untrusted_text(self.text)
        self.name = untrusted_line(self.name)
        self.tool_id = untrusted_line(self.tool_id)
        if self.citations:
            self.citations = [untrusted_line(line) for line in self.citations]

    @property
    def is_tool_use(self) -> bool:
        return self.kind in ("tool_use", "server_tool_use", "mcp_tool_use")


def citation_source(line: str) -> str:
    """The source a citation line names (`title — url`), without the text it quotes."""
    return line.split(": “", 1)[0]


@dataclass
class TurnMetrics:
    """Timings are seconds since the request was sent (`stream.clock` based)."""

    sent_at: float = 0.0
    """`clock.now()` when the request was sent."""
    queued_at: float = 0.0
    """`clock.now()` when the user asked for the answer (the turn was created): until `sent_at`, the
    client's own wait (the SDK still loading at start-up, a replay's server starting)."""
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

    def __post_init__(self) -> None:
        for name, default in _METRIC_NUMBERS.items():  # (printed as they are: a stored string would be shown raw)
            setattr(self, name, untrusted_number(getattr(self, name), default))
        if self.stop_reason is not None:
            self.stop_reason = untrusted_line(self.stop_reason)
        if self.request_id is not None:
            self.request_id = untrusted_line(self.request_id)
        if self.rate_limits:
            items = self.rate_limits.items() if isinstance(self.rate_limits, dict) else ()
            self.rate_limits = {untrusted_line(name): untrusted_line(value) for name, value in items}

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
    def client_wait(self) -> float | None:
        """Seconds between asking and the request leaving (not part of TTFT, which the server sets)."""
        if not self.queued_at or not self.sent_at:
            return None
        return max(0.0, self.sent_at - self.queued_at)

    @property
    def estimated_output_tokens(self) -> int:
        """A live estimate while streaming (about 4 characters a token)."""
        return max(self.output_tokens or 0, round(self.streamed_chars / 4))

    @property
    def output_count(self) -> tuple[int | None, bool]:
        """(output tokens, estimated): the best count there is. The last `message_delta`'s when one
        arrived (and is not a gateway's 0 after text streamed); otherwise the estimate, about 4
        characters a token — `message_start`'s count is a placeholder, and a turn stopped, failed or
        cut before `message_delta` has no other. (None, False) when nothing arrived at all."""
        reported = self.output_tokens if self.output_tokens_final else None
        if reported is not None and (reported > 0 or not self.streamed_chars):
            return reported, False
        if self.output_tokens is None and not self.streamed_chars:
            return None, False
        return self.estimated_output_tokens, True

    @property
    def input_count(self) -> int | None:
        """What "in" means everywhere (metrics, F3, exports, session totals): the input tokens of the
        request, cache included — uncached plus cache reads plus cache writes. None until a count that
        can be trusted arrives: a gateway may put 0 in `message_start` and the real count only in
        `message_delta`, and no request has 0 input tokens."""
        return self.total_input_tokens or None

    def tokens_per_second(self, now: float | None = None) -> float | None:
        """Output tokens over the streaming window (first delta to last delta, or to now)."""
        if self.first_token_at is None:
            return None
        if self.ended_at is not None:
            end = self.last_token_at if self.last_token_at is not None else self.ended_at
        else:
            end = self.elapsed(now)
        window = end - self.first_token_at
        tokens, _estimated = self.output_count
        if window <= 0.0 or not tokens:
            return None
        return tokens / window

    def cost(self, model: str) -> float | None:
        """Estimated dollars for this request (see `pricing`)."""
        return estimate_cost(
            model,
            input_tokens=self.input_tokens,
            output_tokens=self.output_count[0],
            cache_creation_input_tokens=self.cache_creation_input_tokens,
            cache_read_input_tokens=self.cache_read_input_tokens,
        )

    @property
    def total_input_tokens(self) -> int | None:
        if self.input_tokens is None:
            return None
        return self.input_tokens + (self.cache_creation_input_tokens or 0) + (self.cache_read_input_tokens or 0)


_METRIC_NUMBERS: dict[str, Any] = {
    "sent_at": 0.0,
    "headers_at": None,
    "first_token_at": None,
    "last_token_at": None,
    "ended_at": None,
    "input_tokens": None,
    "cache_creation_input_tokens": None,
    "cache_read_input_tokens": None,
    "output_tokens": None,
    "thinking_tokens": None,
    "deltas": 0,
    "streamed_chars": 0,
    "events": 0,
    "pings": 0,
    "attempts": 1,
    "read_pace": 0.0,
}
"""The number fields of `TurnMetrics` and their defaults."""


def _whole(value: object) -> int:
    """`value` if it is an int (a stored row may hold anything), else 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


@dataclass(frozen=True)
class CutShort:
    """How a complete turn whose stop reason says it did not finish is marked (see `cut_short`)."""

    mark: str
    """`✂`, `⊘` or `⏸`."""
    word: str
    """One word for a table cell: `cut`, `refused`, `paused`."""
    label: str
    """A few words: `cut at max_tokens`."""
    explanation: str
    """What happened and what to do, one sentence or two."""


def cut_short(turn: Turn) -> CutShort | None:
    """The mark of an answer that arrived whole (`message_stop`) but is not a finished answer: cut at the
    output limit or a full context window, refused, or paused by the server. None for anything else."""
    if turn.role != "assistant" or turn.status is not TurnStatus.COMPLETE:
        return None
    reason = turn.metrics.stop_reason
    if reason == "max_tokens":
        return CutShort(
            "✂",
            "cut",
            "cut at max_tokens",
            "The answer reached the output limit and stops mid-way. Send “continue” for the rest, or start "
            "claude-tui with a higher --max-tokens.",
        )
    if reason == "model_context_window_exceeded":
        return CutShort(
            "✂",
            "cut",
            "cut: the context window is full",
            "The conversation filled the model's context window (model_context_window_exceeded): the answer "
            "stops mid-way. Start a new conversation (ctrl+n) or edit a long message (F5).",
        )
    if reason == "refusal":
        return CutShort(
            "⊘",
            "refused",
            "refused",
            "The model declined to go on (stop_reason refusal): what is above may be partial.",
        )
    if reason == "pause_turn":
        return CutShort(
            "⏸",
            "paused",
            "paused by the server",
            "The server paused a long turn (pause_turn): send a message (“continue”) to let it go on.",
        )
    return None


def format_tokens(count: int | None, estimated: bool = False) -> str:
    """A token count as shown: `1,234`, `~1,234` for an estimate, `—` for none."""
    if count is None:
        return "—"
    return f"~{count:,}" if estimated else f"{count:,}"


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
    attachments: list[Attachment] = field(default_factory=list)
    """Files sent with a user message (before its text)."""
    request_index: int = 0
    """An assistant turn in a tool loop: 0 for the answer to the user, 1 for the continuation after the
    first tool results, … (all of them have the same `number`)."""
    id: int = field(default_factory=lambda: next(_turn_ids))
    load_notes: list[str] = field(default_factory=list)
    """What of this turn could not be read from the database when it was loaded (shown with it)."""

    def __post_init__(self) -> None:
        self.number = _whole(self.number)
        self.text = untrusted_text(self.text)
        self.model = untrusted_line(self.model)
        self.message_id = untrusted_line(self.message_id)
        if self.replay is not None:
            self.replay = untrusted_line(self.replay)

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
        return [str(call["id"]) for call in self.tool_calls]

    @property
    def tool_calls(self) -> list[dict[str, Any]]:
        """The client tool calls (`tool_use` blocks) of a complete answer, as the API sent them."""
        if self.status is not TurnStatus.COMPLETE or not isinstance(self.api_content, list):
            return []
        return [b for b in self.api_content if isinstance(b, dict) and b.get("type") == "tool_use"]

    @property
    def is_tool_results(self) -> bool:
        """The `tool_result`s sent back for an answer's tool calls (role `tool`: a user message on the wire)."""
        return self.role == "tool"


def unreadable_note(notes: list[str]) -> str:
    """One line naming what could not be read from the database (`load_notes`), "" if nothing."""
    return f"⚠ Could not be read from the database: {'; '.join(notes)}." if notes else ""


@dataclass
class SessionTotals:
    turns: int = 0
    requests: int = 0
    """Requests sent: one per answer, and one more for each round of tool results."""
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    failed: int = 0
    cost: float | None = None
    output_estimated: bool = False
    """Some turn's output count is an estimate (streaming, or ended before `message_delta`)."""
    input_uncounted: int = 0
    """Turns with no input count to trust yet (see `TurnMetrics.input_count`)."""

    @property
    def total_input_tokens(self) -> int:
        """Input tokens counted as the turn lines count them: uncached plus cache reads and writes."""
        return self.input_tokens + self.cache_read_input_tokens + self.cache_creation_input_tokens

    @property
    def input_text(self) -> str:
        """The session's "in": `—` while no turn has a count, `≥N` while some turn has none."""
        if self.input_uncounted and self.input_uncounted == self.turns:
            return "—"
        return f"{'≥' if self.input_uncounted else ''}{self.total_input_tokens:,}"


class Conversation:
    """The turns of one chat and the request that continues it."""

    def __init__(
        self,
        *,
        model: str,
        system: str | None = None,
        max_tokens: int = 4096,
        conversation_id: str | None = None,
        controls: RequestControls | None = None,
    ) -> None:
        self.id = conversation_id or uuid.uuid4().hex[:12]
        """Stable id (used by the store, `--resume ID` and `claude-tui export ID`)."""
        self._model = ""
        self.model = model
        self.system = system or None
        """Sent as it is; shown (exported) sanitized."""
        self.max_tokens = max_tokens
        self.controls = controls or RequestControls()
        """Thinking, effort, server tools, caching: saved with the conversation (see `session.request`)."""
        self.turns: list[Turn] = []
        self.created = datetime.now(UTC)
        self._title = ""
        self.load_notes: list[str] = []
        """What could not be read from the database when it was loaded (its header, unreadable turns)."""

    @property
    def damaged_turns(self) -> int:
        """Turns loaded with parts that could not be read (see `Turn.load_notes`)."""
        return sum(1 for turn in self.turns if turn.load_notes)

    @property
    def model(self) -> str:
        """The model for the next turns (one sanitized line, whoever set it: a flag, the picker, a stored row)."""
        return self._model

    @model.setter
    def model(self, value: str) -> None:
        self._model = untrusted_line(value)

    @property
    def title(self) -> str:
        """One sanitized line (a stored title is as untrusted as any other stored text)."""
        return self._title

    @title.setter
    def title(self, value: str) -> None:
        self._title = untrusted_line(value)
        self.always_allowed: set[str] = set()
        """Tools the user allowed for the rest of this conversation (`a` at an approval; not saved)."""

    def add_user(self, text: str, attachments: list[Attachment] | None = None) -> Turn:
        """Record the user's message (text as typed; sanitized for display) and the files sent with it."""
        turn = Turn(role="user", text=sanitize(text), api_content=text, attachments=list(attachments or []))
        if not self.title:
            self.title = sanitize(text).strip().splitlines()[0][:80] if text.strip() else "New conversation"
        self.turns.append(turn)
        return turn

    def start_assistant(self) -> Turn:
        """The next answer: to the user's message, or (after tool results) the continuation of a tool loop."""
        previous = self.turns[-2] if len(self.turns) > 1 and self.turns[-1].is_tool_results else None
        if previous is not None and previous.role == "assistant":
            number, index = previous.number, previous.request_index + 1
        else:
            number, index = 1 + sum(1 for t in self.turns if t.role == "assistant" and t.request_index == 0), 0
        turn = Turn(role="assistant", status=TurnStatus.STREAMING, model=self.model, number=number, request_index=index)
        self.turns.append(turn)
        return turn

    def add_tool_results(self, blocks: list[Block], results: list[dict[str, Any]]) -> Turn:
        """Record the `tool_result`s sent for the last answer's tool calls (`blocks`: as displayed)."""
        turn = Turn(role="tool", blocks=blocks, api_content=results)
        self.turns.append(turn)
        return turn

    def link_requests(self) -> None:
        """Set `request_index` of every answer (a loaded conversation: it is not stored, the order tells it)."""
        index = 0
        for position, turn in enumerate(self.turns):
            if turn.role != "assistant":
                continue
            before = self.turns[position - 1] if position else None
            index = index + 1 if before is not None and before.is_tool_results else 0
            turn.request_index = index

    def loop_requests(self, turn: Turn) -> list[Turn]:
        """The answers of the tool loop `turn` belongs to, one per request, in order (just `turn` without one)."""
        if turn.role != "assistant" or turn.replay is not None:
            return [turn]
        same = [t for t in self.turns if t.role == "assistant" and t.number == turn.number and t.replay is None]
        return same if turn in same else [turn]

    @property
    def unanswered_tool_calls(self) -> list[dict[str, Any]]:
        """The tool calls of the last answer when nothing was sent back for them (a loop that stopped)."""
        last = self.turns[-1] if self.turns else None
        if last is None or last.role != "assistant" or last.replay is not None:
            return []
        return last.tool_calls

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
            totals.turns += turn.request_index == 0
            totals.requests += 1
            metrics = turn.metrics
            totals.input_tokens += metrics.input_tokens or 0
            if metrics.input_count is None:
                totals.input_uncounted += 1
            output, estimated = metrics.output_count  # as the turn line counts it
            totals.output_tokens += output or 0
            totals.output_estimated = totals.output_estimated or estimated
            totals.cache_read_input_tokens += metrics.cache_read_input_tokens or 0
            totals.cache_creation_input_tokens += metrics.cache_creation_input_tokens or 0
            if turn.status in (TurnStatus.FAILED, TurnStatus.INCOMPLETE):
                totals.failed += 1
            cost = metrics.cost(turn.model)
            if cost is not None:
                totals.cost = (totals.cost or 0.0) + cost
        return totals

    def api_messages(self, draft: Turn | None = None, *, answer_pending: bool = False) -> list[dict[str, Any]]:
        """The history to send: alternating roles, tool calls answered, unusable partial blocks left out
        (with `draft`, a user turn not added yet, at the end: what sending it would send; `answer_pending`
        ends a history whose last answer's tool calls were never answered with "not run" results, so it
        is a request the API takes as it is)."""
        messages: list[dict[str, Any]] = []
        pending_tool_ids: list[str] = []
        for turn in self.turns if draft is None else [*self.turns, draft]:
            if turn.replay is not None:
                continue
            if turn.role in ("user", "tool"):
                content: list[dict[str, Any]] = []
                if turn.is_tool_results:
                    sent = [dict(b) for b in turn.api_content if isinstance(b, dict)] if turn.api_content else []
                    answered = {str(b.get("tool_use_id")) for b in sent}
                    content.extend(sent)
                    pending_tool_ids = [tool_id for tool_id in pending_tool_ids if tool_id not in answered]
                content = [
                    {"type": "tool_result", "tool_use_id": tool_id, "content": NOT_RUN_MOVED_ON, "is_error": True}
                    for tool_id in pending_tool_ids
                ] + content
                pending_tool_ids = []
                if not turn.is_tool_results:
                    content.extend(attachment.block() for attachment in turn.attachments)
                    content.append({"type": "text", "text": str(turn.api_content)})
                if not content:
                    continue
                if messages and messages[-1]["role"] == "user":
                    messages[-1]["content"].extend(content)
                else:
                    messages.append({"role": "user", "content": content})
            elif turn.status is not TurnStatus.STREAMING:
                blocks = _history_blocks(turn)
                if blocks:
                    messages.append({"role": "assistant", "content": blocks})
                    pending_tool_ids = turn.tool_use_ids
        if answer_pending and pending_tool_ids:
            stopped = "Not run: the tool loop was stopped before this call was answered."
            results = [
                {"type": "tool_result", "tool_use_id": i, "content": stopped, "is_error": True}
                for i in pending_tool_ids
            ]
            messages.append({"role": "user", "content": results})
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
