"""What a hostile server or a crafted database sends stays inert where it enters: every field sanitized in the
conversation, the store and the exports.

Driven through the real SDK against `tests/support/hostile_server.py` (raw bytes on loopback) and the real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from anthropic import AsyncAnthropic

from tests.support.attacks import ATTACK, HOSTILE_HEADERS, UNSAFE, hostile_stream, plant, unsafe_fields
from tests.support.hostile_server import HostileServer, RawReply, json_reply
from tests.support.store import saved_conversation
from tui_chat.session.conversation import Conversation
from tui_chat.session.export import conversation_to_api_json, conversation_to_markdown
from tui_chat.session.recorder import TurnRecorder
from tui_chat.session.store import ConversationStore, load_conversation
from tui_chat.stream.retry import RetryPolicy


async def test_every_field_a_server_controls_is_sanitized_where_it_enters(tmp_path: Path) -> None:
    """Items 1 and 2, through the real SDK: a 529 (retried) then a stream whose every field and header carries
    an attack. The turn, its retry notice and its error hold no control or hidden character; nor does what is
    stored, what is loaded back, or the markdown and JSON exports."""
    with HostileServer() as server:
        overloaded = json_reply(
            {"type": "error", "error": {"type": "overloaded" + ATTACK, "message": "RETRYMSG" + ATTACK}},
            status_line=b"HTTP/1.1 529 Overloaded",
            headers=[*HOSTILE_HEADERS, (b"x-should-retry", b"true"), (b"retry-after-ms", b"1")],
        )
        server.queue("/v1/messages", overloaded)
        server.queue("/v1/messages", RawReply(hostile_stream(), headers=HOSTILE_HEADERS))
        client = AsyncAnthropic(api_key="k-hostile-0123456789", base_url=server.base_url, max_retries=0)
        conversation = Conversation(model="m")
        conversation.add_user("q")
        turn = conversation.start_assistant()
        await TurnRecorder(client, conversation, turn, retry_policy=RetryPolicy(max_retries=1)).run()
        await client.close()

    # Every field was filled from the attack (what is left of it is plain text)...
    assert turn.error is not None and "ETYPE" in turn.error.kind and "EMESSAGE" in turn.error.summary
    assert turn.error.request_id is not None and "REQID" in turn.error.request_id
    assert turn.metrics.request_id is not None and "REQID" in turn.metrics.request_id
    assert "MODEL" in turn.model and "STOP" in str(turn.metrics.stop_reason)
    assert turn.retries and "RETRYMSG" in turn.retries[0].reason and "REQID" in str(turn.retries[0].request_id)
    assert any("TITLE" in line for block in turn.blocks for line in block.citations)
    assert "]0;TITLE" in turn.answer_text and "<U+200B>" in turn.answer_text and "<U+E0068>" in turn.answer_text
    assert turn.wire is not None and turn.wire.request_id is not None and "REQID" in turn.wire.request_id
    # ...and nothing of it can act on a terminal or hide.
    assert unsafe_fields(conversation) == []

    with ConversationStore(tmp_path) as store:
        store.save_turn(conversation, conversation.turns[0])
        store.save_turn(conversation, turn)
        loaded = store.load(conversation.id)
    assert unsafe_fields(loaded) == []
    assert not UNSAFE.search(conversation_to_markdown(loaded))
    assert not UNSAFE.search(conversation_to_api_json(loaded))
    assert json.loads(conversation_to_api_json(loaded))["messages"][1]["content"]  # the content itself is kept


def test_stored_text_is_as_untrusted_as_a_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 1 (`--continue` shows stored data again): a database with an attack in every field loads clean,
    exports clean, and lists clean."""
    conversation = saved_conversation(tmp_path)
    plant(tmp_path / "conversations.sqlite3", conversation.id)
    with ConversationStore(tmp_path) as store:
        loaded = store.load(conversation.id)
        summaries = store.list_conversations()
    for candidate in (loaded, load_conversation(tmp_path / "conversations.sqlite3", conversation.id)):
        assert "TITLE" in candidate.title and "ETYPE" in str(candidate.turns[1].error)
        assert unsafe_fields(candidate) == []
        assert candidate.turns[1].wire is not None and unsafe_fields(candidate.turns[1].wire.headers) == []
    markdown = conversation_to_markdown(loaded)
    assert "SYSTEM" in markdown and "ETYPE" in markdown and not UNSAFE.search(markdown)
    assert not UNSAFE.search(conversation_to_api_json(loaded))
    assert summaries and "TITLE" in summaries[0].title

    from tui_chat.cli import main

    monkeypatch.setenv("CLAUDE_TUI_DATA_DIR", str(tmp_path))
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert "TITLE" in listed and "MODEL" in listed and not UNSAFE.search(listed)
