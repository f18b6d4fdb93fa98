"""A damaged or hand-edited database: no row crashes the store. What can be read loads; what cannot is marked
where it is, in words. (The app and the command line open such a database too: `tests/ui/test_history.py`,
`tests/test_cli.py`.)"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.support.store import build_rich_conversation, damaged_database
from tui_chat.session.conversation import TurnStatus
from tui_chat.session.export import conversation_to_markdown
from tui_chat.session.store import DB_FILENAME, UNKNOWN_TIME, ConversationStore


def test_the_list_keeps_a_row_whose_dates_are_not_dates(tmp_path: Path) -> None:
    damaged_id, intact_id = damaged_database(tmp_path)
    with ConversationStore(tmp_path) as store:
        summaries = {summary.id: summary for summary in store.list_conversations()}
        assert store.last_id() in summaries
    assert set(summaries) == {damaged_id, intact_id}
    damaged, intact = summaries[damaged_id], summaries[intact_id]
    assert damaged.updated == UNKNOWN_TIME and damaged.when == "date unknown"
    assert "last date ('42')" in damaged.unreadable and "creation date ('last tuesday')" in damaged.unreadable
    assert intact.unreadable == "" and intact.when != "date unknown"


def test_a_conversation_with_damaged_turns_opens_with_each_marked(tmp_path: Path) -> None:
    damaged_id, _ = damaged_database(tmp_path)
    with ConversationStore(tmp_path) as store:
        conversation = store.load(damaged_id)
    original = build_rich_conversation()
    assert len(conversation.turns) == len(original.turns)  # every turn keeps its place
    assert conversation.title == "\ufffdtitle" and conversation.max_tokens == 4096  # (a NUL is no title text)
    assert "the creation date" in conversation.load_notes and "the max_tokens setting" in conversation.load_notes
    turns = conversation.turns
    assert turns[1].load_notes == ["its content", "its timings and token counts", _wire_note()]
    assert turns[1].blocks == [] and turns[1].wire is None
    assert turns[1].status is TurnStatus.COMPLETE  # what could be read is kept as it was
    assert turns[3].load_notes == ["the content sent back to the API", "its date"]
    assert turns[3].api_content == [{"type": "text", "text": turns[3].answer_text}]  # rebuilt from what is shown
    assert turns[5].error is None and turns[5].retries == []
    assert turns[6].role == "assistant" and "robot" in turns[6].load_notes[0]
    assert turns[7].number == 0 and turns[7].load_notes == ["its number"]
    assert turns[2].api_content == turns[2].text  # a user turn's content is its text, never "None" or "{}"
    assert conversation.turns[0].load_notes == [] and conversation.turns[0].api_content == original.turns[0].api_content
    # The history can be sent and the conversation exported.
    for message in conversation.api_messages():
        assert message["content"] and message["content"] != "None"
    markdown = conversation_to_markdown(conversation)
    assert markdown.count("Could not be read from the database") == 1 + conversation.damaged_turns


def _wire_note() -> str:
    from tui_chat.session import store

    return store._WIRE


def test_wrong_field_types_inside_valid_json_take_their_defaults(tmp_path: Path) -> None:
    """Valid JSON of the wrong shape (a hand edit): fields of the wrong type are left out, not kept to crash
    the view later (a block index as text, a citation as a number)."""
    damaged_id, _ = damaged_database(tmp_path)
    db = sqlite3.connect(tmp_path / DB_FILENAME)
    with db:
        db.execute(
            "UPDATE turns SET blocks = ? WHERE conversation_id = ? AND position = 3",
            ('[{"index": 0, "kind": "text", "text": "ok", "citations": [1], "complete": "yes"}]', damaged_id),
        )
        db.execute(
            "UPDATE turns SET blocks = ? WHERE conversation_id = ? AND position = 5",
            ('[{"index": "zero", "kind": "text"}]', damaged_id),
        )
    db.close()
    with ConversationStore(tmp_path) as store:
        conversation = store.load(damaged_id)
    block = conversation.turns[3].blocks[0]
    assert (block.index, block.text, block.citations, block.complete) == (0, "ok", [], False)
    assert conversation.turns[5].blocks == [] and "its content" in conversation.turns[5].load_notes
