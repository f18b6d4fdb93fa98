"""`StoreWriter`: a locked database loses no turn. Writes go through a thread, wait for the lock and land in
order once it is free. (What the app shows meanwhile: `tests/ui/test_locked_database.py`.)"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.support.paths import REPO
from tests.support.store import locked, stored, wait_until
from tui_chat.session.conversation import Block, Conversation, TurnStatus
from tui_chat.session.store import DB_FILENAME, ConversationStore
from tui_chat.session.writer import StoreWriter, WriterState


def test_writes_wait_for_the_lock_then_land_in_order(tmp_path: Path) -> None:
    ConversationStore(tmp_path).close()
    states: list[WriterState] = []
    writer = StoreWriter(tmp_path, on_change=states.append, retry_every=0.05, busy_timeout=0.05)
    conversation = Conversation(model="m")
    with locked(tmp_path):
        question = conversation.add_user("a question")
        writer.save_turn(conversation, question)
        answer = conversation.start_assistant()
        block = Block(0, "text")
        answer.blocks.append(block)
        for _ in range(50):  # a long wait: one checkpoint queued for the turn, not fifty
            block.text += "word "
            writer.checkpoint(conversation, answer)
        assert wait_until(lambda: writer.state.waiting)
        assert writer.pending <= 2
        assert writer.state.locked and "waiting for the database lock" in writer.state.describe()
        block.text += "end."  # the stream changes the turn after it was handed over: the copy is written
        answer.status = TurnStatus.COMPLETE
        writer.save_turn(conversation, answer)
        block.text += " (changed later)"
        assert not writer.flush(0.3)  # nothing lands while the lock is held
    assert writer.flush(5.0)
    assert writer.close() == 0
    saved = stored(tmp_path, conversation.id)
    assert [turn.role for turn in saved.turns] == ["user", "assistant"]
    assert saved.turns[1].status is TurnStatus.COMPLETE
    assert saved.turns[1].answer_text == "word " * 50 + "end."
    assert states[-1].pending == 0 and not states[-1].waiting and states[-1].saved >= 2
    assert any(state.waiting for state in states)


def test_a_database_locked_before_the_writer_opens_it_is_waited_for(tmp_path: Path) -> None:
    ConversationStore(tmp_path).close()
    with locked(tmp_path, exclusive=True):  # even reading (opening) is refused
        writer = StoreWriter(tmp_path, retry_every=0.05, busy_timeout=0.05)
        conversation = Conversation(model="m")
        writer.save_turn(conversation, conversation.add_user("early"))
        assert wait_until(lambda: writer.state.waiting)
    assert writer.flush(5.0)
    writer.close()
    assert stored(tmp_path, conversation.id).turns[0].text == "early"


def test_close_gives_up_after_its_timeout_and_says_how_many(tmp_path: Path) -> None:
    ConversationStore(tmp_path).close()
    with locked(tmp_path):
        writer = StoreWriter(tmp_path, retry_every=0.05, busy_timeout=0.05)
        conversation = Conversation(model="m")
        writer.save_turn(conversation, conversation.add_user("never saved"))
        started = time.monotonic()
        assert writer.close(timeout=0.5) == 1
        assert time.monotonic() - started < 3.0


def test_a_second_connection_in_the_process_does_not_let_another_program_drop_the_log(tmp_path: Path) -> None:
    """Opening a store closed a descriptor of the database file, which drops every POSIX lock of the process:
    another program closing its connection then removed the write-ahead log this process was writing to."""
    writer_store = ConversationStore(tmp_path)
    conversation = Conversation(model="m")
    writer_store.save_turn(conversation, conversation.add_user("first"))
    ConversationStore(tmp_path).close()  # the UI's reading connection, opened after the writer's
    reader = [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(REPO)!r})\n"]
    other = "from tui_chat.session.store import ConversationStore\nConversationStore({path!r}).close()"
    subprocess.run([*reader[:2], reader[2] + other.format(path=str(tmp_path))], check=True, timeout=60)
    writer_store.save_turn(conversation, conversation.add_user("second"))
    count = "import sqlite3\nprint(sqlite3.connect({path!r}).execute('SELECT COUNT(*) FROM turns').fetchone()[0])"
    result = subprocess.run(
        [*reader[:2], reader[2] + count.format(path=str(tmp_path / DB_FILENAME))],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    writer_store.close()
    assert result.stdout.strip() == "2"
