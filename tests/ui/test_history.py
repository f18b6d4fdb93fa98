"""History in the app: turns saved as they stream, `--continue` and `--resume` (after a kill too), the saved
conversations (ctrl+l), a replay listed as one, a damaged database opened."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.app import SIZE, chat, demo_app, screen_text, type_prompt, wait_for_turn_end
from tests.support.paths import REPO
from tests.support.pty import PtyApp, demo_env
from tests.support.requests import unmarked
from tests.support.store import damaged_database
from tui_chat.app import ClaudeTUI
from tui_chat.config import Settings, data_dir
from tui_chat.demo.server import DemoServer
from tui_chat.screens.conversation_list import ConfirmScreen, ConversationListScreen, RenameScreen
from tui_chat.session.backend import Backend
from tui_chat.session.conversation import TurnStatus
from tui_chat.session.store import DB_FILENAME, INTERRUPTED_KIND, ConversationStore


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
        original = chat(app).conversation
        expected_history = original.api_messages()

    with ConversationStore(data_dir()) as store:
        assert store.last_id() == original.id
        saved = store.load(original.id)
    assert [t.role for t in saved.turns] == ["user", "assistant", "user", "assistant"]
    assert saved.api_messages() == expected_history

    app, server = resume_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        screen = chat(app)
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
        screen = chat(app)
        partial = screen.conversation.turns[-1]
        assert partial.error is not None and partial.error.kind == INTERRUPTED_KIND
        shown = screen_text(app)
        assert "interrupted" in shown and "checkpoint" in shown
        await type_prompt(pilot, "go on")
        await wait_for_turn_end(pilot, 2)
        history = server.requests[-1].body["messages"]
        assert [m["role"] for m in history] == ["user", "assistant", "user"]
        assert history[1]["content"][0]["text"] == partial.answer_text.rstrip()


async def test_conversation_list_opens_renames_and_deletes() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
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


async def test_switching_conversation_while_an_answer_ends_saves_it_where_it_belongs() -> None:
    app, _ = demo_app(pace=0.5)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
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


async def test_a_replay_is_listed_as_one_and_continue_passes_it_by() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "my own question")
        await wait_for_turn_end(pilot, 1)
        mine = chat(app).conversation.id
    app, _server = demo_app(replay="hw-thinking-signature-pings", replay_speed=0.0)  # `claude-tui replay NAME`
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_turn_end(pilot, 1)
        replay = chat(app).conversation.id
    with ConversationStore(data_dir()) as store:
        summaries = store.list_conversations()
        assert [(s.id, s.replay) for s in summaries] == [(replay, True), (mine, False)]
        assert summaries[0].model == "claude-opus-5-5"  # the recording's model, not the default one
        assert store.last_id() == mine
    app, _server = demo_app(resume="")  # `claude-tui --continue`
    async with app.run_test(size=SIZE) as pilot:
        async with asyncio.timeout(10):
            while chat(app).conversation.id != mine:
                await pilot.pause(0.05)
        await pilot.press("ctrl+l")
        await pilot.pause(0.3)
        listed = screen_text(app)
        assert "replay of a recording by claude-opus-5-5" in listed


@pytest.mark.parametrize("how", ["ctrl+l", "--continue"])
async def test_the_app_opens_a_damaged_conversation(how: str) -> None:
    damaged_id, _ = damaged_database(data_dir())
    db = sqlite3.connect(data_dir() / DB_FILENAME)
    with db:  # the damaged one is the newest, so --continue opens it
        db.execute("UPDATE conversations SET updated = '9999' WHERE id = ?", (damaged_id,))
    db.close()
    settings = Settings(demo=True, resume="" if how == "--continue" else None)
    app = ClaudeTUI(settings, backend=Backend(settings, demo_server=DemoServer(pace=0)))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause(0.2)
        screen = chat(app)
        if how == "ctrl+l":
            await pilot.press("ctrl+l")
            await pilot.pause(0.2)
            assert isinstance(app.screen, ConversationListScreen)
            assert "date unknown" in screen_text(app)
            await pilot.press("enter")  # the damaged one is listed first
        for _ in range(50):
            if screen.conversation.id == damaged_id and not screen.view.busy:
                break
            await pilot.pause(0.1)
        assert screen.conversation.id == damaged_id
        assert len(screen.conversation.turns) == 8
        shown = screen_text(app)
        assert "Could not be read from the database" in shown
        assert "Not all of this conversation could be read" in shown  # the notification
