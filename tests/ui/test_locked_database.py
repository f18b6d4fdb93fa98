"""A locked database never stalls the app and never loses a turn: the screen says it waits, then that it saved."""

from __future__ import annotations

import asyncio
import threading
import time

from tests.support.app import SIZE, chat, demo_app, screen_text, type_prompt, wait_for_turn_end
from tests.support.store import locked, stored, stored_turns, take_lock
from tui_chat.bench.probe import LoopMonitor
from tui_chat.config import data_dir
from tui_chat.session.conversation import TurnStatus
from tui_chat.session.store import ConversationStore


async def wait_for(check: object, pilot: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(check) and check():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_lock_taken_mid_session_stalls_nothing_and_loses_nothing() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = chat(app)
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        monitor = LoopMonitor()
        monitor.start()
        with locked(data_dir()):
            await type_prompt(pilot, "during the lock")
            await wait_for_turn_end(pilot, 2)
            assert await wait_for(lambda: "waiting for the database lock" in screen_text(app), pilot)
            await pilot.press("x", "y")
            assert screen.prompt.text.endswith("xy")  # keys are handled while the writes wait
        conversation_id = screen.conversation.id
        assert await wait_for(lambda: stored_turns(data_dir(), conversation_id) == 4, pilot)
        assert await wait_for(lambda: "Saved: the database is free again" in screen_text(app), pilot)
        await monitor.stop()
        assert monitor.max_stall < 2.0  # (the store's 5 s busy timeout used to stall the UI for each save)
        saved = stored(data_dir(), conversation_id)
        assert [turn.role for turn in saved.turns] == ["user", "assistant"] * 2
        assert saved.turns[3].status is TurnStatus.COMPLETE
        assert saved.turns[3].answer_text == screen.conversation.turns[3].answer_text


async def test_a_lock_held_at_start_is_waited_for() -> None:
    ConversationStore(data_dir()).close()
    lock = take_lock(data_dir())
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        lock.execute("ROLLBACK")
        lock.close()
        conversation_id = screen.conversation.id
        assert await wait_for(lambda: stored_turns(data_dir(), conversation_id) == 2, pilot)
        saved = stored(data_dir(), conversation_id)
        assert [turn.role for turn in saved.turns] == ["user", "assistant"]
        assert saved.turns[1].answer_text == screen.conversation.turns[1].answer_text


async def test_quitting_waits_a_little_and_says_what_could_not_be_saved() -> None:
    ConversationStore(data_dir()).close()
    app, _server = demo_app()
    with locked(data_dir()):
        async with app.run_test(size=SIZE) as pilot:
            await type_prompt(pilot, "hello")
            await wait_for_turn_end(pilot, 1)
            started = time.monotonic()
        assert time.monotonic() - started < 10.0
    assert getattr(app, "exit_notes", None) and "could not be saved" in app.exit_notes[0]


async def test_quitting_saves_what_lands_while_it_waits() -> None:
    ConversationStore(data_dir()).close()
    lock = take_lock(data_dir())
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        conversation_id = screen.conversation.id

        def release() -> None:
            time.sleep(0.5)
            lock.execute("ROLLBACK")
            lock.close()

        threading.Thread(target=release).start()
    assert getattr(app, "exit_notes", None) == []
    assert stored_turns(data_dir(), conversation_id) == 2
