"""A draft survives a kill of the app and comes back with `--resume` (a real pty)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.support.pty import PtyApp, demo_env
from tui_chat.session.controller import DRAFT_DELAY
from tui_chat.session.store import ConversationStore


def test_a_draft_survives_a_kill_and_comes_back_with_resume(tmp_path: Path) -> None:
    env = demo_env(tmp_path)
    app = PtyApp("--demo", env=env)
    try:
        assert app.wait_for(b"DEMO", 20)
        app.send("hello")
        assert app.wait_for(b"input tokens)", 30)
        app.write("words for later")
        time.sleep(DRAFT_DELAY + 1.0)  # a pause in typing: saved
        app.kill(signal.SIGKILL)  # no chance to save anything at exit
    finally:
        app.close()
    with ConversationStore(tmp_path) as store:
        conversation_id = store.last_id()
        assert conversation_id is not None
        assert store.draft(conversation_id) == "words for later"

    fresh = PtyApp("--demo", env=env)  # a new conversation: not that draft
    try:
        assert fresh.wait_for(b"DEMO", 20)
        time.sleep(1.0)
        assert b"words for later" not in fresh.output
    finally:
        fresh.close()

    resumed = PtyApp("--demo", "--resume", conversation_id, env=env)
    try:
        assert resumed.wait_for(b"words for later", 20)
        resumed.write(" and more", delay=0.005)
        resumed.quit()  # saved at quit, without waiting for a pause
    finally:
        resumed.close()
    with ConversationStore(tmp_path) as store:
        assert store.draft(conversation_id) == "words for later and more"
