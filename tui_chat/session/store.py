"""Conversations on disk: one SQLite database, written when turns end and checkpointed while they stream.

Pure Python (stdlib `sqlite3`): no SDK and no Textual import. Everything is stored as given, so a
loaded conversation sends the same history as the original. The API key is never stored: nothing
in the model holds it.

A `ConversationStore` is used from one thread (the UI's event loop); every write is one short
transaction, so a checkpoint costs a single small commit.
"""

from __future__ import annotations

import array
import base64
import contextlib
import copy
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from tui_chat import config
from tui_chat.attachments import Attachment
from tui_chat.controls import RequestControls
from tui_chat.safety import sanitize_line
from tui_chat.session.conversation import Block, Conversation, Turn, TurnMetrics, TurnStatus
from tui_chat.session.search import MatchingLine, fts_query, index_form, matching_line
from tui_chat.stream.types import ErrorInfo, RetryNotice
from tui_chat.stream.wire import PackedEvents, RequestRecord, WireRecord

DB_FILENAME = "conversations.sqlite3"
DB_SUFFIXES = frozenset({".sqlite3", ".sqlite", ".db"})
"""A location ending in one of these is the database file itself; anything else is its directory."""

INTERRUPTED_KIND = "interrupted"
"""`ErrorInfo.kind` of a turn that was still streaming when claude-tui stopped (restored from a checkpoint)."""
INTERRUPTED_SUMMARY = "claude-tui was closed while this answer streamed; the text up to the last checkpoint is kept."


class StoreError(Exception):
    """The conversation database cannot be used; the message says why, in plain words."""


class ConversationNotFoundError(StoreError, LookupError):
    """No stored conversation has this id (or id prefix)."""


class AmbiguousIdError(StoreError, LookupError):
    """An id prefix matches more than one conversation."""

    def __init__(self, prefix: str, matches: list[str]) -> None:
        shown = ", ".join(matches[:5]) + (", …" if len(matches) > 5 else "")
        super().__init__(f"{prefix!r} matches {len(matches)} conversations ({shown}); type more of the id.")
        self.matches = matches


UNKNOWN_TIME = datetime(1970, 1, 1, tzinfo=UTC)
"""Stands in for a stored date that is not one (a damaged or hand-edited row)."""


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """One line of the conversation list."""

    id: str
    title: str
    model: str
    created: datetime
    updated: datetime
    turn_count: int
    replay: bool = False
    """Every turn is a replayed recording (`claude-tui replay`): not a conversation of the user's own,
    so `--continue` passes it by; `model` is then the recorded stream's."""
    unreadable: str = ""
    """What of its row could not be read, in words ("" when all of it could). It is listed anyway,
    with `UNKNOWN_TIME` for a date that is not one, and can be opened."""

    @property
    def when(self) -> str:
        """When it was last changed, in local time, as the list shows it."""
        if self.updated == UNKNOWN_TIME:
            return "date unknown"
        return self.updated.astimezone().strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True, slots=True)
class StoreWrite:
    """One change to the store, with everything it writes copied when it was asked for: the stream keeps
    changing the turn while a writer thread (`session.writer`) serializes and stores the copy."""

    conversation_id: str
    header: tuple[str, str, str | None, int, datetime, str] | None
    """Title, model, system prompt, max_tokens, creation time, request controls (JSON); None for a draft."""
    keep_turns: int | None
    """Turns at or after this position are deleted (edited away, discarded); None: no turn is."""
    position: int | None = None
    turn: Turn | None = None
    """A copy of the turn to store at `position` (see `_frozen`)."""
    checkpoint: bool = False
    draft: str | None = None
    """The prompt's unsent text to keep for `conversation_id` ("" removes it): a draft, nothing else."""

    @property
    def turn_id(self) -> int | None:
        return None if self.turn is None else self.turn.id

    @classmethod
    def of_draft(cls, conversation_id: str, text: str) -> StoreWrite:
        """The prompt's unsent text for a conversation ("" for one not saved yet)."""
        return cls(conversation_id, None, None, draft=text)

    @classmethod
    def of_conversation(cls, conversation: Conversation) -> StoreWrite:
        """The header, and no turn after the last one."""
        return cls(conversation.id, _header(conversation), len(conversation.turns))

    @classmethod
    def of_turn(cls, conversation: Conversation, turn: Turn) -> StoreWrite:
        """`turn` in full at its position (and the header, and no turn after the last one)."""
        position = _position(conversation, turn)
        return cls(conversation.id, _header(conversation), len(conversation.turns), position, _frozen(turn))

    @classmethod
    def of_checkpoint(cls, conversation: Conversation, turn: Turn) -> StoreWrite:
        """The partial text of a streaming turn (a full `of_turn` once it has ended)."""
        if turn.status is not TurnStatus.STREAMING:
            return cls.of_turn(conversation, turn)
        position = _position(conversation, turn)
        return cls(conversation.id, _header(conversation), None, position, _frozen(turn, checkpoint=True), True)


def _header(conversation: Conversation) -> tuple[str, str, str | None, int, datetime, str]:
    return (
        conversation.title,
        conversation.model,
        conversation.system,
        conversation.max_tokens,
        conversation.created,
        conversation.controls.to_json(),
    )


def _frozen(turn: Turn, *, checkpoint: bool = False) -> Turn:
    """A copy of `turn` that later changes to it do not reach: strings and bytes are shared (they never
    change), lists and records are copied (a few references each). A checkpoint copies no wire record
    and no delta times (it does not store them) and fixes how long the answer had streamed. Copied
    without `__init__`: its checks and sanitizing are done already (a 20 MB answer's text sanitized again
    stalled the event loop for ~70 ms)."""
    metrics = _copy(
        turn.metrics,
        delta_times=[] if checkpoint else list(turn.metrics.delta_times),
        rate_limits=dict(turn.metrics.rate_limits),
    )
    if checkpoint and metrics.ended_at is None and metrics.sent_at:
        metrics.ended_at = turn.metrics.elapsed()  # how long it had streamed when last saved
    wire = turn.wire
    if wire is not None and not checkpoint:  # (packed frames never change: shared)
        wire = _copy(wire, headers=list(wire.headers), events=wire.packed or list(wire.events))
    api_content = turn.api_content
    return _copy(
        turn,
        blocks=[_copy(block, citations=list(block.citations)) for block in turn.blocks],
        retries=list(turn.retries),
        metrics=metrics,
        wire=None if checkpoint else wire,
        api_content=list(api_content) if isinstance(api_content, list) else api_content,
        load_notes=list(turn.load_notes),
        attachments=list(turn.attachments),
    )


_Record = TypeVar("_Record")


def _copy(record: _Record, **changes: Any) -> _Record:
    """A shallow copy of a dataclass instance with `changes`, made without calling its `__init__`."""
    copied = copy.copy(record)
    for name, value in changes.items():
        setattr(copied, name, value)
    return copied


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A conversation that matches a search: its best-matching message, and that message's matching line."""

    conversation: ConversationSummary
    position: int
    """The matching turn's place in the conversation (0 for its first message)."""
    role: str
    line: MatchingLine
    rank: float
    """FTS5's bm25 rank of the message: lower is a better match."""


def is_interrupted(turn: Turn) -> bool:
    """Whether `turn` was loaded from a checkpoint of an answer that never finished."""
    return turn.error is not None and turn.error.kind == INTERRUPTED_KIND


# --- schema and migrations -------------------------------------------------------------------------


def _migrate_to_v1(db: sqlite3.Connection) -> None:
    """The initial schema."""
    db.execute(
        """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            model TEXT NOT NULL,
            system TEXT,
            max_tokens INTEGER NOT NULL,
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX conversations_by_updated ON conversations (updated)")
    db.execute(
        """
        CREATE TABLE turns (
            conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            role TEXT NOT NULL,
            status TEXT NOT NULL,
            text TEXT NOT NULL,
            api_content TEXT,
            blocks TEXT NOT NULL,
            metrics TEXT NOT NULL,
            error TEXT,
            retries TEXT NOT NULL,
            model TEXT NOT NULL,
            message_id TEXT NOT NULL,
            created TEXT NOT NULL,
            number INTEGER NOT NULL,
            replay TEXT,
            wire_body BLOB,
            wire_meta TEXT,
            PRIMARY KEY (conversation_id, position)
        )
        """
    )


def _migrate_to_v2(db: sqlite3.Connection) -> None:
    """Wire times and delta times packed (see `_wire_columns`): existing rows are rewritten, so an older
    claude-tui refuses the database with a clear message instead of failing on rows it cannot read."""
    rows = db.execute("SELECT conversation_id, position, metrics, wire_meta FROM turns").fetchall()
    for conversation_id, position, metrics_json, meta_json in rows:
        metrics = json.loads(metrics_json)
        if isinstance(metrics.get("delta_times"), list):
            metrics["delta_times_packed"] = _pack("d", [float(t) for t in metrics.pop("delta_times")])
        meta = json.loads(meta_json) if meta_json is not None else None
        if meta is not None and isinstance(meta.get("events"), list):
            pairs = meta.pop("events")
            meta["event_lengths"] = _pack("I", [int(length) for length, _ in pairs])
            meta["event_times"] = _pack("d", [float(at) for _, at in pairs])
        db.execute(
            "UPDATE turns SET metrics = ?, wire_meta = ? WHERE conversation_id = ? AND position = ?",
            (_json(metrics), None if meta is None else _json(meta), conversation_id, position),
        )


def _migrate_to_v3(db: sqlite3.Connection) -> None:
    """Request controls (thinking, effort, server tools, caching) per conversation; attached files per turn."""
    for table, column in (("conversations", "controls"), ("turns", "attachments")):
        if column not in [row[1] for row in db.execute(f"PRAGMA table_info({table})")]:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")


def _migrate_to_v4(db: sqlite3.Connection) -> None:
    """Full-text search over every message and answer: `search_text` holds each turn's text as indexed
    (see `search.index_form`), and the FTS5 table `search` indexes it, kept in step by triggers. Existing
    turns are indexed here, once."""
    db.execute(
        """
        CREATE TABLE search_text (
            id INTEGER PRIMARY KEY,
            conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            body TEXT NOT NULL,
            UNIQUE (conversation_id, position)
        )
        """
    )
    db.execute(
        "CREATE VIRTUAL TABLE search USING fts5(body, content='search_text', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
    )
    db.execute(
        "CREATE TRIGGER search_text_inserted AFTER INSERT ON search_text BEGIN "
        "INSERT INTO search (rowid, body) VALUES (new.id, new.body); END"
    )
    db.execute(
        "CREATE TRIGGER search_text_deleted AFTER DELETE ON search_text BEGIN "
        "INSERT INTO search (search, rowid, body) VALUES ('delete', old.id, old.body); END"
    )
    db.execute(
        "CREATE TRIGGER search_text_updated AFTER UPDATE ON search_text BEGIN "
        "INSERT INTO search (search, rowid, body) VALUES ('delete', old.id, old.body); "
        "INSERT INTO search (rowid, body) VALUES (new.id, new.body); END"
    )
    rows = db.execute("SELECT conversation_id, position, role, text, blocks FROM turns ORDER BY rowid")
    for conversation_id, position, role, text, blocks in rows.fetchall():
        _write_search(db, conversation_id, position, _shown_text(role, text, blocks))


def _migrate_to_v5(db: sqlite3.Connection) -> None:
    """Drafts: the unsent text of the prompt, per conversation ("" for a conversation not saved yet)."""
    db.execute("CREATE TABLE drafts (conversation_id TEXT PRIMARY KEY, text TEXT NOT NULL, updated TEXT NOT NULL)")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _migrate_to_v1,
    _migrate_to_v2,
    _migrate_to_v3,
    _migrate_to_v4,
    _migrate_to_v5,
]
"""Migration `i` takes the schema from version `i` to `i + 1`. To change the schema, append one function."""


def schema_version() -> int:
    """The schema version this code writes."""
    return len(MIGRATIONS)


# --- the store -------------------------------------------------------------------------------------


class ConversationStore:
    """Saves and loads conversations in `conversations.sqlite3`."""

    def __init__(
        self,
        location: str | os.PathLike[str] | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        busy_timeout: float = 5.0,
    ) -> None:
        """Open (creating if needed) the database in directory `location` (default: the data directory).

        A `location` ending in `.sqlite3`, `.sqlite` or `.db` is the database file itself. A directory
        is created with mode 0o700 (and set to it if it exists); the database file gets 0o600.
        `busy_timeout`: seconds a statement waits for another program's lock before it fails.
        """
        self.path = _prepare_location(location)
        self._clock = clock or (lambda: datetime.now(UTC))
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=busy_timeout)
        except sqlite3.Error as error:
            raise StoreError(f"Cannot open the conversation database {self.path}: {error}.") from error
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # in WAL mode: durable across process crashes
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.Error as error:
            self._db.close()
            raise StoreError(f"Cannot use the conversation database {self.path}: {error}.") from error
        except BaseException:
            self._db.close()
            raise
        self._closed = False

    # lifecycle

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def user_version(self) -> int:
        """The schema version recorded in the database (`PRAGMA user_version`)."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed on success, rolled back on any exception."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate(self) -> None:
        target = schema_version()
        if self.user_version == target:
            return  # (a read: no write lock is needed to open a database that is up to date)
        while True:
            with self._transaction() as db:  # IMMEDIATE: a second process waits instead of migrating too
                version = self.user_version
                if version > target:
                    raise StoreError(
                        f"The conversation database {self.path} was written by a newer claude-tui "
                        f"(schema {version}; this version knows up to {target})."
                    )
                if version == target:
                    return
                MIGRATIONS[version](db)
                db.execute(f"PRAGMA user_version = {version + 1}")

    # writing

    def save_conversation(self, conversation: Conversation) -> None:
        """Insert or update the conversation's header row (title, model, system prompt, limits)."""
        self.write(StoreWrite.of_conversation(conversation))

    def save_conversations(self, conversations: Iterable[Conversation]) -> None:
        """Store whole conversations (headers and every turn) in one transaction: an import."""
        with self._transaction() as db:
            for conversation in conversations:
                self._write_header(db, StoreWrite.of_conversation(conversation))
                _drop_turns_from(db, conversation.id, len(conversation.turns))
                for position, turn in enumerate(conversation.turns):
                    _write_turn(db, conversation.id, position, _turn_row(turn))
                    _write_search(db, conversation.id, position, _turn_text(turn))

    def save_turn(self, conversation: Conversation, turn: Turn) -> None:
        """Store `turn` (and the header) at its position in `conversation`, replacing what was there."""
        self.write(StoreWrite.of_turn(conversation, turn))

    def checkpoint(self, conversation: Conversation, turn: Turn) -> None:
        """Cheaply store the partial text of a turn that is still streaming (its wire record is left out).

        Loaded later, the turn comes back as failed with an `interrupted` error (see `is_interrupted`).
        On a turn that has already ended this is a full `save_turn`, so a late checkpoint cannot
        overwrite the final state.
        """
        self.write(StoreWrite.of_checkpoint(conversation, turn))

    def write(self, change: StoreWrite) -> None:
        """Apply one `StoreWrite` in one transaction (from any thread that owns this store): the header, the
        turns dropped, the turn and its search text; or a draft."""
        if change.draft is not None:
            self.save_draft(change.conversation_id, change.draft)
            return
        row = None if change.turn is None else _turn_row(change.turn, checkpoint=change.checkpoint)
        with self._transaction() as db:
            self._write_header(db, change)
            if change.keep_turns is not None:
                _drop_turns_from(db, change.conversation_id, change.keep_turns)
            if row is not None and change.position is not None and change.turn is not None:
                _write_turn(db, change.conversation_id, change.position, row)
                _write_search(db, change.conversation_id, change.position, _turn_text(change.turn))

    def _write_header(self, db: sqlite3.Connection, change: StoreWrite) -> None:
        if change.header is None:
            return
        title, model, system, max_tokens, created, controls = change.header
        db.execute(
            """
            INSERT INTO conversations (id, title, model, system, max_tokens, created, updated, controls)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                title = excluded.title, model = excluded.model, system = excluded.system,
                max_tokens = excluded.max_tokens, updated = excluded.updated, controls = excluded.controls
            """,
            (
                change.conversation_id,
                _storable(title),
                _storable(model),
                None if system is None else _storable(system),
                max_tokens,
                _timestamp(created),
                _timestamp(self._clock()),
                controls,
            ),
        )

    def rename(self, conversation_id: str, title: str) -> None:
        """Set a conversation's title (made one line; must not be empty). Its place in the list stays."""
        clean = sanitize_line(title).strip()
        if not clean:
            raise ValueError("A conversation title cannot be empty.")
        with self._transaction() as db:
            cursor = db.execute("UPDATE conversations SET title = ? WHERE id = ?", (_storable(clean), conversation_id))
            if cursor.rowcount == 0:
                raise ConversationNotFoundError(f"No conversation with id {conversation_id!r}.")

    def delete(self, conversation_id: str) -> None:
        """Delete a conversation and all its turns."""
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            if cursor.rowcount == 0:
                raise ConversationNotFoundError(f"No conversation with id {conversation_id!r}.")
            db.execute("DELETE FROM drafts WHERE conversation_id = ?", (conversation_id,))

    # drafts

    def save_draft(self, conversation_id: str, text: str) -> None:
        """Keep the unsent text of the prompt for a conversation ("": one not saved yet); empty text removes it."""
        with self._transaction() as db:
            if text.strip():
                db.execute(
                    "INSERT INTO drafts (conversation_id, text, updated) VALUES (?, ?, ?) "
                    "ON CONFLICT (conversation_id) DO UPDATE SET text = excluded.text, updated = excluded.updated",
                    (conversation_id, _storable(text), _timestamp(self._clock())),
                )
            else:
                db.execute("DELETE FROM drafts WHERE conversation_id = ?", (conversation_id,))

    def draft(self, conversation_id: str) -> str:
        """The unsent text kept for a conversation ("" if none)."""
        row = self._db.execute("SELECT text FROM drafts WHERE conversation_id = ?", (conversation_id,)).fetchone()
        return "" if row is None else str(row[0])

    # reading

    def list_conversations(
        self, limit: int | None = None, *, since: datetime | None = None, model: str | None = None
    ) -> list[ConversationSummary]:
        """Stored conversations, most recently updated first; only those updated `since` a moment, or
        whose model contains `model` (any case), when given."""
        try:
            rows = self._db.execute(
                f"""
                SELECT c.id, c.title, c.model, c.created, c.updated,
                       (SELECT COUNT(*) FROM turns t WHERE t.conversation_id = c.id),
                       (SELECT COUNT(*) FROM turns t WHERE t.conversation_id = c.id AND t.replay IS NULL),
                       (SELECT t.model FROM turns t WHERE t.conversation_id = c.id AND t.role = 'assistant'
                        AND t.model != '' ORDER BY t.position DESC LIMIT 1)
                FROM conversations c
                WHERE {_FILTERS}
                ORDER BY c.updated DESC, c.rowid DESC
                LIMIT :limit
                """,
                {"limit": -1 if limit is None else limit, **_filter_values(since, model)},
            ).fetchall()
        except sqlite3.Error as error:
            raise StoreError(f"Cannot read the conversation list in {self.path}: {error}.") from error
        return [_summary(row) for row in rows]

    def search(
        self,
        query: str,
        *,
        limit: int = 50,
        since: datetime | None = None,
        model: str | None = None,
        prefix_last: bool = False,
    ) -> list[SearchHit]:
        """Conversations with a message holding every word of `query` (see `session.search`), best match
        first, each with its best-matching message and that message's matching line."""
        return _search(self._db, query, limit=limit, since=since, model=model, prefix_last=prefix_last)

    def last_id(self) -> str | None:
        """The id of the most recently updated conversation of the user's own (`--continue`): one with a
        message that is not a replayed recording."""
        try:
            row = self._db.execute(
                """
                SELECT c.id FROM conversations c
                WHERE EXISTS (SELECT 1 FROM turns t WHERE t.conversation_id = c.id AND t.replay IS NULL)
                ORDER BY c.updated DESC, c.rowid DESC LIMIT 1
                """
            ).fetchone()
        except sqlite3.Error as error:
            raise StoreError(f"Cannot read the conversation database {self.path}: {error}.") from error
        return None if row is None else _text(row[0])

    def find(self, prefix: str) -> str:
        """The id of the one conversation whose id is, or starts with, `prefix`."""
        prefix = prefix.strip()
        if not prefix:
            raise ConversationNotFoundError("No conversation id given.")
        try:
            matches = [
                _text(row[0])
                for row in self._db.execute(
                    "SELECT id FROM conversations WHERE substr(id, 1, ?) = ? ORDER BY updated DESC",
                    (len(prefix), prefix),
                )
            ]
        except sqlite3.Error as error:
            raise StoreError(f"Cannot read the conversation database {self.path}: {error}.") from error
        if prefix in matches:
            return prefix
        if not matches:
            raise ConversationNotFoundError(f"No conversation id starts with {prefix!r}.")
        if len(matches) > 1:
            raise AmbiguousIdError(prefix, matches)
        return matches[0]

    def load(self, conversation_id: str) -> Conversation:
        """The stored conversation with all its turns, blocks, metrics, errors and wire records; what
        cannot be read is named in the `load_notes` of the conversation and of its turns."""
        try:
            return _load(self._db, conversation_id)
        except sqlite3.Error as error:
            raise StoreError(f"Cannot read the conversation database {self.path}: {error}.") from error


def _summary(row: tuple[Any, ...]) -> ConversationSummary:
    """One line of the list from its row; a value that cannot be read is named in `unreadable`."""
    notes: list[str] = []
    created = _read(row[3], _time, UNKNOWN_TIME, f"its creation date ({_shown(row[3])})", notes)
    updated = _read(row[4], _time, UNKNOWN_TIME, f"its last date ({_shown(row[4])})", notes)
    turn_count = _read(row[5], _count, 0, "its message count", notes)
    replay = turn_count > 0 and row[6] == 0  # every turn a replayed recording
    recorded_model = _text(row[7]) if row[7] is not None else ""
    return ConversationSummary(
        id=_text(row[0]),
        title=_text(row[1]),
        model=recorded_model if replay and recorded_model else _text(row[2]),
        created=created,
        updated=updated,
        turn_count=turn_count,
        replay=replay,
        unreadable="; ".join(notes),
    )


def load_conversation(path: str | os.PathLike[str], conversation_id: str) -> Conversation:
    """`ConversationStore.load` on a connection of its own, read-only: callable from another thread
    (a long conversation takes long enough to load that the UI thread should not wait for it)."""
    try:
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error as error:
        raise StoreError(f"Cannot open the conversation database {path}: {error}.") from error
    try:
        return _load(db, conversation_id)
    except sqlite3.Error as error:
        raise StoreError(f"Cannot read the conversation database {path}: {error}.") from error
    finally:
        db.close()


def load_wire_body(path: str | os.PathLike[str], conversation_id: str, position: int) -> bytes | None:
    """The stored bytes of one turn's stream, on a read-only connection of its own (any thread); None if
    there are none or the database cannot be read. (For `PackedEvents.release`: the caller checks them.)"""
    try:
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        return None
    try:
        row = db.execute(
            "SELECT wire_body FROM turns WHERE conversation_id = ? AND position = ?", (conversation_id, position)
        ).fetchone()
    except sqlite3.Error:
        return None
    finally:
        db.close()
    return row[0] if row is not None and isinstance(row[0], bytes) else None


def search_conversations(
    path: str | os.PathLike[str],
    query: str,
    *,
    limit: int = 50,
    since: datetime | None = None,
    model: str | None = None,
    prefix_last: bool = False,
) -> list[SearchHit]:
    """`ConversationStore.search` on a read-only connection of its own: callable from another thread
    (the conversation list searches as you type without holding up the keys)."""
    try:
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error as error:
        raise StoreError(f"Cannot open the conversation database {path}: {error}.") from error
    try:
        return _search(db, query, limit=limit, since=since, model=model, prefix_last=prefix_last)
    except sqlite3.Error as error:
        raise StoreError(f"Cannot search the conversation database {path}: {error}.") from error
    finally:
        db.close()


RANKED_MATCHES = 2_000
"""At most this many matching messages (the most recent) are ranked for one search."""

_FILTERS = "(:since IS NULL OR c.updated >= :since) AND (:model IS NULL OR instr(lower(c.model), lower(:model)) > 0)"
"""The `--since` and `--model` conditions on a conversation `c` (with `_filter_values`)."""


def _filter_values(since: datetime | None, model: str | None) -> dict[str, str | None]:
    return {"since": None if since is None else _timestamp(since), "model": model or None}


def _search(
    db: sqlite3.Connection,
    query: str,
    *,
    limit: int,
    since: datetime | None,
    model: str | None,
    prefix_last: bool,
) -> list[SearchHit]:
    match = fts_query(query, prefix_last=prefix_last)
    if match is None:
        return []
    # Ranking is most of a search's cost (bm25 reads the positions of every match): a query that matches more
    # than RANKED_MATCHES messages is ranked among its most recent RANKED_MATCHES (rowids grow with time).
    candidates = db.execute(
        "SELECT rowid FROM search WHERE search MATCH ? ORDER BY rowid DESC LIMIT ?", (match, RANKED_MATCHES)
    ).fetchall()
    if not candidates:
        return []
    values = {"match": match, "from_id": candidates[-1][0], "limit": limit, **_filter_values(since, model)}
    rows = limit * 10  # the best messages first, then their conversations: usually enough for `limit` of them
    while True:
        found = db.execute(
            f"""
            WITH ranked AS (
                SELECT rowid AS id, bm25(search) AS rank FROM search
                WHERE search MATCH :match AND rowid >= :from_id
                ORDER BY rank LIMIT :rows
            ),
            best AS (
                SELECT s.conversation_id, s.position, MIN(ranked.rank) AS rank, c.updated
                FROM ranked
                JOIN search_text s ON s.id = ranked.id
                JOIN conversations c ON c.id = s.conversation_id
                WHERE {_FILTERS}
                GROUP BY s.conversation_id
                ORDER BY rank, c.updated DESC
                LIMIT :limit
            )
            SELECT c.id, c.title, c.model, c.created, c.updated,
                   (SELECT COUNT(*) FROM turns n WHERE n.conversation_id = c.id),
                   (SELECT COUNT(*) FROM turns n WHERE n.conversation_id = c.id AND n.replay IS NULL),
                   (SELECT n.model FROM turns n WHERE n.conversation_id = c.id AND n.role = 'assistant'
                    AND n.model != '' ORDER BY n.position DESC LIMIT 1),
                   best.position, best.rank, t.role, t.text, t.blocks
            FROM best
            JOIN conversations c ON c.id = best.conversation_id
            JOIN turns t ON t.conversation_id = best.conversation_id AND t.position = best.position
            ORDER BY best.rank, best.updated DESC
            """,
            {**values, "rows": rows},
        ).fetchall()
        if len(found) >= limit or rows >= len(candidates):
            break
        rows = len(candidates)  # too few conversations among the best messages: rank every candidate
    hits: list[SearchHit] = []
    for row in found:
        position, rank, role, text, blocks = row[8:]
        line = matching_line(_shown_text(role, text, blocks), query)
        hits.append(SearchHit(_summary(row[:8]), int(position), str(role), line, float(rank)))
    return hits


def _load(db: sqlite3.Connection, conversation_id: str) -> Conversation:
    """Read what can be read: a value that cannot be (a damaged or hand-edited row) is replaced by a
    default and named in `load_notes`, of the conversation or of its turn, never an exception."""
    header = db.execute(
        "SELECT title, model, system, max_tokens, created, controls FROM conversations WHERE id = ?",
        (conversation_id,),
    ).fetchone()
    if header is None:
        raise ConversationNotFoundError(f"No conversation with id {conversation_id!r}.")
    title, model, system, max_tokens, created, controls = header
    notes: list[str] = []
    conversation = Conversation(
        model=_text(model),
        system=None if system is None else _text(system),
        max_tokens=_read(max_tokens, _positive_int, 4096, "the max_tokens setting", notes),
        conversation_id=conversation_id,
        controls=_read(controls, RequestControls.from_json, RequestControls(), "its request settings", notes),
    )
    conversation.title = _text(title)
    conversation.created = _read(created, _time, UNKNOWN_TIME, "the creation date", notes)
    rows = db.execute(
        f"SELECT {', '.join(_TURN_COLUMNS)} FROM turns WHERE conversation_id = ? ORDER BY position",
        (conversation_id,),
    ).fetchall()
    conversation.turns = [_turn_from_row(dict(zip(_TURN_COLUMNS, row, strict=True))) for row in rows]
    damaged = conversation.damaged_turns
    if damaged:
        notes.append(f"{damaged} of its {len(rows)} messages could not be read in full (each is marked)")
    conversation.load_notes = notes
    conversation.link_requests()
    return conversation


# --- rows ------------------------------------------------------------------------------------------

_TURN_COLUMNS = (
    "role",
    "status",
    "text",
    "api_content",
    "blocks",
    "metrics",
    "error",
    "retries",
    "model",
    "message_id",
    "created",
    "number",
    "replay",
    "wire_body",
    "wire_meta",
    "attachments",
)


def _drop_turns_from(db: sqlite3.Connection, conversation_id: str, position: int) -> None:
    """Delete the turns at `position` and after (and their search text)."""
    db.execute("DELETE FROM turns WHERE conversation_id = ? AND position >= ?", (conversation_id, position))
    db.execute("DELETE FROM search_text WHERE conversation_id = ? AND position >= ?", (conversation_id, position))


def _turn_text(turn: Turn) -> str:
    """What a search looks in: the user's message, or the answer's text."""
    return turn.text if turn.role == "user" else turn.answer_text


def _shown_text(role: str, text: str, blocks_json: str) -> str:
    """`_turn_text` of a stored row (the answer's text is in its blocks)."""
    if role == "user":
        return text
    try:
        blocks = json.loads(blocks_json)
    except ValueError:
        return ""
    if not isinstance(blocks, list):
        return ""
    return "".join(
        str(block.get("text", "")) for block in blocks if isinstance(block, dict) and block.get("kind") == "text"
    )


def _write_search(db: sqlite3.Connection, conversation_id: str, position: int, text: str) -> None:
    """Index a turn's text at its position (the FTS5 index follows by trigger); unchanged text is left as is."""
    db.execute(
        """
        INSERT INTO search_text (conversation_id, position, body) VALUES (?, ?, ?)
        ON CONFLICT (conversation_id, position) DO UPDATE SET body = excluded.body
        WHERE search_text.body != excluded.body
        """,
        (conversation_id, position, _storable(index_form(text))),
    )


def _write_turn(db: sqlite3.Connection, conversation_id: str, position: int, row: dict[str, Any]) -> None:
    columns = ("conversation_id", "position", *_TURN_COLUMNS)
    values = (conversation_id, position, *(row[name] for name in _TURN_COLUMNS))
    db.execute(
        f"INSERT OR REPLACE INTO turns ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        values,
    )


def _turn_row(turn: Turn, *, checkpoint: bool = False) -> dict[str, Any]:
    """A turn as column values. A checkpoint leaves out the wire record, the API content and the
    arrival time of each delta (a checkpoint runs every second while the answer grows)."""
    metrics = {item.name: getattr(turn.metrics, item.name) for item in fields(TurnMetrics)}
    delta_times = metrics.pop("delta_times")
    if not checkpoint:
        metrics["delta_times_packed"] = _pack("d", delta_times)
    if checkpoint and turn.metrics.ended_at is None and turn.metrics.sent_at:
        metrics["ended_at"] = turn.metrics.elapsed()  # (a `_frozen` copy has it fixed already)
    wire_body, wire_meta = (None, None) if checkpoint or turn.wire is None else _wire_columns(turn.wire)
    return {
        "role": turn.role,
        "status": str(turn.status),
        "text": _storable(turn.text),
        "api_content": None if checkpoint else _json(turn.api_content),
        "blocks": _json([asdict(block) for block in turn.blocks]),
        "metrics": _json(metrics),
        "error": None if turn.error is None else _json(asdict(turn.error)),
        "retries": _json([asdict(notice) for notice in turn.retries]),
        "model": _storable(turn.model),
        "message_id": _storable(turn.message_id),
        "created": _timestamp(turn.created),
        "number": turn.number,
        "replay": turn.replay,
        "wire_body": wire_body,
        "wire_meta": wire_meta,
        "attachments": _json([a.to_dict() for a in turn.attachments]) if turn.attachments else None,
    }


def _turn_from_row(row: dict[str, Any]) -> Turn:
    """A turn from its row. Each value that cannot be read gets a default and a note (`load_notes`)."""
    notes: list[str] = []
    role = row["role"]
    if role not in ("user", "assistant", "tool"):
        notes.append(f"its role ({_shown(role)}), so it is shown as an answer")
        role = "assistant"
    text = _text(row["text"])
    blocks: list[Block] = _read(row["blocks"], _blocks, [], "its content", notes)
    status = _read(row["status"], TurnStatus, TurnStatus.FAILED, "its state (shown as failed)", notes)
    error = _read(row["error"], _optional(ErrorInfo), None, "what went wrong with it", notes)
    shown: Any = text if role == "user" else _text_content(blocks)  # what is sent if the stored content is damaged
    api_content = _read(row["api_content"], _api_content(role), shown, "the content sent back to the API", notes)
    if api_content is None and role == "user":
        api_content = text
    turn = Turn(
        role=role,
        text=text,
        blocks=blocks,
        status=status,
        error=error,
        retries=_read(row["retries"], _retries, list[RetryNotice](), "its retries", notes),
        metrics=_read(row["metrics"], _metrics, TurnMetrics(), "its timings and token counts", notes),
        wire=_read(row["wire_meta"], lambda meta: _wire_from_columns(row["wire_body"], meta), None, _WIRE, notes),
        api_content=api_content,
        model=_text(row["model"]),
        message_id=_text(row["message_id"]),
        created=_read(row["created"], _time, UNKNOWN_TIME, "its date", notes),
        number=_read(row["number"], _count, 0, "its number", notes),
        replay=_read(row["replay"], _optional_text, None, "its replay name", notes),
        load_notes=notes,
        attachments=_read(row["attachments"], _attachments, [], "its attached files", notes),
    )
    if turn.status is TurnStatus.STREAMING:  # the process ended mid-answer: keep what was checkpointed
        turn.status = TurnStatus.FAILED
        turn.error = ErrorInfo(kind=INTERRUPTED_KIND, summary=INTERRUPTED_SUMMARY, retryable=True)
        turn.api_content = _text_content(blocks)
    return turn


_WIRE = "its recorded stream (the inspector lists no events for it)"


def _text_content(blocks: list[Block]) -> list[dict[str, Any]]:
    text = "".join(block.text for block in blocks if block.kind == "text")
    return [{"type": "text", "text": text}] if text else []


# --- reading stored values that may be damaged -------------------------------------------------------

_V = TypeVar("_V")


def _read(value: Any, parse: Callable[[Any], _V], default: _V, what: str, notes: list[str]) -> _V:
    """`parse(value)`, or `default` with "`what`" added to `notes` if the value cannot be read."""
    try:
        return parse(value)
    except Exception:  # any value in a file is possible: what cannot be read is named, never raised
        notes.append(what)
        return default


def _shown(value: Any) -> str:
    """A stored value, short and safe to show in a note."""
    return sanitize_line(repr(value))[:40]


def _text(value: Any) -> str:
    """A stored text value; anything else (a number, bytes, NULL) made into text rather than refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return "" if value is None else str(value)


def _optional_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError("not text")


def _time(value: Any) -> datetime:
    """A stored date, in UTC; one too near year 1 or 9999 to be shown in every time zone is refused."""
    if not isinstance(value, str):
        raise TypeError("not a date")
    moment = datetime.fromisoformat(value)
    moment = (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(UTC)
    if not 2 <= moment.year <= 9998:
        raise ValueError("out of range")
    return moment


def _count(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise TypeError("not a count")


def _positive_int(value: Any) -> int:
    if _count(value) > 0:
        return int(value)
    raise ValueError("not positive")


def _loads(value: Any) -> Any:
    if not isinstance(value, (str, bytes)):
        raise TypeError("not JSON text")
    return json.loads(value)


def _blocks(value: Any) -> list[Block]:
    items = _loads(value)
    if not isinstance(items, list):
        raise TypeError("not a list")
    return [_checked(Block, item) for item in items]


def _retries(value: Any) -> list[RetryNotice]:
    items = _loads(value)
    if not isinstance(items, list):
        raise TypeError("not a list")
    return [_checked(RetryNotice, item) for item in items]


def _optional(cls: type[_T]) -> Callable[[Any], _T | None]:
    def parse(value: Any) -> _T | None:
        return None if value is None else _checked(cls, _loads(value))

    return parse


def _api_content(role: str) -> Callable[[Any], Any]:
    """What a turn adds to the history: the user's text, or a list of content blocks (objects): an answer's,
    or the `tool_result`s of a tool turn."""

    def parse(value: Any) -> Any:
        if value is None:
            return None
        content = _loads(value)
        if role == "user" and isinstance(content, str):
            return content
        if role in ("assistant", "tool") and isinstance(content, list) and all(isinstance(i, dict) for i in content):
            return content
        raise TypeError("not content")

    return parse


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fits(value: Any, annotation: str) -> tuple[bool, Any]:
    """Whether `value` (from JSON) is of the field type `annotation` (as written in the dataclass), and
    the value to use (an integer for a float field becomes a float)."""
    number = _is_number(value)
    for option in (part.strip() for part in annotation.split("|")):
        if option == "None" and value is None:
            return True, None
        if option == "str" and isinstance(value, str):
            return True, value
        if option == "bool" and isinstance(value, bool):
            return True, value
        if option == "int" and isinstance(value, int) and not isinstance(value, bool):
            return True, value
        if option == "float" and number:
            return True, float(value)
        if option == "list[str]" and isinstance(value, list) and all(isinstance(item, str) for item in value):
            return True, value
        if (
            option in ("list[float]", "MutableSequence[float]")
            and isinstance(value, list)
            and all(map(_is_number, value))
        ):
            return True, [float(item) for item in value]
        if (
            option == "dict[str, str]"
            and isinstance(value, dict)
            and all(isinstance(key, str) and isinstance(item, str) for key, item in value.items())
        ):
            return True, value
    return False, None


def _wire_columns(record: WireRecord) -> tuple[bytes, str]:
    """The body as one blob, and the rest as JSON: each event's length and arrival time packed (a JSON list
    of pairs costs many times more to write and to read for a long answer)."""
    meta: dict[str, Any] = {
        "status": record.status,
        "headers": [list(pair) for pair in record.headers],
        "headers_at": record.headers_at,
        "attempts": record.attempts,
        "replay": record.replay,
        "event_lengths": _pack("I", record.frame_lengths()),
        "event_times": _pack("d", list(record.frame_times())),
    }
    if record.request is not None:
        meta["request"] = record.request.to_dict()
    return record.sse_bytes(), _json(meta)


def _wire_from_columns(body: bytes | None, meta_json: str | None) -> WireRecord | None:
    """The wire record of a turn (None if it has none). Raises on anything damaged."""
    if meta_json is None:
        return None
    meta = _loads(meta_json)
    if not isinstance(meta, dict) or not isinstance(body, (bytes, type(None))):
        raise TypeError("not a wire record")
    body = body or b""
    if "events" in meta:  # stored before the lengths and times were packed
        pairs = [(int(length), float(at)) for length, at in meta["events"]]
    else:
        pairs = list(zip(_unpack("I", meta["event_lengths"]), _unpack("d", meta["event_times"]), strict=True))
    if sum(length for length, _ in pairs) != len(body):
        raise ValueError("the event lengths do not add up to the body")
    for name, annotation, default in (("status", "int | None", None), ("headers_at", "float | None", None)):
        fits, meta[name] = _fits(meta.get(name), annotation)
        if not fits:
            meta[name] = default  # (a number that is not one: the frames are worth keeping all the same)
    fits, meta["attempts"] = _fits(meta.get("attempts", 1), "int")
    if not fits:
        meta["attempts"] = 1
    headers = meta.get("headers")
    if not isinstance(headers, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair) for pair in headers
    ):
        headers = []  # (headers that are not pairs of text are left out, the frames kept)
    events = PackedEvents.from_body(body, [length for length, _ in pairs], [at for _, at in pairs])
    return WireRecord(
        status=meta["status"],
        headers=[(name, value) for name, value in headers],
        events=events,
        headers_at=meta["headers_at"],
        attempts=meta["attempts"],
        replay=meta.get("replay") is True,
        request=RequestRecord.from_dict(meta.get("request")),
    )


def _attachments(text: str | None) -> list[Attachment]:
    items = json.loads(text) if text else []
    found = [Attachment.from_dict(item) for item in items] if isinstance(items, list) else []
    return [attachment for attachment in found if attachment is not None]


# --- helpers ---------------------------------------------------------------------------------------

_T = TypeVar("_T")


def _checked(cls: type[_T], data: Any) -> _T:
    """A dataclass from stored fields, ignoring fields this version does not know. A field of the wrong
    type takes its default (a damaged or hand-edited row); without a default, it raises `TypeError`."""
    if not isinstance(data, dict):
        raise TypeError(f"not a {cls.__name__}")
    values: dict[str, Any] = {}
    for item in fields(cls):  # type: ignore[arg-type]
        if item.name in data:
            fits, value = _fits(data[item.name], str(item.type))
            if fits:
                values[item.name] = value
    return cls(**values)


def _pack(typecode: str, values: list[Any]) -> str:
    """Numbers as base64 of a little-endian array (compact, and fast for tens of thousands)."""
    packed = array.array(typecode, values)
    if sys.byteorder != "little":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def _unpack(typecode: str, text: str) -> list[Any]:
    packed = array.array(typecode)
    packed.frombytes(base64.b64decode(text))
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tolist()


def _metrics(value: Any) -> TurnMetrics:
    data = _loads(value)
    if not isinstance(data, dict):
        raise TypeError("not metrics")
    packed = data.pop("delta_times_packed", None)
    metrics = _checked(TurnMetrics, data)
    if isinstance(packed, str):
        metrics.delta_times = _unpack("d", packed)
    return metrics


def _json(value: Any) -> str:
    """JSON with non-ASCII escaped, so even lone surrogates round-trip exactly."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def _storable(text: str) -> str:
    """`text` unchanged, unless it holds lone surrogates (not valid UTF-8): those become U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in text)
    return text


def _timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a fixed width, so text order is time order."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _position(conversation: Conversation, turn: Turn) -> int:
    for position, candidate in enumerate(conversation.turns):
        if candidate is turn:
            return position
    raise ValueError("The turn is not part of this conversation.")


def _prepare_location(location: str | os.PathLike[str] | None) -> Path:
    """The database path; its directory created private (0o700), the file itself 0o600."""
    path = config.data_dir() if location is None else Path(location).expanduser()
    try:
        if path.suffix in DB_SUFFIXES and not path.is_dir():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        else:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(path, 0o700)
            path = path / DB_FILENAME
        # Created here (private from the start), never opened here once it exists: closing any descriptor of
        # the file drops every POSIX lock this process holds on it, the shared lock of an open connection
        # included, and another program's connection would then think itself the last one and remove the
        # write-ahead log this process still writes to.
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
        os.chmod(path, 0o600)
    except OSError as error:
        raise StoreError(f"Cannot create the conversation database {path}: {error.strerror or error}.") from error
    return path
