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
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from tui_chat import config
from tui_chat.safety import sanitize_line
from tui_chat.session.attachments import Attachment
from tui_chat.session.controls import RequestControls
from tui_chat.session.model import Block, Conversation, Turn, TurnMetrics, TurnStatus
from tui_chat.stream.types import ErrorInfo, RetryNotice
from tui_chat.stream.wire import RequestRecord, WireEvent, WireRecord

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


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """One line of the conversation list."""

    id: str
    title: str
    model: str
    created: datetime
    updated: datetime
    turn_count: int


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


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migrate_to_v1, _migrate_to_v2, _migrate_to_v3]
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
    ) -> None:
        """Open (creating if needed) the database in directory `location` (default: the data directory).

        A `location` ending in `.sqlite3`, `.sqlite` or `.db` is the database file itself. A directory
        is created with mode 0o700 (and set to it if it exists); the database file gets 0o600.
        """
        self.path = _prepare_location(location)
        self._clock = clock or (lambda: datetime.now(UTC))
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=5.0)
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
        with self._transaction() as db:
            self._write_header(db, conversation)
            db.execute(
                "DELETE FROM turns WHERE conversation_id = ? AND position >= ?",
                (conversation.id, len(conversation.turns)),
            )

    def save_turn(self, conversation: Conversation, turn: Turn) -> None:
        """Store `turn` (and the header) at its position in `conversation`, replacing what was there."""
        position = _position(conversation, turn)
        with self._transaction() as db:
            self._write_header(db, conversation)
            db.execute(
                "DELETE FROM turns WHERE conversation_id = ? AND position >= ?",
                (conversation.id, len(conversation.turns)),
            )
            _write_turn(db, conversation.id, position, _turn_row(turn))

    def checkpoint(self, conversation: Conversation, turn: Turn) -> None:
        """Cheaply store the partial text of a turn that is still streaming (its wire record is left out).

        Loaded later, the turn comes back as failed with an `interrupted` error (see `is_interrupted`).
        On a turn that has already ended this is a full `save_turn`, so a late checkpoint cannot
        overwrite the final state.
        """
        if turn.status is not TurnStatus.STREAMING:
            self.save_turn(conversation, turn)
            return
        position = _position(conversation, turn)
        row = _turn_row(turn, checkpoint=True)
        with self._transaction() as db:
            self._write_header(db, conversation)
            _write_turn(db, conversation.id, position, row)

    def _write_header(self, db: sqlite3.Connection, conversation: Conversation) -> None:
        db.execute(
            """
            INSERT INTO conversations (id, title, model, system, max_tokens, created, updated, controls)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                title = excluded.title, model = excluded.model, system = excluded.system,
                max_tokens = excluded.max_tokens, updated = excluded.updated, controls = excluded.controls
            """,
            (
                conversation.id,
                _storable(conversation.title),
                _storable(conversation.model),
                None if conversation.system is None else _storable(conversation.system),
                conversation.max_tokens,
                _timestamp(conversation.created),
                _timestamp(self._clock()),
                conversation.controls.to_json(),
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

    # reading

    def list_conversations(self, limit: int | None = None) -> list[ConversationSummary]:
        """Stored conversations, most recently updated first."""
        rows = self._db.execute(
            """
            SELECT c.id, c.title, c.model, c.created, c.updated,
                   (SELECT COUNT(*) FROM turns t WHERE t.conversation_id = c.id)
            FROM conversations c
            ORDER BY c.updated DESC, c.rowid DESC
            LIMIT ?
            """,
            (-1 if limit is None else limit,),
        ).fetchall()
        return [
            ConversationSummary(
                id=row[0],
                title=row[1],
                model=row[2],
                created=datetime.fromisoformat(row[3]),
                updated=datetime.fromisoformat(row[4]),
                turn_count=row[5],
            )
            for row in rows
        ]

    def last_id(self) -> str | None:
        """The id of the most recently updated conversation, if any."""
        row = self._db.execute("SELECT id FROM conversations ORDER BY updated DESC, rowid DESC LIMIT 1").fetchone()
        return None if row is None else str(row[0])

    def find(self, prefix: str) -> str:
        """The id of the one conversation whose id is, or starts with, `prefix`."""
        prefix = prefix.strip()
        if not prefix:
            raise ConversationNotFoundError("No conversation id given.")
        matches = [
            str(row[0])
            for row in self._db.execute(
                "SELECT id FROM conversations WHERE substr(id, 1, ?) = ? ORDER BY updated DESC",
                (len(prefix), prefix),
            )
        ]
        if prefix in matches:
            return prefix
        if not matches:
            raise ConversationNotFoundError(f"No conversation id starts with {prefix!r}.")
        if len(matches) > 1:
            raise AmbiguousIdError(prefix, matches)
        return matches[0]

    def load(self, conversation_id: str) -> Conversation:
        """The stored conversation with all its turns, blocks, metrics, errors and wire records."""
        return _load(self._db, conversation_id)


def load_conversation(path: str | os.PathLike[str], conversation_id: str) -> Conversation:
    """`ConversationStore.load` on a connection of its own, read-only: callable from another thread
    (a 200-turn conversation takes 0.4 s to load, which the UI thread should not wait for)."""
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


def _load(db: sqlite3.Connection, conversation_id: str) -> Conversation:
    header = db.execute(
        "SELECT title, model, system, max_tokens, created, controls FROM conversations WHERE id = ?",
        (conversation_id,),
    ).fetchone()
    if header is None:
        raise ConversationNotFoundError(f"No conversation with id {conversation_id!r}.")
    title, model, system, max_tokens, created, controls = header
    conversation = Conversation(
        model=model,
        system=system,
        max_tokens=max_tokens,
        conversation_id=conversation_id,
        controls=RequestControls.from_json(controls),
    )
    conversation.title = title
    conversation.created = datetime.fromisoformat(created)
    rows = db.execute(
        f"SELECT {', '.join(_TURN_COLUMNS)} FROM turns WHERE conversation_id = ? ORDER BY position",
        (conversation_id,),
    ).fetchall()
    conversation.turns = [_turn_from_row(dict(zip(_TURN_COLUMNS, row, strict=True))) for row in rows]
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
        metrics["ended_at"] = turn.metrics.elapsed()  # how long it had streamed when last saved
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
    blocks = [_build(Block, item) for item in json.loads(row["blocks"])]
    turn = Turn(
        role=row["role"],
        text=row["text"],
        blocks=blocks,
        status=_status(row["status"]),
        error=None if row["error"] is None else _build(ErrorInfo, json.loads(row["error"])),
        retries=[_build(RetryNotice, item) for item in json.loads(row["retries"])],
        metrics=_metrics(json.loads(row["metrics"])),
        wire=None if row["wire_meta"] is None else _wire_from_columns(row["wire_body"], row["wire_meta"]),
        api_content=None if row["api_content"] is None else json.loads(row["api_content"]),
        model=row["model"],
        message_id=row["message_id"],
        created=datetime.fromisoformat(row["created"]),
        number=row["number"],
        replay=row["replay"],
        attachments=_attachments(row["attachments"]),
    )
    if turn.status is TurnStatus.STREAMING:  # the process ended mid-answer: keep what was checkpointed
        turn.status = TurnStatus.FAILED
        turn.error = ErrorInfo(kind=INTERRUPTED_KIND, summary=INTERRUPTED_SUMMARY, retryable=True)
        text = "".join(block.text for block in blocks if block.kind == "text")
        turn.api_content = [{"type": "text", "text": text}] if text else []
    return turn


def _wire_columns(record: WireRecord) -> tuple[bytes, str]:
    """The body as one blob, and the rest as JSON: each event's length and arrival time packed (a
    10,000-event answer: a millisecond, where a JSON list of pairs took 25)."""
    meta: dict[str, Any] = {
        "status": record.status,
        "headers": [list(pair) for pair in record.headers],
        "headers_at": record.headers_at,
        "attempts": record.attempts,
        "event_lengths": _pack("I", [len(event.raw) for event in record.events]),
        "event_times": _pack("d", [event.at for event in record.events]),
    }
    if record.request is not None:
        meta["request"] = record.request.to_dict()
    return record.sse_bytes(), _json(meta)


def _wire_from_columns(body: bytes | None, meta_json: str) -> WireRecord:
    meta = json.loads(meta_json)
    body = body or b""
    if "events" in meta:  # stored before the lengths and times were packed
        pairs = [(int(length), float(at)) for length, at in meta["events"]]
    else:
        pairs = list(zip(_unpack("I", meta["event_lengths"]), _unpack("d", meta["event_times"]), strict=True))
    events: list[WireEvent] = []
    offset = 0
    for index, (length, at) in enumerate(pairs):
        events.append(WireEvent.from_frame(index, at, body[offset : offset + length]))
        offset += length
    return WireRecord(
        status=meta["status"],
        headers=[(str(name), str(value)) for name, value in meta["headers"]],
        events=events,
        headers_at=meta["headers_at"],
        attempts=meta["attempts"],
        request=RequestRecord.from_dict(meta.get("request")),
    )


def _attachments(text: str | None) -> list[Attachment]:
    items = json.loads(text) if text else []
    found = [Attachment.from_dict(item) for item in items] if isinstance(items, list) else []
    return [attachment for attachment in found if attachment is not None]


# --- helpers ---------------------------------------------------------------------------------------

_T = TypeVar("_T")


def _build(cls: type[_T], data: dict[str, Any]) -> _T:
    """A dataclass from stored fields, ignoring fields this version does not know."""
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{key: value for key, value in data.items() if key in known})


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


def _metrics(data: dict[str, Any]) -> TurnMetrics:
    packed = data.pop("delta_times_packed", None)
    metrics = _build(TurnMetrics, data)
    if isinstance(packed, str):
        metrics.delta_times = _unpack("d", packed)
    return metrics


def _status(value: str) -> TurnStatus:
    try:
        return TurnStatus(value)
    except ValueError:
        return TurnStatus.FAILED


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
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        os.chmod(path, 0o600)
    except OSError as error:
        raise StoreError(f"Cannot create the conversation database {path}: {error.strerror or error}.") from error
    return path
