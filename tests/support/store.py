"""Conversations made and saved for a test: every kind of content, damaged rows, a locked database."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.sse import fixture_bytes
from tui_chat.session.conversation import Block, Conversation, TurnStatus
from tui_chat.session.store import DB_FILENAME, ConversationStore
from tui_chat.stream.types import ErrorInfo, RetryNotice
from tui_chat.stream.wire import WireEvent, WireRecord, split_recording

CJK_EMOJI_RTL = "日本語のテキスト 🎌👩‍👩‍👧 עברית مرحبا \u200f(RTL) e\u0301 𝔘𝔫𝔦"


def record_from(body: bytes, *, status: int = 200, step: float = 1 / 3) -> WireRecord:
    """A wire record of `body` with awkward float arrival times (they must survive exactly)."""
    record = WireRecord(
        status=status,
        headers=[("request-id", "req_011CX"), ("content-type", "text/event-stream; charset=utf-8")],
        headers_at=0.123456789012345,
        attempts=3,
    )
    for index, frame in enumerate(split_recording(body)):
        record.events.append(WireEvent.from_frame(index, 0.2 + index * step, frame))
    return record


def build_rich_conversation() -> Conversation:
    """A conversation with every kind of content the model layer holds."""
    conversation = Conversation(model="claude-sonnet-5-5", system=f"Answer briefly. {CJK_EMOJI_RTL}", max_tokens=2048)
    conversation.add_user(f"Is 1009 prime? {CJK_EMOJI_RTL}")

    first = conversation.start_assistant()
    first.blocks = [
        Block(0, "thinking", "Check divisors up to 31 <script>x</script>", complete=True),
        Block(
            1,
            "text",
            "# Result\n\nYes:\n\n```python\nprint(is_prime(1009))\n```\n\n## Why\n\nNo divisor.",
            complete=True,
        ),
        Block(2, "tool_use", '{\n  "n": 1009\n}', name="check_prime", tool_id="toolu_01", complete=True),
    ]
    first.api_content = [
        {
            "type": "thinking",
            "thinking": "Check divisors up to 31 <script>x</script>",
            "signature": "EqQBCkYIARgCIkD==",
        },
        {"type": "text", "text": "# Result\n\nYes:\n\n```python\nprint(is_prime(1009))\n```\n\n## Why\n\nNo divisor."},
        {"type": "tool_use", "id": "toolu_01", "name": "check_prime", "input": {"n": 1009}},
    ]
    first.status = TurnStatus.COMPLETE
    first.model = "claude-sonnet-5-5-20261001"
    first.message_id = "msg_01"
    metrics = first.metrics
    metrics.sent_at = 12345.678
    metrics.headers_at = 0.25
    metrics.first_token_at = 0.4213
    metrics.last_token_at = 2.9
    metrics.ended_at = 3.1
    metrics.input_tokens = 52
    metrics.cache_read_input_tokens = 1840
    metrics.output_tokens = 567
    metrics.output_tokens_final = True
    metrics.thinking_tokens = 40
    metrics.stop_reason = "tool_use"
    metrics.deltas = 30
    metrics.streamed_chars = 800
    metrics.events = 41
    metrics.pings = 2
    metrics.request_id = "req_011CX"
    first.wire = record_from(fixture_bytes("hw-thinking-signature-pings.sse"))

    conversation.add_user("And with sources?")
    second = conversation.start_assistant()
    second.blocks = [
        Block(0, "redacted_thinking", "Redacted thinking (encrypted; sent back unchanged).", complete=True),
        Block(1, "text", "It is ", complete=True),
        Block(2, "text", "prime", citations=["Primes — https://example.org/p: “1009 is prime”"], complete=True),
        Block(3, "text", f". {CJK_EMOJI_RTL}", complete=True),
    ]
    second.api_content = [
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"},
        {"type": "text", "text": "It is "},
        {
            "type": "text",
            "text": "prime",
            "citations": [{"type": "web_search_result_location", "url": "https://example.org/p", "cited_text": "x"}],
        },
        {"type": "text", "text": f". {CJK_EMOJI_RTL}"},
    ]
    second.status = TurnStatus.COMPLETE
    second.wire = record_from(fixture_bytes("hw-web_search-citations_delta.sse"))

    conversation.add_user("Once more")
    third = conversation.start_assistant()
    third.blocks = [Block(0, "text", "Partial answ")]
    third.api_content = [{"type": "text", "text": "Partial answ"}]
    third.status = TurnStatus.FAILED
    third.error = ErrorInfo(
        kind="overloaded_error",
        summary="The API is overloaded.",
        status=529,
        error_type="overloaded_error",
        request_id="req_err",
        hint="Wait a moment, then press ctrl+r.",
        retryable=True,
    )
    third.retries = [
        RetryNotice(
            attempt=1, max_attempts=3, wait=0.5, status=429, reason="HTTP 429 rate_limit_error", request_id="r1"
        ),
        RetryNotice(attempt=2, max_attempts=3, wait=1.25, status=None, reason="connection dropped"),
    ]
    # CRLF framing, a comment, invalid UTF-8 and a last frame without its blank line
    third.wire = record_from(
        b'event: ping\r\ndata: {}\r\n\r\n: comment \xff\xfe\n\nevent: error\ndata: {"type":"error"}',
        status=200,
    )

    conversation.add_user("Code please")
    fourth = conversation.start_assistant()
    fourth.blocks = [Block(0, "text", "```python\ndef f():\n    return 1")]
    fourth.api_content = [{"type": "text", "text": "```python\ndef f():\n    return 1"}]
    fourth.status = TurnStatus.STOPPED
    return conversation


def save_all(store: ConversationStore, conversation: Conversation) -> None:
    for turn in conversation.turns:
        store.save_turn(conversation, turn)


def saved_conversation(folder: Path) -> Conversation:
    conversation = Conversation(model="claude-sonnet-5-5")
    user = conversation.add_user("hello")
    turn = conversation.start_assistant()
    turn.status = turn.status.FAILED
    with ConversationStore(folder) as store:
        store.save_turn(conversation, user)
        store.save_turn(conversation, turn)
    return conversation


DAMAGE: dict[str, tuple[int, str, Any]] = {
    # what: (turn position, column, stored value)
    "blocks": (1, "blocks", "{not json"),
    "metrics": (1, "metrics", "[1, 2]"),
    "wire": (1, "wire_meta", '{"event_lengths": "!!", "event_times": ""}'),
    "api content": (3, "api_content", "[1, 2]"),
    "error": (5, "error", '{"kind": 5, "summary": null}'),
    "retries": (5, "retries", '"x"'),
    "date": (3, "created", "yesterday"),
    "role": (6, "role", "robot"),
    "number": (7, "number", "seven"),
    "user content": (2, "api_content", "{}"),
}


def damaged_database(folder: Path) -> tuple[str, str]:
    """Two conversations: a damaged one (header and turn rows) and an intact one. Returns their ids."""
    with ConversationStore(folder) as store:
        damaged = build_rich_conversation()
        save_all(store, damaged)
        intact = Conversation(model="claude-intact")
        intact.add_user("an intact question")
        save_all(store, intact)
    db = sqlite3.connect(folder / DB_FILENAME)
    with db:
        db.execute("UPDATE conversations SET created = 'last tuesday', updated = 42 WHERE id = ?", (damaged.id,))
        for position, column, value in DAMAGE.values():
            db.execute(
                f"UPDATE turns SET {column} = ? WHERE conversation_id = ? AND position = ?",
                (value, damaged.id, position),
            )
        db.execute(
            "UPDATE conversations SET title = ?, max_tokens = 'lots' WHERE id = ?", (b"\xff\x00title", damaged.id)
        )
    db.close()
    return damaged.id, intact.id


def take_lock(folder: Path, *, exclusive: bool = False) -> sqlite3.Connection:
    """Another program's connection, holding the database's write lock until it rolls back and closes
    (`exclusive`: reads are refused too)."""
    db = sqlite3.connect(folder / DB_FILENAME, isolation_level=None, check_same_thread=False)
    if exclusive:
        db.execute("PRAGMA locking_mode=EXCLUSIVE")
        db.execute("BEGIN EXCLUSIVE")
        db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    else:
        db.execute("BEGIN IMMEDIATE")
    return db


@contextmanager
def locked(folder: Path, *, exclusive: bool = False) -> Iterator[sqlite3.Connection]:
    """`take_lock`, released at the end of the block."""
    db = take_lock(folder, exclusive=exclusive)
    try:
        yield db
    finally:
        db.execute("ROLLBACK")
        db.close()


def stored(folder: Path, conversation_id: str) -> Conversation:
    with ConversationStore(folder) as store:
        return store.load(conversation_id)


def stored_turns(folder: Path, conversation_id: str) -> int:
    """How many turns of the conversation are in the database (0 if it is not there yet)."""
    with ConversationStore(folder) as store:
        try:
            return len(store.load(conversation_id).turns)
        except LookupError:
            return 0


def wait_until(check: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(check) and check():
            return True
        time.sleep(0.02)
    return False
