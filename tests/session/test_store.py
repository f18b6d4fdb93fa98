"""The conversation store: exact round trips, checkpoints that survive a kill, listing, migrations."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.paths import REPO
from tests.support.sse import fixture_bytes
from tests.support.store import CJK_EMOJI_RTL, build_rich_conversation, record_from, save_all
from tui_chat.controls import RequestControls
from tui_chat.session import store as store_module
from tui_chat.session.conversation import Block, Conversation, Turn, TurnStatus
from tui_chat.session.store import (
    DB_FILENAME,
    INTERRUPTED_KIND,
    INTERRUPTED_SUMMARY,
    AmbiguousIdError,
    ConversationNotFoundError,
    ConversationStore,
    StoreError,
    is_interrupted,
    schema_version,
)
from tui_chat.stream.types import ErrorInfo
from tui_chat.stream.wire import WireRecord


def wire_signature(record: WireRecord | None) -> object:
    if record is None:
        return None
    events = [(e.index, e.at, e.raw, e.event, e.data) for e in record.events]
    return (record.status, record.headers, record.headers_at, record.attempts, events)


def turn_signature(turn: Turn) -> dict[str, object]:
    """Everything a turn holds except its process-local id."""
    return {
        "role": turn.role,
        "text": turn.text,
        "blocks": turn.blocks,
        "status": turn.status,
        "error": turn.error,
        "retries": turn.retries,
        "metrics": turn.metrics,
        "wire": wire_signature(turn.wire),
        "api_content": turn.api_content,
        "model": turn.model,
        "message_id": turn.message_id,
        "created": turn.created,
        "number": turn.number,
    }


class FakeClock:
    """A clock that advances one second per reading, so `updated` order is deterministic."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 14, 30, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ConversationStore]:
    with ConversationStore(tmp_path / "data", clock=FakeClock()) as opened:
        yield opened


# --- round trips -----------------------------------------------------------------------------------


def test_rich_conversation_round_trips_exactly(tmp_path: Path) -> None:
    original = build_rich_conversation()
    with ConversationStore(tmp_path) as store:
        save_all(store, original)
    with ConversationStore(tmp_path) as store:  # a fresh connection: nothing cached
        loaded = store.load(original.id)

    assert (loaded.id, loaded.title, loaded.model, loaded.system, loaded.max_tokens, loaded.created) == (
        original.id,
        original.title,
        original.model,
        original.system,
        original.max_tokens,
        original.created,
    )
    assert len(loaded.turns) == len(original.turns) == 8
    for before, after in zip(original.turns, loaded.turns, strict=True):
        assert turn_signature(after) == turn_signature(before)
    assert loaded.api_messages() == original.api_messages()
    assert loaded.totals() == original.totals()


def test_wire_bytes_and_times_are_exact(store: ConversationStore) -> None:
    original = build_rich_conversation()
    save_all(store, original)
    loaded = store.load(original.id)
    body = fixture_bytes("hw-thinking-signature-pings.sse")
    first = loaded.turns[1].wire
    assert first is not None
    assert first.sse_bytes() == body
    original_wire = original.turns[1].wire
    assert original_wire is not None
    assert [e.at for e in first.events] == [e.at for e in original_wire.events]
    assert first.events[1].at == 0.2 + 1 / 3  # not rounded on the way through JSON
    assert first.counts() == original_wire.counts() and first.counts()["ping"] >= 2
    assert first.request_id == "req_011CX"
    failed = loaded.turns[5].wire
    assert failed is not None
    assert [e.raw for e in failed.events] == [
        b"event: ping\r\ndata: {}\r\n\r\n",
        b": comment \xff\xfe\n\n",
        b'event: error\ndata: {"type":"error"}',
    ]
    assert [e.name for e in failed.events] == ["ping", "(comment)", "error"]


def test_non_ascii_text_is_byte_for_byte(store: ConversationStore) -> None:
    original = build_rich_conversation()
    save_all(store, original)
    loaded = store.load(original.id)
    assert loaded.system is not None
    assert loaded.system.encode("utf-8") == f"Answer briefly. {CJK_EMOJI_RTL}".encode()
    assert loaded.turns[0].api_content.encode("utf-8") == f"Is 1009 prime? {CJK_EMOJI_RTL}".encode()
    assert loaded.turns[3].answer_text.endswith(CJK_EMOJI_RTL)
    assert loaded.title == original.title and CJK_EMOJI_RTL[:5] in loaded.title


def test_lone_surrogate_in_api_content_round_trips(store: ConversationStore) -> None:
    conversation = Conversation(model="m")
    conversation.add_user("q")
    answer = conversation.start_assistant()
    answer.api_content = [{"type": "text", "text": "half an emoji \ud83d"}]
    answer.blocks = [Block(0, "text", "half an emoji \ud83d")]
    answer.status = TurnStatus.COMPLETE
    save_all(store, conversation)
    loaded = store.load(conversation.id).turns[1]
    assert loaded.api_content == [{"type": "text", "text": "half an emoji \ud83d"}]


def test_user_turn_keeps_raw_api_content_and_sanitized_text(store: ConversationStore) -> None:
    conversation = Conversation(model="m")
    conversation.add_user("evil \x1b[31mred\x1b[0m")
    store.save_turn(conversation, conversation.turns[0])
    loaded = store.load(conversation.id).turns[0]
    assert loaded.text == "evil [31mred[0m"
    assert loaded.api_content == "evil \x1b[31mred\x1b[0m"


def test_nothing_secret_is_written(tmp_path: Path) -> None:
    conversation = build_rich_conversation()
    with ConversationStore(tmp_path) as store:
        save_all(store, conversation)
    columns = {row[1] for row in sqlite3.connect(tmp_path / DB_FILENAME).execute("PRAGMA table_info(conversations)")}
    assert not any("key" in column or "secret" in column for column in columns)


# --- saving in place -------------------------------------------------------------------------------


def test_save_turn_replaces_by_position_and_drops_discarded_turns(store: ConversationStore) -> None:
    conversation = Conversation(model="m")
    conversation.add_user("q")
    failed = conversation.start_assistant()
    failed.status = TurnStatus.FAILED
    failed.error = ErrorInfo(kind="timeout", summary="no answer")
    save_all(store, conversation)

    conversation.discard_last_assistant()  # ctrl+r: the failed answer goes, a new one takes its place
    retry = conversation.start_assistant()
    retry.blocks = [Block(0, "text", "fine")]
    retry.api_content = [{"type": "text", "text": "fine"}]
    retry.status = TurnStatus.COMPLETE
    store.save_turn(conversation, retry)
    loaded = store.load(conversation.id)
    assert [t.status for t in loaded.turns] == [TurnStatus.COMPLETE, TurnStatus.COMPLETE]
    assert loaded.turns[1].error is None and loaded.turns[1].answer_text == "fine"

    conversation.discard_last_assistant()
    store.save_conversation(conversation)
    assert len(store.load(conversation.id).turns) == 1


def test_save_turn_rejects_a_foreign_turn(store: ConversationStore) -> None:
    conversation = Conversation(model="m")
    conversation.add_user("q")
    with pytest.raises(ValueError, match="not part of this conversation"):
        store.save_turn(conversation, Turn(role="user", text="elsewhere"))


def test_header_changes_are_saved(store: ConversationStore) -> None:
    conversation = Conversation(model="m", system="s")
    conversation.add_user("q")
    store.save_conversation(conversation)
    conversation.model = "other"
    conversation.system = None
    conversation.max_tokens = 99
    store.save_conversation(conversation)
    loaded = store.load(conversation.id)
    assert (loaded.model, loaded.system, loaded.max_tokens) == ("other", None, 99)


# --- checkpoints -----------------------------------------------------------------------------------


def streaming_conversation() -> tuple[Conversation, Turn]:
    conversation = Conversation(model="m")
    conversation.add_user("write a poem")
    earlier = conversation.start_assistant()
    earlier.blocks = [Block(0, "text", "first answer")]
    earlier.api_content = [{"type": "text", "text": "first answer"}]
    earlier.status = TurnStatus.COMPLETE
    conversation.add_user("another, 日本語で")
    streaming = conversation.start_assistant()
    streaming.blocks = [Block(0, "thinking", "planning"), Block(1, "text", "Roses are red, 🌹\nviolets")]
    streaming.metrics.first_token_at = 0.5
    return conversation, streaming


def test_checkpoint_survives_an_unclosed_connection(tmp_path: Path) -> None:
    conversation, streaming = streaming_conversation()
    writer = ConversationStore(tmp_path)
    save_all(writer, conversation)  # includes a save of the streaming turn: same as a checkpoint
    streaming.blocks[1].text += " are blue"
    writer.checkpoint(conversation, streaming)
    # the writer is never closed: a second process opens the database as after a kill
    with ConversationStore(tmp_path) as reader:
        loaded = reader.load(conversation.id)
    interrupted = loaded.turns[-1]
    assert interrupted.status is TurnStatus.FAILED
    assert interrupted.error == ErrorInfo(kind=INTERRUPTED_KIND, summary=INTERRUPTED_SUMMARY, retryable=True)
    assert is_interrupted(interrupted) and not is_interrupted(loaded.turns[1])
    assert interrupted.answer_text == "Roses are red, 🌹\nviolets are blue"
    assert interrupted.api_content == [{"type": "text", "text": "Roses are red, 🌹\nviolets are blue"}]
    assert interrupted.wire is None
    assert interrupted.number == 2
    assert loaded.api_messages() == [
        {"role": "user", "content": "write a poem"},
        {"role": "assistant", "content": [{"type": "text", "text": "first answer"}]},
        {"role": "user", "content": "another, 日本語で"},
        {"role": "assistant", "content": [{"type": "text", "text": "Roses are red, 🌹\nviolets are blue"}]},
    ]
    writer.close()


def test_checkpoint_survives_sigkill(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import os, signal
        from tui_chat.session.conversation import Block, Conversation
        from tui_chat.session.store import ConversationStore
        conversation = Conversation(model="m", conversation_id="killed")
        conversation.add_user("tell me")
        turn = conversation.start_assistant()
        store = ConversationStore({str(tmp_path)!r})
        store.save_turn(conversation, conversation.turns[0])
        turn.blocks = [Block(0, "text", "one second of text")]
        store.checkpoint(conversation, turn)
        turn.blocks[0].text += " and the next second, never checkpointed"
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, timeout=60, check=False)
    assert result.returncode == -signal.SIGKILL
    with ConversationStore(tmp_path) as store:
        loaded = store.load("killed")
    assert [t.role for t in loaded.turns] == ["user", "assistant"]
    assert is_interrupted(loaded.turns[1])
    assert loaded.turns[1].answer_text == "one second of text"


def test_checkpoint_keeps_an_elapsed_time(store: ConversationStore) -> None:
    conversation, streaming = streaming_conversation()
    streaming.metrics.sent_at = 1.0  # perf_counter of the request: long ago
    store.checkpoint(conversation, streaming)
    metrics = store.load(conversation.id).turns[-1].metrics
    assert metrics.ended_at is not None and metrics.ended_at > 0
    assert streaming.metrics.ended_at is None  # the live turn is not touched


def test_late_checkpoint_cannot_undo_the_final_save(store: ConversationStore) -> None:
    conversation, streaming = streaming_conversation()
    store.checkpoint(conversation, streaming)
    streaming.status = TurnStatus.COMPLETE
    streaming.api_content = [
        {"type": "thinking", "thinking": "planning", "signature": "s"},
        {"type": "text", "text": "x"},
    ]
    streaming.wire = record_from(fixture_bytes("sdk-basic-text.sse"))
    store.save_turn(conversation, streaming)
    store.checkpoint(conversation, streaming)  # a timer that fired just after the end
    loaded = store.load(conversation.id).turns[-1]
    assert loaded.status is TurnStatus.COMPLETE and loaded.error is None
    assert loaded.api_content == streaming.api_content
    assert loaded.wire is not None and loaded.wire.sse_bytes() == fixture_bytes("sdk-basic-text.sse")


def test_checkpoint_of_an_empty_answer_adds_nothing_to_history(store: ConversationStore) -> None:
    conversation = Conversation(model="m")
    conversation.add_user("q")
    streaming = conversation.start_assistant()
    store.save_turn(conversation, conversation.turns[0])
    store.checkpoint(conversation, streaming)
    loaded = store.load(conversation.id)
    assert is_interrupted(loaded.turns[1])
    assert loaded.api_messages() == [{"role": "user", "content": "q"}]


# --- listing, renaming, deleting, finding -----------------------------------------------------------


def make_saved(store: ConversationStore, title: str, conversation_id: str | None = None) -> Conversation:
    conversation = Conversation(model="m", conversation_id=conversation_id)
    conversation.add_user(title)
    store.save_turn(conversation, conversation.turns[0])
    return conversation


def test_list_is_newest_first_with_counts(store: ConversationStore) -> None:
    old = make_saved(store, "old")
    middle = make_saved(store, "middle")
    new = make_saved(store, "new")
    assert [s.title for s in store.list_conversations()] == ["new", "middle", "old"]
    answer = old.start_assistant()
    answer.status = TurnStatus.COMPLETE
    store.save_turn(old, answer)  # touching a conversation moves it to the top
    summaries = store.list_conversations()
    assert [s.id for s in summaries] == [old.id, new.id, middle.id]
    assert [s.turn_count for s in summaries] == [2, 1, 1]
    assert summaries[0].updated > summaries[1].updated > summaries[2].updated
    assert summaries[0].created == old.created
    assert store.last_id() == old.id
    assert [s.id for s in store.list_conversations(limit=2)] == [old.id, new.id]


def test_empty_store(store: ConversationStore) -> None:
    assert store.list_conversations() == []
    assert store.last_id() is None


def test_rename(store: ConversationStore) -> None:
    conversation = make_saved(store, "first words")
    store.rename(conversation.id, "  Primes\nand more 🎌 ")
    assert store.load(conversation.id).title == "Primes and more 🎌"
    assert store.list_conversations()[0].title == "Primes and more 🎌"
    with pytest.raises(ValueError, match="empty"):
        store.rename(conversation.id, " \n ")
    with pytest.raises(ConversationNotFoundError):
        store.rename("nope", "x")


def test_delete_removes_turns_too(store: ConversationStore) -> None:
    keep = make_saved(store, "keep")
    gone = make_saved(store, "gone")
    store.delete(gone.id)
    assert [s.id for s in store.list_conversations()] == [keep.id]
    with pytest.raises(ConversationNotFoundError):
        store.load(gone.id)
    with pytest.raises(ConversationNotFoundError):
        store.delete(gone.id)
    orphans = store._db.execute("SELECT COUNT(*) FROM turns WHERE conversation_id = ?", (gone.id,)).fetchone()[0]
    assert orphans == 0


def test_find_by_prefix(store: ConversationStore) -> None:
    make_saved(store, "a", "abc123")
    make_saved(store, "b", "abd456")
    make_saved(store, "c", "abc")
    assert store.find("abd") == "abd456"
    assert store.find(" abc12 ") == "abc123"
    assert store.find("abc") == "abc"  # an exact id wins over longer ids it prefixes
    with pytest.raises(AmbiguousIdError, match="matches 3 conversations") as ambiguous:
        store.find("ab")
    assert sorted(ambiguous.value.matches) == ["abc", "abc123", "abd456"]
    with pytest.raises(ConversationNotFoundError, match="zz"):
        store.find("zz")
    with pytest.raises(ConversationNotFoundError):
        store.find("")
    with pytest.raises(ConversationNotFoundError):
        store.find("%")  # no LIKE wildcards


# --- files, modes, migrations ----------------------------------------------------------------------


def test_default_location_is_the_data_dir_and_private() -> None:
    data = Path(os.environ["CLAUDE_TUI_DATA_DIR"])
    assert not data.exists()
    with ConversationStore() as store:
        assert store.path == data / DB_FILENAME
        make_saved(store, "x")
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / DB_FILENAME).stat().st_mode) == 0o600


def test_existing_directory_is_made_private(tmp_path: Path) -> None:
    directory = tmp_path / "shared"
    directory.mkdir(mode=0o755)
    os.chmod(directory, 0o755)
    (directory / DB_FILENAME).touch(mode=0o644)
    os.chmod(directory / DB_FILENAME, 0o644)
    with ConversationStore(directory) as store:
        make_saved(store, "x")
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in directory.iterdir()}
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert modes[DB_FILENAME] == 0o600
    assert all(mode & 0o077 == 0 for mode in modes.values()), modes  # the -wal and -shm files too


def test_a_file_path_is_used_as_is(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere" / "mine.sqlite3"
    with ConversationStore(path) as store:
        assert store.path == path
        make_saved(store, "x")
    assert path.is_file()


def test_wal_mode_and_schema_version(tmp_path: Path) -> None:
    with ConversationStore(tmp_path) as store:
        assert store.user_version == schema_version() == len(store_module.MIGRATIONS)
    db = sqlite3.connect(tmp_path / DB_FILENAME)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema_version()
    db.close()


def test_reopening_is_idempotent(tmp_path: Path) -> None:
    with ConversationStore(tmp_path) as store:
        conversation = make_saved(store, "persisted")
    for _ in range(3):
        with ConversationStore(tmp_path) as store:
            assert store.user_version == schema_version()
            assert store.load(conversation.id).title == "persisted"


def test_a_new_migration_runs_once_and_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    current = schema_version()
    with ConversationStore(tmp_path) as store:
        conversation = make_saved(store, "from the current version")
    runs: list[int] = []

    def migrate_to_next(db: sqlite3.Connection) -> None:
        runs.append(db.execute("PRAGMA user_version").fetchone()[0])
        db.execute("ALTER TABLE conversations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0")

    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, migrate_to_next])
    for _ in range(2):
        with ConversationStore(tmp_path) as store:
            assert store.user_version == current + 1
            assert store.load(conversation.id).title == "from the current version"
    assert runs == [current]
    columns = [row[1] for row in sqlite3.connect(tmp_path / DB_FILENAME).execute("PRAGMA table_info(conversations)")]
    assert "pinned" in columns


def test_a_failing_migration_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ConversationStore(tmp_path).close()
    current = schema_version()

    def broken(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE conversations ADD COLUMN half INTEGER")
        raise sqlite3.OperationalError("disk on fire")

    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, broken])
    with pytest.raises(StoreError, match="disk on fire"):
        ConversationStore(tmp_path)
    db = sqlite3.connect(tmp_path / DB_FILENAME)
    assert db.execute("PRAGMA user_version").fetchone()[0] == current
    assert "half" not in [row[1] for row in db.execute("PRAGMA table_info(conversations)")]


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    ConversationStore(tmp_path).close()
    db = sqlite3.connect(tmp_path / DB_FILENAME)
    db.execute("PRAGMA user_version = 7")
    db.close()
    with pytest.raises(StoreError, match="newer claude-tui"):
        ConversationStore(tmp_path)


def test_a_corrupt_file_gives_a_store_error(tmp_path: Path) -> None:
    (tmp_path / DB_FILENAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="Cannot use the conversation database"):
        ConversationStore(tmp_path)


def test_metrics_are_stored_as_plain_json(tmp_path: Path) -> None:
    conversation = build_rich_conversation()
    with ConversationStore(tmp_path) as store:
        save_all(store, conversation)
    db = sqlite3.connect(tmp_path / DB_FILENAME)
    metrics = json.loads(db.execute("SELECT metrics FROM turns WHERE position = 1").fetchone()[0])
    assert metrics["first_token_at"] == 0.4213 and metrics["output_tokens"] == 567
    db.close()


def test_a_database_from_before_the_packed_times_still_loads(tmp_path: Path) -> None:
    """Wire times and delta times used to be JSON lists; rows written that way load the same."""
    original = build_rich_conversation()
    original.turns[1].metrics.delta_times = [0.25, 0.5 + 1 / 3, 0.75]
    with ConversationStore(tmp_path) as store:
        save_all(store, original)
    db = sqlite3.connect(tmp_path / DB_FILENAME)
    for position, turn in enumerate(original.turns):
        if turn.wire is None:
            continue
        meta = json.loads(db.execute("SELECT wire_meta FROM turns WHERE position = ?", (position,)).fetchone()[0])
        del meta["event_lengths"], meta["event_times"]
        meta["events"] = [[len(event.raw), event.at] for event in turn.wire.events]
        metrics = json.loads(db.execute("SELECT metrics FROM turns WHERE position = ?", (position,)).fetchone()[0])
        del metrics["delta_times_packed"]
        metrics["delta_times"] = turn.metrics.delta_times
        db.execute(
            "UPDATE turns SET wire_meta = ?, metrics = ? WHERE position = ?",
            (json.dumps(meta), json.dumps(metrics), position),
        )
    db.commit()
    db.close()
    with ConversationStore(tmp_path) as store:
        loaded = store.load(original.id)
    for before, after in zip(original.turns, loaded.turns, strict=True):
        assert turn_signature(after) == turn_signature(before)
    assert loaded.turns[1].metrics.delta_times == [0.25, 0.5 + 1 / 3, 0.75]


def test_checkpoints_leave_out_the_delta_times_and_the_final_save_keeps_them(store: ConversationStore) -> None:
    conversation = Conversation(model="claude-sonnet-5-5")
    conversation.add_user("hi")
    turn = conversation.start_assistant()
    turn.blocks = [Block(0, "text", "partial")]
    turn.metrics.delta_times = [0.1, 0.2]
    store.save_conversation(conversation)
    store.save_turn(conversation, conversation.turns[0])
    store.checkpoint(conversation, turn)
    assert store.load(conversation.id).turns[1].metrics.delta_times == []
    turn.status = TurnStatus.COMPLETE
    store.save_turn(conversation, turn)
    assert store.load(conversation.id).turns[1].metrics.delta_times == [0.1, 0.2]


def test_load_conversation_reads_on_a_connection_of_its_own(tmp_path: Path) -> None:
    import threading

    from tui_chat.session.store import load_conversation

    original = build_rich_conversation()
    with ConversationStore(tmp_path) as store:
        save_all(store, original)
        loaded: list[Conversation] = []
        thread = threading.Thread(target=lambda: loaded.append(load_conversation(store.path, original.id)))
        thread.start()
        thread.join()
    assert [turn_signature(t) for t in loaded[0].turns] == [turn_signature(t) for t in original.turns]
    with pytest.raises(ConversationNotFoundError):
        load_conversation(tmp_path / DB_FILENAME, "no-such-id")


def test_a_version_1_database_is_migrated_to_packed_times(tmp_path: Path) -> None:
    """A database written before the times were packed (schema 1) is rewritten once, and loads the same."""
    original = build_rich_conversation()
    original.turns[1].metrics.delta_times = [0.25, 0.5 + 1 / 3]
    with ConversationStore(tmp_path) as store:
        save_all(store, original)
    db = sqlite3.connect(tmp_path / DB_FILENAME)
    for position, turn in enumerate(original.turns):  # back to the old format, as version 1 wrote it
        metrics = json.loads(db.execute("SELECT metrics FROM turns WHERE position = ?", (position,)).fetchone()[0])
        del metrics["delta_times_packed"]
        metrics["delta_times"] = turn.metrics.delta_times
        meta = None
        if turn.wire is not None:
            meta = json.loads(db.execute("SELECT wire_meta FROM turns WHERE position = ?", (position,)).fetchone()[0])
            del meta["event_lengths"], meta["event_times"]
            meta["events"] = [[len(event.raw), event.at] for event in turn.wire.events]
        db.execute(
            "UPDATE turns SET metrics = ?, wire_meta = ? WHERE position = ?",
            (json.dumps(metrics), None if meta is None else json.dumps(meta), position),
        )
    db.executescript("DROP TABLE search; DROP TABLE search_text; DROP TABLE drafts")  # (added by later versions)
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()

    with ConversationStore(tmp_path) as store:
        assert store.user_version == schema_version()
        loaded = store.load(original.id)
    for before, after in zip(original.turns, loaded.turns, strict=True):
        assert turn_signature(after) == turn_signature(before)
    db = sqlite3.connect(tmp_path / DB_FILENAME)
    metas = [row[0] for row in db.execute("SELECT wire_meta FROM turns WHERE wire_meta IS NOT NULL")]
    db.close()
    assert metas and all("event_times" in json.loads(meta) and "events" not in json.loads(meta) for meta in metas)


def test_a_database_from_before_the_controls_opens_and_gets_them(tmp_path: Path) -> None:
    """A schema-2 database (no controls, no attachments) is migrated in place; its conversations load."""
    import sqlite3

    from tui_chat.session import store as store_module

    path = tmp_path / store_module.DB_FILENAME
    db = sqlite3.connect(path)
    for migrate in store_module.MIGRATIONS[:2]:
        migrate(db)
    db.execute("PRAGMA user_version = 2")
    db.execute(
        "INSERT INTO conversations VALUES ('old1', 'Before controls', 'claude-sonnet-5-5', NULL, 4096, "
        "'2026-11-01T10:00:00.000000+00:00', '2026-11-01T10:00:00.000000+00:00')"
    )
    db.execute(
        "INSERT INTO turns VALUES ('old1', 0, 'user', 'complete', 'hi', '\"hi\"', '[]', '{}', NULL, '[]', '', '', "
        "'2026-11-01T10:00:00.000000+00:00', 0, NULL, NULL, NULL)"
    )
    db.commit()
    db.close()
    with ConversationStore(path) as store:
        assert store.user_version == store_module.schema_version() >= 3  # (migrated to the newest)
        old = store.load("old1")
        assert old.controls == RequestControls() and old.turns[0].attachments == []
        old.controls.effort = "low"
        store.save_conversation(old)
        assert store.load("old1").controls.effort == "low"
