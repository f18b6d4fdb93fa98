"""Exports: markdown whose structure holds whatever the answers contain, the API JSON, SSE, safe file writes."""

from __future__ import annotations

import errno
import itertools
import json
import os
import stat
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.support.sse import fixture_bytes
from tests.support.store import CJK_EMOJI_RTL, build_rich_conversation
from tui_chat.session.conversation import Block, Conversation, TurnStatus
from tui_chat.session.export import (
    ExportError,
    conversation_to_api_json,
    conversation_to_markdown,
    default_export_name,
    fenced,
    inline_code,
    seal_markdown,
    turn_to_sse,
    write_export,
)
from tui_chat.session.store import ConversationStore

PARSER = MarkdownIt("commonmark")


def parse(document: str) -> list[Token]:
    return PARSER.parse(document)


def headings(tokens: list[Token], tag: str) -> list[str]:
    """The text of every top-level heading `tag` (h1, h2...), in order."""
    found = []
    for opening, inline in itertools.pairwise(tokens):
        if opening.type == "heading_open" and opening.tag == tag and opening.level == 0:
            found.append(inline.content)
    return found


def fences(tokens: list[Token]) -> list[tuple[str, str]]:
    return [(token.info, token.content) for token in tokens if token.type == "fence"]


@pytest.fixture
def rich_markdown() -> str:
    return conversation_to_markdown(build_rich_conversation())


# --- markdown structure ----------------------------------------------------------------------------


def test_turn_headings_in_order(rich_markdown: str) -> None:
    tokens = parse(rich_markdown)
    # the first answer's own "## Why" stays an h2, verbatim, inside its turn
    assert headings(tokens, "h2") == [
        "You · 1",
        "Claude · 1",
        "Why",
        "You · 2",
        "Claude · 2",
        "You · 3",
        "Claude · 3",
        "You · 4",
        "Claude · 4",
    ]
    assert headings(tokens, "h1")[0].startswith("Is 1009 prime?")
    assert headings(tokens, "h1")[1] == "Result"  # not demoted
    assert sum(1 for t in tokens if t.type == "hr") == 8  # a thematic break before every turn


def test_code_fences_are_intact(rich_markdown: str) -> None:
    found = fences(parse(rich_markdown))
    assert ("python", "print(is_prime(1009))\n") in found
    assert ("json", '{\n  "n": 1009\n}\n') in found
    assert ("text", f"Answer briefly. {CJK_EMOJI_RTL}\n") in found  # the system prompt


def test_unbalanced_fence_in_a_stopped_answer_is_closed() -> None:
    conversation = Conversation(model="m")
    conversation.add_user("code")
    stopped = conversation.start_assistant()
    stopped.blocks = [Block(0, "text", "Here:\n\n~~~~python\ndef f():\n    return 1")]
    stopped.status = TurnStatus.STOPPED
    conversation.add_user("after the stop")
    answer = conversation.start_assistant()
    answer.blocks = [Block(0, "text", "Next answer.")]
    answer.status = TurnStatus.COMPLETE
    document = conversation_to_markdown(conversation)
    tokens = parse(document)
    assert headings(tokens, "h2") == ["You · 1", "Claude · 1", "You · 2", "Claude · 2"]
    assert fences(tokens) == [("python", "def f():\n    return 1\n")]
    assert "Here:\n\n~~~~python\ndef f():\n    return 1\n~~~~\n" in document  # verbatim, then closed
    paragraphs = [t.content for t in tokens if t.type == "inline"]
    assert "Next answer." in paragraphs
    assert any(p.startswith("**Stopped**") for p in paragraphs)


@pytest.mark.parametrize(
    "answer",
    [
        "```\nunclosed backtick fence",
        "- item\n\n  ```js\n  in a list, unclosed",
        "> ```\n> in a quote",
        "<pre>\nraw html never closed",
        "<!-- a comment that never ends",
        "<script>\nlet x = 1",
        "```python\nfour-space ``` inside\n",
        "    indented code",
    ],
)
def test_nothing_an_answer_holds_can_swallow_the_next_turn(answer: str) -> None:
    conversation = Conversation(model="m")
    conversation.add_user("q")
    turn = conversation.start_assistant()
    turn.blocks = [Block(0, "text", answer)]
    turn.status = TurnStatus.STOPPED
    conversation.add_user("next question")
    assert headings(parse(conversation_to_markdown(conversation)), "h2") == ["You · 1", "Claude · 1", "You · 2"]


def test_seal_keeps_sound_markdown_verbatim() -> None:
    text = "# Title\n\n```python\nx = 1\n```\n\n- a\n- b\n\n<details>ok</details>"
    assert seal_markdown(text + "\n\n") == text
    assert seal_markdown("```\nopen") == "```\nopen\n```"
    # an HTML block that only a closing tag ends is shown literally rather than guessed at
    assert seal_markdown("<pre>\nraw") == "```text\n<pre>\nraw\n```"


def test_thinking_is_folded_and_inert(rich_markdown: str) -> None:
    tokens = parse(rich_markdown)
    html = [t.content for t in tokens if t.type == "html_block"]
    assert html[0].startswith("<details>\n<summary>Thinking</summary>")
    assert html[1].strip() == "</details>"
    # the thinking's own HTML is inside a code block, not live markup
    assert ("text", "Check divisors up to 31 <script>x</script>\n") in fences(tokens)
    assert not any("<script>" in block for block in html)


def test_thinking_cannot_close_its_own_fence() -> None:
    conversation = Conversation(model="m")
    conversation.add_user("q")
    turn = conversation.start_assistant()
    turn.blocks = [Block(0, "thinking", "```\n</details>\n````\nstill thinking"), Block(1, "text", "answer")]
    turn.status = TurnStatus.COMPLETE
    tokens = parse(conversation_to_markdown(conversation))
    assert ("text", "```\n</details>\n````\nstill thinking\n") in fences(tokens)
    assert [t.content.strip() for t in tokens if t.type == "html_block"][-1] == "</details>"


def test_tool_use_opaque_blocks_and_citations(rich_markdown: str) -> None:
    assert "**Tool call:** `check_prime` (`toolu_01`)\n\n```json\n" in rich_markdown
    assert "*Block `redacted_thinking`: Redacted thinking (encrypted; sent back unchanged).*" in rich_markdown
    tokens = parse(rich_markdown)
    items = [
        tokens[i + 2].content for i, t in enumerate(tokens) if t.type == "list_item_open" and t.info == "1"
    ]  # ordered list items
    assert items == ["Primes — https://example.org/p: “1009 is prime”"]
    # consecutive text blocks (split by a citation) read as one paragraph
    assert f"It is prime. {CJK_EMOJI_RTL}" in [t.content for t in tokens if t.type == "inline"]


def test_status_lines(rich_markdown: str) -> None:
    assert (
        "> **Failed:** overloaded\\_error — The API is overloaded. (request-id `req_err`)\n>\n"
        "> Wait a moment, then press ctrl+r." in rich_markdown
    )
    assert "> Retried after 2 failed attempts — attempt 1: HTTP 429 rate\\_limit\\_error (waited 0.5 s)" in (
        rich_markdown
    )
    assert "> **Stopped** by the user; the answer above is partial." in rich_markdown
    incomplete = Conversation(model="m")
    incomplete.add_user("q")
    incomplete.start_assistant().status = TurnStatus.INCOMPLETE
    assert "> **Incomplete:** the stream ended without `message_stop`" in conversation_to_markdown(incomplete)


def test_interrupted_turn_from_the_store_is_marked(tmp_path: Path) -> None:
    conversation = Conversation(model="m")
    conversation.add_user("q")
    turn = conversation.start_assistant()
    turn.blocks = [Block(0, "text", "half")]
    with ConversationStore(tmp_path) as store:
        store.save_turn(conversation, conversation.turns[0])
        store.checkpoint(conversation, turn)
        loaded = store.load(conversation.id)
    document = conversation_to_markdown(loaded)
    assert "> **Failed:** interrupted — claude-tui was closed while this answer streamed" in document


def test_metrics_line_can_be_left_out(rich_markdown: str) -> None:
    line = "<sub>TTFT 0.42 s · total 3.10 s · 1,892 tokens in · 567 out · stop `tool_use` · model `claude-sonnet-5-5-20261001`</sub>"
    assert line in rich_markdown
    without = conversation_to_markdown(build_rich_conversation(), include_metrics=False)
    assert "TTFT" not in without and "<sub>" not in without
    assert headings(parse(without), "h2") == headings(parse(rich_markdown), "h2")


def test_metadata_and_title_escaping() -> None:
    conversation = Conversation(model="claude-x", conversation_id="abc123")
    conversation.created = datetime(2026, 11, 22, 14, 30, 5, tzinfo=UTC)
    conversation.add_user("Use `asyncio` *now* <b>please</b> #")
    document = conversation_to_markdown(conversation)
    tokens = parse(document)
    assert headings(tokens, "h1") == ["Use \\`asyncio\\` \\*now\\* \\<b\\>please\\</b\\> \\#"]
    rendered = PARSER.render(document)
    assert "<h1>Use `asyncio` *now* &lt;b&gt;please&lt;/b&gt; #</h1>" in rendered
    assert "- **Date:** 2026-11-22 14:30 UTC\n- **Model:** `claude-x`\n" in document
    assert "- **Conversation:** `abc123`" in document
    assert "System prompt" not in document


def test_non_ascii_survives_byte_for_byte(rich_markdown: str, tmp_path: Path) -> None:
    path = write_export(tmp_path / "out.md", rich_markdown)
    raw = path.read_bytes()
    assert CJK_EMOJI_RTL.encode("utf-8") in raw
    assert raw.decode("utf-8") == rich_markdown
    assert b"\r\n" not in raw


def test_markdown_helpers() -> None:
    assert inline_code("a`b") == "``a`b``"
    assert inline_code("`x") == "`` `x ``"
    assert fenced("x\n````\ny", "text") == "`````text\nx\n````\ny\n`````"


# --- JSON and SSE ----------------------------------------------------------------------------------


def test_api_json_is_the_request() -> None:
    conversation = build_rich_conversation()
    data = json.loads(conversation_to_api_json(conversation))
    assert list(data) == ["model", "max_tokens", "system", "messages"]
    assert data["model"] == "claude-sonnet-5-5" and data["max_tokens"] == 2048
    assert data["system"] == f"Answer briefly. {CJK_EMOJI_RTL}"
    assert data["messages"] == conversation.api_messages()
    assert data["messages"][1]["content"][0]["signature"] == "EqQBCkYIARgCIkD=="
    text = conversation_to_api_json(conversation)
    assert CJK_EMOJI_RTL in text and text.endswith("}\n") and "\n  " in text  # readable, not \u-escaped


def test_api_json_without_system() -> None:
    conversation = Conversation(model="m")
    conversation.add_user("hi")
    assert json.loads(conversation_to_api_json(conversation)) == {
        "model": "m",
        "max_tokens": 4096,
        "messages": [{"role": "user", "content": "hi"}],
    }


def test_sse_export_is_the_recording() -> None:
    conversation = build_rich_conversation()
    assert turn_to_sse(conversation.turns[1]) == fixture_bytes("hw-thinking-signature-pings.sse")
    with pytest.raises(ExportError, match="no wire recording"):
        turn_to_sse(conversation.turns[0])


# --- files -----------------------------------------------------------------------------------------


def test_default_export_name() -> None:
    now = datetime(2026, 11, 22, 14, 30, 5)
    assert default_export_name("markdown", now) == "claude-tui-2026-11-22-143005.md"
    assert default_export_name("md", now) == "claude-tui-2026-11-22-143005.md"
    assert default_export_name("json", now) == "claude-tui-2026-11-22-143005.json"
    assert default_export_name("sse", now) == "claude-tui-2026-11-22-143005.sse"
    assert default_export_name("md").startswith("claude-tui-20")
    with pytest.raises(ValueError, match="Unknown export kind"):
        default_export_name("pdf", now)


def test_write_is_atomic_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = write_export(tmp_path / "a.md", "one\ntwo\n")
    assert path == tmp_path / "a.md"
    assert path.read_bytes() == b"one\ntwo\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    write_export(tmp_path / "b.sse", b"event: ping\r\n\r\n\xff")
    assert (tmp_path / "b.sse").read_bytes() == b"event: ping\r\n\r\n\xff"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "b.sse"]


def test_no_overwrite_by_default(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("precious")
    with pytest.raises(FileExistsError, match="already exists"):
        write_export(path, "new")
    assert path.read_text() == "precious"
    write_export(path, "new", overwrite=True)
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_a_name_taken_during_the_write_is_not_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.md"
    real_mkstemp = tempfile.mkstemp

    def racing_mkstemp(**kwargs: str) -> tuple[int, str]:
        result = real_mkstemp(**kwargs)
        target.write_text("someone else's")  # appears after the existence check
        return result

    monkeypatch.setattr(tempfile, "mkstemp", racing_mkstemp)
    with pytest.raises(FileExistsError, match="already exists"):
        write_export(target, "mine")
    assert target.read_text() == "someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_file_systems_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(source: str, target: str) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = write_export(tmp_path / "a.md", "on FAT")
    assert path.read_text() == "on FAT"
    with pytest.raises(FileExistsError):
        write_export(path, "again")
    assert path.read_text() == "on FAT"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_missing_folder_gives_a_readable_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError) as error:
        write_export(tmp_path / "nowhere" / "a.md", "x")
    assert str(error.value) == f"Cannot write {tmp_path}/nowhere/a.md: {tmp_path}/nowhere does not exist."


def test_a_folder_is_not_a_file_name(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is a folder"):
        write_export(tmp_path, "x", overwrite=True)


def test_missing_folder_gives_a_readable_error_for_a_file_parent(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError) as error:
        write_export(tmp_path / "file" / "a.md", "x")
    assert str(error.value) == f"Cannot write {tmp_path}/file/a.md: {tmp_path}/file is not a folder."


def test_unwritable_folder_gives_a_readable_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:  # root ignores permission bits; sysfs refuses new files even to root
        locked = Path("/sys")
        if not (locked / "kernel").is_dir():
            pytest.skip("no sysfs: no folder that refuses root")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
    before = sorted(locked.iterdir())
    try:
        with pytest.raises(ExportError) as error:
            write_export(locked / "claude-tui-test.md", "x")
        assert str(error.value) == f"Cannot write {locked}/claude-tui-test.md: permission denied."
        assert error.value.__cause__ is not None  # the OSError is kept for logs, not shown
        assert sorted(locked.iterdir()) == before
    finally:
        if locked != Path("/sys"):
            locked.chmod(0o700)


def test_control_characters_in_paths_are_not_echoed(tmp_path: Path) -> None:
    with pytest.raises(ExportError) as error:
        write_export(tmp_path / "no\x1b[2Jdir" / "a.md", "x")
    assert "\x1b" not in str(error.value)


def tool_loop_conversation() -> Conversation:
    """A loop: two calls (one refused, one with a long result), their results, the continuation; then a new
    question whose answer asked for a tool and stopped there."""
    conversation = Conversation(model="claude-sonnet-5-5")
    conversation.add_user("read the notes")
    first = conversation.start_assistant()
    first.api_content = [
        {"type": "tool_use", "id": "t1", "name": "read_file", "input": {"path": "notes.md"}},
        {"type": "tool_use", "id": "t2", "name": "calculator", "input": {"expression": "1+1"}},
    ]
    first.blocks = [Block(0, "tool_use", '{"path": "notes.md"}', "read_file", "t1", complete=True)]
    first.status = TurnStatus.COMPLETE
    long_result = "\n".join(f"line {n} <b>not html</b>" for n in range(30))
    blocks = [
        Block(
            0, "tool_result", long_result, "read_file", "t1", complete=True, decision="approved", note="built-in · 2 ms"
        ),
        Block(
            1,
            "tool_result",
            "The user refused to run this tool call. Their reason: no",
            "calculator",
            "t2",
            complete=True,
            is_error=True,
            decision="refused",
        ),
    ]
    results = [
        {"type": "tool_result", "tool_use_id": "t1", "content": long_result},
        {"type": "tool_result", "tool_use_id": "t2", "content": blocks[1].text, "is_error": True},
    ]
    conversation.add_tool_results(blocks, results)
    continuation = conversation.start_assistant()
    continuation.api_content = [{"type": "text", "text": "The notes say hello."}]
    continuation.blocks = [Block(0, "text", "The notes say hello.", complete=True)]
    continuation.status = TurnStatus.COMPLETE
    conversation.add_user("and the time?")
    asked = conversation.start_assistant()
    asked.api_content = [{"type": "tool_use", "id": "t3", "name": "current_time", "input": {}}]
    asked.status = TurnStatus.COMPLETE
    return conversation


def test_the_markdown_keeps_the_whole_loop_long_results_folded() -> None:
    text = conversation_to_markdown(tool_loop_conversation())
    assert "**Tool result:** `read_file` (`t1`) — approved · built-in · 2 ms" in text
    assert "<details>\n<summary>Result (" in text and "line 29 <b>not html</b>" in text
    assert "**Tool result:** `calculator` (`t2`) — refused" in text and "Their reason: no" in text
    assert "### Claude · 1, continued with the tool results (request 2)" in text
    tokens = MarkdownIt("commonmark").parse(text)
    assert not any(token.type == "html_inline" and "<b>" in token.content for token in tokens)


def test_the_api_json_of_a_loop_is_a_valid_messages_array() -> None:
    messages = json.loads(conversation_to_api_json(tool_loop_conversation()))["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant", "user", "assistant", "user"]
    for earlier, later in itertools.pairwise(messages):
        assert earlier["role"] != later["role"]
        asked = {b["id"] for b in earlier["content"] if isinstance(b, dict) and b.get("type") == "tool_use"}
        content = later["content"] if isinstance(later["content"], list) else []
        answered = {b["tool_use_id"] for b in content if b.get("type") == "tool_result"}
        assert asked == answered  # every call answered in the next message, no result without its call
        if answered:
            assert [b["type"] for b in content][: len(answered)] == ["tool_result"] * len(answered)
    assert messages[-1]["content"][0]["is_error"] is True  # the stopped loop's call: "not run"
