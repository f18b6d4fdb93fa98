"""The chat controller without any UI: the real SDK over loopback against the demo server, reports collected."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.support.controller import driver
from tui_chat.session import reports
from tui_chat.session.conversation import TurnStatus
from tui_chat.session.recording import ReplayChoice, find_recording
from tui_chat.session.store import ConversationStore


async def test_a_message_is_sent_streamed_saved_and_reported_in_order(tmp_path: Path) -> None:
    async with driver(tmp_path) as d:
        assert await d.controller.send("hello there")
        assert d.controller.busy
        await d.controller.wait()
        kinds = [type(r) for r in d.log if not isinstance(r, reports.SettingsChanged | reports.ContextChanged)]
        assert kinds == [reports.UserTurnAdded, reports.AnswerStarted, reports.AnswerEnded]
        answer = d.of(reports.AnswerEnded)[0].turn
        assert answer.status is TurnStatus.COMPLETE and answer.answer_text
        assert d.of(reports.AnswerEnded)[0].started
        assert not d.controller.busy
        conversation_id = d.controller.conversation.id
    with ConversationStore(tmp_path) as store:
        saved = store.load(conversation_id)
    assert [t.role for t in saved.turns] == ["user", "assistant"]
    assert saved.turns[1].answer_text == answer.answer_text


async def test_a_send_while_answering_is_refused_and_the_text_given_back() -> None:
    async with driver(pace=1) as d:
        await d.controller.send("a long answer please")
        assert not await d.controller.send("and another thing")
        assert d.of(reports.PromptText) == [reports.PromptText("and another thing")]
        assert "still answering" in d.notices()[0]
        assert [t.text for t in d.controller.conversation.turns if t.role == "user"] == ["a long answer please"]
        d.controller.stop()
        await d.controller.wait()


async def test_stop_keeps_the_partial_answer() -> None:
    async with driver(pace=1) as d:
        await d.controller.send("a long answer please")
        answer = d.controller.conversation.turns[-1]
        await d.until(lambda: len(answer.answer_text) > 20)
        assert d.controller.stop()
        await d.controller.wait()
        assert answer.status is TurnStatus.STOPPED
        assert len(answer.answer_text) > 20
        assert d.of(reports.AnswerEnded)[-1].turn is answer
        assert not d.controller.busy and not d.controller.stop()


async def test_stopped_before_the_stream_starts_ends_the_turn() -> None:
    async with driver() as d:
        await d.controller.send("hello")
        d.controller.stop()  # before the task took its first step
        await d.controller.wait()
        await asyncio.sleep(0)
        ended = d.of(reports.AnswerEnded)
        assert len(ended) == 1 and not ended[0].started
        assert ended[0].turn.status is TurnStatus.STOPPED
        assert not d.controller.busy


async def test_a_stream_that_cannot_be_built_fails_the_turn_clearly() -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("no transport")

    async with driver(stream_factory=broken) as d:
        await d.controller.send("hello")
        await d.controller.wait()
        ended = d.of(reports.AnswerEnded)[0]
        assert not ended.started and ended.turn.status is TurnStatus.FAILED
        assert ended.turn.error is not None and "no transport" in ended.turn.error.summary
        failure = [n for n in d.of(reports.Notice) if n.severity == "error"]
        assert failure and failure[0].title == "The answer failed"


async def test_retry_replaces_the_last_answer() -> None:
    async with driver() as d:
        await d.controller.send("hello")
        await d.controller.wait()
        first = d.controller.conversation.turns[-1]
        assert d.controller.retry()
        await d.controller.wait()
        assert d.of(reports.TurnsRemoved) == [reports.TurnsRemoved(frozenset({first.id}))]
        roles = [t.role for t in d.controller.conversation.turns]
        assert roles == ["user", "assistant"] and d.controller.conversation.turns[-1] is not first


async def test_edit_gives_the_message_back_and_sending_replaces_it_and_its_answer() -> None:
    async with driver() as d:
        await d.controller.send("first message")
        await d.controller.wait()
        user, answer = d.controller.conversation.turns
        assert d.controller.edit_last()
        assert d.of(reports.PromptText)[-1].text == "first message"
        await d.controller.send("first message, edited")
        await d.controller.wait()
        assert reports.TurnsRemoved(frozenset({user.id, answer.id})) in d.log
        texts = [t.text for t in d.controller.conversation.turns if t.role == "user"]
        assert texts == ["first message, edited"]


async def test_new_conversation_and_resume_the_last_one(tmp_path: Path) -> None:
    async with driver(tmp_path) as d:
        await d.controller.send("remember this")
        await d.controller.wait()
        saved_id = d.controller.conversation.id
        d.controller.new_conversation()
        assert d.of(reports.ConversationShown)[-1].opened is False
        assert d.controller.conversation.id != saved_id and not d.controller.conversation.turns
        await d.controller.resume("")
        shown = d.of(reports.ConversationShown)[-1]
        assert shown.opened and shown.conversation.id == saved_id
        assert d.controller.conversation.turns[0].text == "remember this"


async def test_a_replay_plays_a_recording_outside_the_history() -> None:
    async with driver() as d:
        recording = find_recording("hw-thinking-signature-pings")
        assert d.controller.start_replay(ReplayChoice(recording, 0, False))
        await d.controller.wait()
        answer = d.controller.conversation.turns[-1]
        assert answer.replay == recording.name and answer.status is TurnStatus.COMPLETE
        assert any(block.kind == "thinking" for block in answer.blocks)
        assert d.controller.conversation.api_messages() == []


async def test_the_ttft_experiment_reports_both_runs() -> None:
    async with driver() as d:
        assert d.controller.run_ttft("say hi")
        assert d.controller.busy and not d.controller.streaming
        await d.controller.wait()
        started, finished = d.of(reports.TtftStarted)[0], d.of(reports.TtftFinished)[0]
        assert started.key == finished.key and started.prompt == "say hi"
        assert finished.experiment.streaming.ttft is not None
        assert finished.experiment.non_streaming.total is not None
        assert d.controller.experiments == [finished.experiment]


async def test_export_and_copy_report_what_they_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    async with driver() as d:
        await d.controller.send("write a code example")
        await d.controller.wait()
        written = d.controller.export_markdown()
        assert written is not None and written.read_text(encoding="utf-8").startswith("#")
        assert any("saved to" in text for text in d.notices())
        d.controller.copy_last("code")
        copied = d.of(reports.CopyRequested)[-1]
        assert copied.what.startswith("the last code block") and copied.fallback is not None
        assert copied.fallback.read_text(encoding="utf-8") == copied.text
