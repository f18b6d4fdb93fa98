"""Drafts: the prompt's unsent text, kept per conversation across quitting, a kill and `--resume`."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.support.controller import driver
from tui_chat.session import reports
from tui_chat.session.controller import DRAFT_DELAY
from tui_chat.session.store import ConversationStore


def prompt_texts(log: list[reports.Report]) -> list[str]:
    return [report.text for report in log if isinstance(report, reports.PromptText)]


async def test_each_conversation_keeps_its_own_draft(tmp_path: Path) -> None:
    async with driver(tmp_path) as d:
        controller = d.controller
        controller.set_draft("first question, half")
        controller.set_draft("first question, half written")
        await asyncio.sleep(DRAFT_DELAY + 0.3)  # saved after a pause in typing, once
        with ConversationStore(tmp_path) as store:
            assert store.draft("") == "first question, half written"

        assert await controller.send("a question")  # sending takes the draft away
        await controller.wait()
        with ConversationStore(tmp_path) as store:
            assert store.draft("") == ""
        first = controller.conversation
        controller.set_draft("a follow-up I have not sent")

        controller.new_conversation()  # the pending draft is saved before the switch; the new one has none
        assert prompt_texts(d.log)[-1] == ""
        controller.set_draft("something for a new chat")
        controller.flush_draft()

        assert await controller.open_saved(first.id)
        assert prompt_texts(d.log)[-1] == "a follow-up I have not sent"
        controller.new_conversation()
        assert prompt_texts(d.log)[-1] == "something for a new chat"


async def test_an_unchanged_draft_writes_nothing(tmp_path: Path) -> None:
    async with driver(tmp_path) as d:
        controller = d.controller
        controller.restore_draft()
        controller.set_draft("")  # the prompt emptied by restoring: nothing to save
        assert controller._unsaved_draft is None
        controller.set_draft("x")
        controller.set_draft("")  # typed and deleted before the pause
        assert controller._unsaved_draft is None
