"""Transcripts and history: saved conversations, resume, export, copy, edit and retry."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from tests.support.app import SIZE, demo_app, screen_text, type_prompt, wait_for_turn_end
from tests.support.paths import REPO
from tests.support.pty import PtyApp, demo_env
from tests.support.requests import unmarked
from tui_chat.app import ClaudeTUI
from tui_chat.config import Settings, data_dir
from tui_chat.demo.server import DemoServer
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.conversation_list import ConfirmScreen, ConversationListScreen, RenameScreen
from tui_chat.session.backend import Backend
from tui_chat.session.conversation import TurnStatus
from tui_chat.session.store import INTERRUPTED_KIND, ConversationStore


def chat_screen(app: ClaudeTUI) -> ChatScreen:
    screen = app.screen
    assert isinstance(screen, ChatScreen)
    return screen


def wait_for_checkpoint(home: Path, *, turns: int, chars: int, timeout: float = 30.0) -> bool:
    """Wait until the app running on `home` has checkpointed `turns` turns, the last with `chars` of text.

    Polls the database the app writes (WAL: reading never blocks the writer), so the kill that
    follows lands mid-answer however fast the machine is.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (home / "conversations.sqlite3").exists():
            with ConversationStore(home) as store:
                last = store.last_id()
                conversation = store.load(last) if last is not None else None
            shown = conversation.turns if conversation is not None else []
            if len(shown) >= turns and len(shown[turns - 1].answer_text) >= chars:
                return True
        time.sleep(0.1)
    return False


def resume_app(which: str = "") -> tuple[ClaudeTUI, DemoServer]:
    server = DemoServer(pace=0)
    settings = Settings(demo=True, resume=which)
    return ClaudeTUI(settings, backend=Backend(settings, demo_server=server)), server


async def test_turns_are_saved_and_resume_sends_the_history() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "first question")
        await wait_for_turn_end(pilot, 1)
        await type_prompt(pilot, "second question")
        await wait_for_turn_end(pilot, 2)
        original = chat_screen(app).conversation
        expected_history = original.api_messages()

    with ConversationStore(data_dir()) as store:
        assert store.last_id() == original.id
        saved = store.load(original.id)
    assert [t.role for t in saved.turns] == ["user", "assistant", "user", "assistant"]
    assert saved.api_messages() == expected_history

    app, server = resume_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        screen = chat_screen(app)
        assert screen.conversation.id == original.id
        shown = screen_text(app)
        assert "your request carried 3 messages of history" in shown  # the end of the last answer
        assert any(row.wire is not None for row in screen.inspector.rows)  # saved events stay browsable
        await type_prompt(pilot, "third question")
        await wait_for_turn_end(pilot, 3)
        history = unmarked(server.requests[-1].body["messages"])
        assert history[:-1] == expected_history
        assert history[-1] == {"role": "user", "content": "third question"}
        # ↑ in the prompt recalls what was sent, even from before the resume.
        await pilot.press("up")
        assert screen.prompt.text == "third question"
        await pilot.press("up")
        assert screen.prompt.text == "second question"
        await pilot.press("down", "down")
        assert screen.prompt.text == ""


def test_kill_mid_stream_then_continue(tmp_path: Path) -> None:
    """A real process killed with SIGKILL mid-answer: `--continue` brings back the turns and the partial answer."""
    env = demo_env(tmp_path, "0.5")
    app = PtyApp("--demo", env=env)
    try:
        assert app.wait_for(b"DEMO", 20)
        app.send("hello")
        assert app.wait_for(b"input tokens).", 30)
        app.send("a long one please")
        assert wait_for_checkpoint(tmp_path, turns=4, chars=300)  # some way into an answer that takes ~8 s
        app.kill()
    finally:
        app.close()

    with ConversationStore(tmp_path) as store:
        conversation = store.load(store.last_id() or "")
    assert [t.role for t in conversation.turns] == ["user", "assistant", "user", "assistant"]
    assert conversation.turns[1].status is TurnStatus.COMPLETE
    partial = conversation.turns[3]
    assert partial.status is TurnStatus.FAILED and partial.error is not None
    assert partial.error.kind == INTERRUPTED_KIND
    assert partial.answer_text.startswith("# How streaming works")
    assert len(partial.answer_text) > 100

    cli = subprocess.run(
        [sys.executable, "-m", "tui_chat", "list"],
        env={**os.environ, "PYTHONPATH": str(REPO), "CLAUDE_TUI_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert conversation.id in cli.stdout and "hello" in cli.stdout


async def test_continue_shows_the_interrupted_answer(tmp_path: Path, monkeypatch: Any) -> None:
    """After a kill the checkpoint opens as an interrupted answer, and the history still works."""
    monkeypatch.setenv("CLAUDE_TUI_DATA_DIR", str(tmp_path))
    env = demo_env(tmp_path, "0.5")
    process = PtyApp("--demo", env=env)
    try:
        assert process.wait_for(b"DEMO", 20)
        process.send("long")
        assert wait_for_checkpoint(tmp_path, turns=2, chars=100)
        process.kill()
    finally:
        process.close()

    app, server = resume_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        screen = chat_screen(app)
        partial = screen.conversation.turns[-1]
        assert partial.error is not None and partial.error.kind == INTERRUPTED_KIND
        shown = screen_text(app)
        assert "interrupted" in shown and "checkpoint" in shown
        await type_prompt(pilot, "go on")
        await wait_for_turn_end(pilot, 2)
        history = server.requests[-1].body["messages"]
        assert [m["role"] for m in history] == ["user", "assistant", "user"]
        assert history[1]["content"][0]["text"] == partial.answer_text.rstrip()


async def test_export_markdown_json_and_recording(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    app, _ = demo_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await type_prompt(pilot, "show me some code")
        await wait_for_turn_end(pilot)
        answer = chat_screen(app).conversation.turns[-1].answer_text
        await type_prompt(pilot, "/export chat.md")
        await pilot.pause(0.2)
        exported = (tmp_path / "chat.md").read_text(encoding="utf-8")
        tokens = MarkdownIt("commonmark").parse(exported)
        headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
        assert headings[:2] == ["You · 1", "Claude · 1"]
        fences = [t for t in tokens if t.type == "fence"]
        assert any(t.info == "python" and "class Printer(EventStream)" in t.content for t in fences)
        assert "TTFT" in exported

        # Never silently over an existing file.
        await type_prompt(pilot, "/export chat.md")
        await pilot.pause(0.2)
        assert (tmp_path / "chat.md").read_text(encoding="utf-8") == exported
        assert "already exists" in screen_text(app)

        # An unwritable place: a clear message, the app carries on.
        await type_prompt(pilot, "/export /proc/no-such-dir/chat.md")
        await pilot.pause(0.2)
        assert "Cannot write" in screen_text(app)

        await type_prompt(pilot, "/export --no-metrics bare.md")
        await pilot.pause(0.2)
        assert "TTFT" not in (tmp_path / "bare.md").read_text(encoding="utf-8")

        await type_prompt(pilot, "/export-json messages.json")
        await type_prompt(pilot, "/save-sse turn.sse")
        await pilot.pause(0.2)
        import json

        messages = json.loads((tmp_path / "messages.json").read_text(encoding="utf-8"))["messages"]
        assert messages[1]["content"][0]["text"] == answer
        turn = chat_screen(app).conversation.turns[-1]
        assert turn.wire is not None
        assert (tmp_path / "turn.sse").read_bytes() == turn.wire.sse_bytes()
        assert (tmp_path / "turn.sse.json").is_file()

        await pilot.press("ctrl+s")  # default name, here
        await pilot.pause(0.2)
        assert list(tmp_path.glob("claude-tui-*.md"))


async def test_copy_answer_and_code_block() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "code please")
        await wait_for_turn_end(pilot)
        answer = chat_screen(app).conversation.turns[-1].answer_text
        await type_prompt(pilot, "/copy")
        assert app.clipboard == answer
        assert (data_dir() / "clipboard.txt").read_text(encoding="utf-8") == answer
        await type_prompt(pilot, "/copy code")
        assert app.clipboard.startswith("curl -N https://api.anthropic.com/v1/messages")
        await pilot.press("f4")
        await pilot.pause(0.2)
        assert "code block 1 of answer 1 (python)" in screen_text(app)
        await pilot.press("down", "enter")  # the first code block
        assert app.clipboard.startswith("import asyncio")


def test_copy_reaches_the_terminal_as_osc52(tmp_path: Path) -> None:
    env = demo_env(tmp_path)
    app = PtyApp("--demo", env=env)
    try:
        assert app.wait_for(b"DEMO", 20)
        app.send("japanese please")
        assert app.wait_for(b"input tokens)", 30)
        mark = app.mark()
        app.send("/copy")
        assert app.wait_for(b"\x1b]52;c;", 10, since=mark)
    finally:
        app.close()
    copied = (tmp_path / "clipboard.txt").read_text(encoding="utf-8")
    assert "ストリーミング" in copied
    sequence = b"\x1b]52;c;" + base64.b64encode(copied.encode()) + b"\x07"
    assert sequence in app.output[mark:]


async def test_edit_last_message_and_regenerate() -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat_screen(app)
        await type_prompt(pilot, "tell me abut streams")
        await wait_for_turn_end(pilot, 1)
        await pilot.press("f5")
        assert screen.prompt.text == "tell me abut streams"
        screen.prompt.text = "tell me about streams"
        await pilot.press("enter")
        await wait_for_turn_end(pilot, 1)
        assert [t.text for t in screen.conversation.turns if t.role == "user"] == ["tell me about streams"]
        assert unmarked(server.requests[-1].body["messages"]) == [{"role": "user", "content": "tell me about streams"}]

        first = screen.conversation.turns[-1]
        await pilot.press("ctrl+r")  # regenerate a complete answer
        await wait_for_turn_end(pilot, 1)
        again = screen.conversation.turns[-1]
        assert again is not first and again.status is TurnStatus.COMPLETE
        assert len([t for t in screen.conversation.turns if t.role == "assistant"]) == 1
        assert server.requests[-1].body["messages"] == server.requests[-2].body["messages"]


async def test_conversation_list_opens_renames_and_deletes() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat_screen(app)
        await type_prompt(pilot, "the first chat")
        await wait_for_turn_end(pilot, 1)
        first_id = screen.conversation.id
        await pilot.press("ctrl+n")
        await type_prompt(pilot, "the second chat")
        await wait_for_turn_end(pilot, 1)

        await pilot.press("ctrl+l")
        await pilot.pause(0.2)
        assert isinstance(app.screen, ConversationListScreen)
        shown = screen_text(app)
        assert "the first chat" in shown and "the second chat" in shown
        await pilot.press("tab")  # from the search box to the list
        await pilot.press("down")  # the older one
        await pilot.press("r")
        await pilot.pause(0.1)
        assert isinstance(app.screen, RenameScreen)
        rename_input = app.screen.query_one("#new-title")
        rename_input.value = "Renamed [bold]chat[/]"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert "Renamed [bold]chat[/]" in screen_text(app)  # shown literally, not as markup
        await pilot.press("enter")  # open it
        await pilot.pause(0.3)
        assert screen.conversation.id == first_id
        assert screen.conversation.turns[0].text == "the first chat"

        await pilot.press("ctrl+l")
        await pilot.pause(0.2)
        await pilot.press("tab", "d")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep it
        await pilot.pause(0.1)
        assert len(app.screen.summaries) == 2  # type: ignore[attr-defined]
        await pilot.press("d", "y")
        await pilot.pause(0.2)
        assert len(app.screen.summaries) == 1  # type: ignore[attr-defined]


def test_cli_export_writes_markdown(tmp_path: Path) -> None:
    from tui_chat.session.conversation import Conversation

    conversation = Conversation(model="claude-sonnet-5-5")
    user = conversation.add_user("日本語 and emoji 🎉 and עברית")
    answer = conversation.start_assistant()
    answer.status = TurnStatus.COMPLETE
    answer.api_content = [{"type": "text", "text": "```python\nprint('hi')\n```"}]
    from tui_chat.session.conversation import Block

    answer.blocks = [Block(0, "text", "```python\nprint('hi')\n```", complete=True)]
    with ConversationStore(tmp_path) as store:
        store.save_turn(conversation, user)
        store.save_turn(conversation, answer)
    env = {**os.environ, "PYTHONPATH": str(REPO), "CLAUDE_TUI_DATA_DIR": str(tmp_path)}
    out = tmp_path / "out.md"
    result = subprocess.run(
        [sys.executable, "-m", "tui_chat", "export", conversation.id[:6], "-o", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "日本語 and emoji 🎉 and עברית" in text and "print('hi')" in text
    again = subprocess.run(
        [sys.executable, "-m", "tui_chat", "export", conversation.id, "-o", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 1 and "exists" in again.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "tui_chat", "export", "zzzz"], env=env, capture_output=True, text=True, timeout=60
    )
    assert missing.returncode == 1 and missing.stderr.strip()


async def test_switching_conversation_while_an_answer_ends_saves_it_where_it_belongs() -> None:
    app, _ = demo_app(pace=0.5)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat_screen(app)
        await type_prompt(pilot, "hello")
        old = screen.conversation
        while not old.turns[-1].answer_text:
            await pilot.pause(0.05)
        await pilot.press("ctrl+n")  # stops the answer; its end arrives after the switch
        await pilot.pause(0.8)
        assert app.is_running
        assert screen.conversation is not old and screen.conversation.turns == []
    with ConversationStore(data_dir()) as store:
        saved = store.load(old.id)
    assert [t.role for t in saved.turns] == ["user", "assistant"]
    assert saved.turns[1].status is TurnStatus.STOPPED and saved.turns[1].answer_text
