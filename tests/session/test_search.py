"""Search across every saved conversation: the query language, the FTS5 index kept in step, `claude-tui list -q`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.controller import driver
from tests.support.paths import REPO
from tui_chat.bench.corpus import conversations
from tui_chat.session.conversation import Block, Conversation, Turn, TurnStatus
from tui_chat.session.search import fts_query, index_form, matching_line, parse_since, query_terms
from tui_chat.session.store import DB_FILENAME, ConversationStore, schema_version, search_conversations


def answer(conversation: Conversation, text: str) -> Turn:
    turn = conversation.start_assistant()
    turn.blocks = [Block(0, "thinking", "secret musing", complete=True), Block(1, "text", text, complete=True)]
    turn.api_content = [{"type": "text", "text": text}]
    turn.status = TurnStatus.COMPLETE
    return turn


def saved(store: ConversationStore, question: str, reply: str, **options: str) -> Conversation:
    conversation = Conversation(model=options.get("model", "claude-sonnet-5-5"))
    store.save_turn(conversation, conversation.add_user(question))
    store.save_turn(conversation, answer(conversation, reply))
    return conversation


def integrity(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("INSERT INTO search (search) VALUES ('integrity-check')")  # raises if the index is out of step
    db.close()


# --- the query language ----------------------------------------------------------------------------


def test_what_is_typed_is_never_read_as_fts_syntax() -> None:
    assert fts_query("streaming error") == '"streaming" "error"'
    assert fts_query('NEAR(a b) AND -x OR title:y "z*') == '"NEAR a" "b" "AND" "x" "OR" "title y" "z"'
    assert fts_query('"tool call" json') == '"tool call" "json"'
    assert fts_query("e-mail") == '"e mail"'
    assert fts_query("  ") is None and fts_query('"" --') is None
    assert query_terms('say "two words" please') == ["say", "two words", "please"]


def test_as_you_type_the_last_word_is_a_prefix_until_a_space() -> None:
    assert fts_query("stream err", prefix_last=True) == '"stream" "err"*'
    assert fts_query("stream err ", prefix_last=True) == '"stream" "err"'
    assert fts_query('"tool ca', prefix_last=True) == '"tool ca"*'


def test_cjk_is_indexed_a_character_at_a_time() -> None:
    assert index_form("ストリーミングでは、モデル abc") == " ス  ト  リ  ー  ミ  ン  グ  で  は 、 モ  デ  ル  abc"
    assert fts_query("ストリーミング") == '"ス ト リ ー ミ ン グ"'


def test_the_matching_line_is_one_safe_line_cut_around_the_match() -> None:
    text = "first line\n\nthe \x1b[31mTOKEN\x1b[0m arrives here\nlast token"
    line = matching_line(text, "token")
    assert line.text == "the [31mTOKEN[0m arrives here"
    assert [line.text[a:b] for a, b in line.spans] == ["TOKEN"]
    long = "word " * 100 + "needle" + " word" * 100
    cut = matching_line(long, "needle", width=60)
    assert cut.text.startswith("…") and cut.text.endswith("…") and "needle" in cut.text and len(cut.text) <= 62
    assert matching_line("nothing\nhere", "absent").text == "nothing"


def test_since_takes_dates_and_ages() -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert parse_since("7d", now) == now - timedelta(days=7)
    assert parse_since("12h", now) == now - timedelta(hours=12)
    assert parse_since("2w", now) == now - timedelta(weeks=2)
    assert parse_since("2026-03-01T08:00+00:00", now) == datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert parse_since("2026-03-01", now).date().isoformat() == "2026-03-01"
    assert parse_since("yesterday", now) < parse_since("today", now) <= now
    with pytest.raises(ValueError, match="not a date"):
        parse_since("last tuesday", now)


# --- the index, kept in step ----------------------------------------------------------------------------


def test_messages_and_answers_are_found_best_first_with_their_matching_line(tmp_path: Path) -> None:
    with ConversationStore(tmp_path) as store:
        weak = saved(store, "Tell me about pipes", "A pipe joins programs. Streaming is one use among many others.")
        strong = saved(store, "Streaming streaming streaming?", "Yes: streaming.")
        saved(store, "Unrelated", "Nothing to see.")
        hits = store.search("streaming")
        assert [hit.conversation.id for hit in hits] == [strong.id, weak.id]
        assert hits[0].role == "user" and hits[0].position == 0
        assert hits[1].role == "assistant" and hits[1].position == 1
        assert hits[1].line.text == "A pipe joins programs. Streaming is one use among many others."
        assert store.search("musing") == []  # thinking is not what the answer says
        assert [h.conversation.id for h in store.search("programs pipe")] == [weak.id]  # every word, any order
        assert store.search("pipes programs") == []  # ... in one message
        assert store.search("pipe streaming nothing") == []
        assert [h.conversation.id for h in store.search("STREAMING")] == [strong.id, weak.id]
    integrity(tmp_path / DB_FILENAME)


def test_the_index_follows_every_write(tmp_path: Path) -> None:
    with ConversationStore(tmp_path) as store:
        conversation = Conversation(model="m")
        user = conversation.add_user("What is a zeppelin?")
        store.save_turn(conversation, user)
        assert [h.conversation.id for h in store.search("zeppelin")] == [conversation.id]  # at once

        streaming = conversation.start_assistant()
        streaming.blocks = [Block(0, "text", "An airship, rigid")]
        store.checkpoint(conversation, streaming)
        assert store.search("airship")[0].position == 1  # a partial answer is searchable too
        streaming.blocks[0].text += " and slow."
        streaming.status = TurnStatus.COMPLETE
        store.save_turn(conversation, streaming)
        assert store.search("slow")[0].position == 1

        conversation.discard_last_assistant()  # a retry replaces the answer
        store.save_conversation(conversation)
        assert store.search("airship") == []
        replaced = answer(conversation, "A dirigible.")
        store.save_turn(conversation, replaced)
        assert store.search("dirigible")[0].position == 1

        store.delete(conversation.id)
        assert store.search("zeppelin") == [] and store.search("dirigible") == []
    integrity(tmp_path / DB_FILENAME)


def test_filters_by_date_and_model(tmp_path: Path) -> None:
    moments = iter([datetime(2026, 1, 1, tzinfo=UTC)] * 2 + [datetime(2026, 3, 1, tzinfo=UTC)] * 2)
    with ConversationStore(tmp_path, clock=lambda: next(moments)) as store:
        old = saved(store, "kettle", "boils", model="claude-haiku-4-5")
        new = saved(store, "kettle", "whistles", model="claude-sonnet-5-5")
        since = datetime(2026, 2, 1, tzinfo=UTC)
        assert [h.conversation.id for h in store.search("kettle", since=since)] == [new.id]
        assert [h.conversation.id for h in store.search("kettle", model="HAIKU")] == [old.id]
        assert [s.id for s in store.list_conversations(since=since)] == [new.id]
        assert [s.id for s in store.list_conversations(model="sonnet")] == [new.id]


def test_an_existing_database_is_indexed_by_its_migration(tmp_path: Path) -> None:
    with ConversationStore(tmp_path) as store:
        old = saved(store, "Migrations are fun", "Indexing happens once, on upgrade.")
    db = sqlite3.connect(tmp_path / DB_FILENAME)  # back to schema 2: no search index, no drafts
    db.executescript("DROP TABLE search; DROP TABLE search_text; DROP TABLE drafts; PRAGMA user_version = 2;")
    db.close()
    with ConversationStore(tmp_path) as store:
        assert store.user_version == schema_version()
        assert [h.conversation.id for h in store.search("upgrade")] == [old.id]
        assert [h.conversation.id for h in store.search("migrations")] == [old.id]
    integrity(tmp_path / DB_FILENAME)


def test_a_word_is_found_among_two_thousand_conversations(tmp_path: Path) -> None:
    """The benchmark's corpus (Zipf-distributed words), 2,000 conversations, one rare word planted in one."""
    planted: list[Conversation] = []

    def corpus() -> list[Conversation]:
        batch = list(conversations(2000, 4))
        target = batch[1234]
        target.turns[3].blocks[0].text += " The quixotically named answer."
        planted.append(target)
        return batch

    with ConversationStore(tmp_path) as store:
        store.save_conversations(corpus())
        assert len(store.list_conversations()) == 2000
        hits = store.search("quixotically")
        assert [(h.conversation.id, h.position, h.role) for h in hits] == [(planted[0].id, 3, "assistant")]
        assert "quixotically" in hits[0].line.text
        common = store.search("the", limit=20)
        assert len(common) == 20 and len({h.conversation.id for h in common}) == 20
        assert [h.rank for h in common] == sorted(h.rank for h in common)
    # the same from another thread's read-only connection (the conversation list searches that way)
    assert [h.conversation.id for h in search_conversations(tmp_path / DB_FILENAME, "quixotic", prefix_last=True)] == [
        planted[0].id
    ]


def test_cjk_text_is_found_inside_longer_words(tmp_path: Path) -> None:
    with ConversationStore(tmp_path) as store:
        conversation = saved(store, "日本語で説明して", "ストリーミングでは、モデルが生成したトークンを送ります。")
        assert [h.conversation.id for h in store.search("トークン")] == [conversation.id]
        assert store.search("トークン")[0].line.spans  # highlighted in the line
        assert [h.conversation.id for h in store.search("説明")] == [conversation.id]


# --- claude-tui list -q ---------------------------------------------------------------------------------


def run_list(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "CLAUDE_TUI_DATA_DIR": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "tui_chat", "list", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_list_q_prints_best_matches_with_their_line(tmp_path: Path) -> None:
    with ConversationStore(tmp_path) as store:
        sse = saved(store, "How do I read an SSE stream?", "Frame by frame: a blank line ends each event.")
        hostile = saved(store, "evil \x1b]0;title\x07 frame", "ok")
    result = run_list(tmp_path, "-q", "frame")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and lines[0].startswith(sse.id) and lines[2].startswith(hostile.id)
    assert lines[1] == "    Claude: Frame by frame: a blank line ends each event."
    assert lines[3] == "    You: evil ]0;title frame"
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert run_list(tmp_path, "-q", "absent").stdout == "Nothing matches.\n"
    bad = run_list(tmp_path, "-q", "frame", "--since", "someday")
    assert bad.returncode == 2 and "not a date" in bad.stderr


async def test_a_message_just_sent_is_found_before_its_answer_ends(tmp_path: Path) -> None:

    async with driver(tmp_path, pace=1) as d:  # the demo server's real pauses: the answer takes a while
        assert await d.controller.send("tell me about the quokka, then write a long essay")
        assert d.controller.busy
        await d.controller.history.settle()  # (saved by the writer thread, a moment after the send)
        hits = search_conversations(tmp_path / DB_FILENAME, "quokka")  # another connection, as the list's
        assert [(h.conversation.id, h.position, h.role) for h in hits] == [(d.controller.conversation.id, 0, "user")]
        assert d.controller.busy  # (found while the answer still streams)
        d.controller.stop()
        await d.controller.wait()
