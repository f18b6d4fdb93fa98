"""The tool loop through the chat controller: the real SDK over loopback against the demo server, which
asks for a tool, reads the `tool_result` it is sent and answers with it. Approval, refusal, timeout, a tool
that raises, and Esc at each step; parallel calls; the round-trip cap; saved and resumed mid-loop."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tests.support.controller import answers, approval_request, driver, messages_bodies
from tui_chat.session import reports
from tui_chat.session.approval import Approval, Decision, approve_tools
from tui_chat.session.conversation import TurnStatus
from tui_chat.session.store import ConversationStore
from tui_chat.tools.base import Tool, ToolSpec
from tui_chat.tools.toolbox import Toolbox, ToolSettings


async def slow_tool(arguments: dict[str, Any]) -> str:
    await asyncio.sleep(float(arguments.get("seconds", 30)))
    return "woke up"


async def broken_tool(arguments: dict[str, Any]) -> str:
    raise RuntimeError("the tool's own bug")


SLOW = Tool(
    ToolSpec("nap", "Sleep, then answer.", {"type": "object", "properties": {"seconds": {"type": "number"}}}), slow_tool
)
BROKEN = Tool(ToolSpec("broken", "Always raises.", {"type": "object"}), broken_tool)


def toolbox(tmp: Path, *, timeout: float = 30.0, max_rounds: int = 10) -> Toolbox:
    return Toolbox(tmp, settings=ToolSettings(timeout=timeout, max_rounds=max_rounds), extra=[SLOW, BROKEN])


async def test_an_approved_call_runs_and_its_result_is_used_by_the_next_answer(tmp_path: Path) -> None:
    async with driver(tmp_path, toolbox=toolbox(tmp_path)) as d:
        assert await d.controller.set_tools("on")
        await d.controller.send("use a tool to calculate 6 * 7")
        request = await approval_request(d)
        assert (request.name, request.where, json.loads(request.input_json)) == (
            "calculator",
            "built-in",
            {"expression": "6 * 7"},
        )
        assert d.controller.busy and d.controller.awaiting_approval
        d.controller.answer_approval(Approval(Decision.RUN))
        await d.controller.wait()
        first, continuation = answers(d)
        assert first.metrics.stop_reason == "tool_use" and continuation.status is TurnStatus.COMPLETE
        assert "`calculator`** returned: 6 * 7 = 42" in continuation.answer_text
        assert (first.number, continuation.number, continuation.request_index) == (1, 1, 1)
        tool_turn = d.controller.conversation.turns[2]
        assert tool_turn.is_tool_results and tool_turn.blocks[0].decision == "approved"
        sent = messages_bodies(d)[-1]
        assert sent["messages"][-1]["content"][0]["type"] == "tool_result"
        assert [t["name"] for t in sent["tools"]] == [
            "current_time",
            "calculator",
            "list_files",
            "read_file",
            "nap",
            "broken",
        ]
        assert continuation.wire is not None and continuation.wire.request is not None
        assert continuation.wire.request.index == 1 and first.wire is not None and first.wire.request.index == 0  # type: ignore[union-attr]
        kinds = [
            type(r).__name__
            for r in d.log
            if isinstance(
                r, reports.AnswerStarted | reports.AnswerEnded | reports.ApprovalNeeded | reports.ToolsRunning
            )
        ]
        assert kinds == [
            "AnswerStarted",
            "AnswerEnded",
            "ApprovalNeeded",
            "ToolsRunning",
            "ToolsRunning",
            "ToolsRunning",
            "AnswerStarted",
            "AnswerEnded",
        ]
        conversation_id = d.controller.conversation.id
    with ConversationStore(tmp_path) as store:
        saved = store.load(conversation_id)
    assert [t.role for t in saved.turns] == ["user", "assistant", "tool", "assistant"]
    assert saved.turns[2].blocks[0].text == "6 * 7 = 42" and saved.turns[3].request_index == 1
    assert saved.api_messages() == d.controller.conversation.api_messages()


async def test_a_refused_call_sends_the_reason_the_model_reads(tmp_path: Path) -> None:
    async with driver(toolbox=toolbox(tmp_path)) as d:
        await d.controller.set_tools("on")
        await d.controller.send("tool: what time is it?")
        await approval_request(d)
        d.controller.answer_approval(Approval(Decision.REFUSE, "not before coffee"))
        await d.controller.wait()
        result = messages_bodies(d)[-1]["messages"][-1]["content"][0]
        assert result["is_error"] is True and "not before coffee" in result["content"]
        assert "You declined to run **`current_time`**" in answers(d)[-1].answer_text
        assert d.controller.conversation.turns[2].blocks[0].decision == "refused"


async def test_a_call_that_times_out_or_raises_is_an_error_result_and_the_loop_goes_on(tmp_path: Path) -> None:
    async with driver(toolbox=toolbox(tmp_path, timeout=0.3), approval=approve_tools()) as d:
        await d.controller.set_tools("on")
        await d.controller.send("tool nap for a while")
        await d.controller.wait()
        assert "did not finish within 0.3 seconds" in answers(d)[-1].answer_text
        await d.controller.send("tool broken please")
        await d.controller.wait()
        assert "failed: The tool failed: RuntimeError: the tool's own bug" in answers(d)[-1].answer_text
        await d.controller.send("tool calc 1 / 0")
        await d.controller.wait()
        assert "failed: Division by zero." in answers(d)[-1].answer_text
        results = [
            m for m in messages_bodies(d)[-1]["messages"] if m["role"] == "user" and isinstance(m["content"], list)
        ]
        assert all(block["is_error"] for m in results for block in m["content"] if block["type"] == "tool_result")


async def test_parallel_calls_are_asked_one_by_one_run_together_and_answered_together(tmp_path: Path) -> None:
    async with driver(toolbox=toolbox(tmp_path)) as d:
        await d.controller.set_tools("on")
        await d.controller.send("parallel tools, please")
        first = await approval_request(d)
        assert (first.name, first.position, first.count) == ("current_time", 1, 3)
        d.controller.answer_approval(Approval(Decision.ALWAYS))
        second = await approval_request(d, 2)
        assert second.name == "calculator"
        d.controller.answer_approval(Approval(Decision.RUN))
        third = await approval_request(d, 3)
        assert third.name == "list_files"
        d.controller.answer_approval(Approval(Decision.REFUSE))
        await d.controller.wait()
        (message,) = [m for m in messages_bodies(d)[-1]["messages"] if "tool_result" in json.dumps(m["content"])]
        assert [b["tool_use_id"][-2:] for b in message["content"]] == ["00", "01", "02"]
        assert [b.decision for b in d.controller.conversation.turns[2].blocks] == ["always", "approved", "refused"]
        await d.controller.send("what time is it now? use the tool")  # `always`: not asked again
        await d.controller.wait()
        assert len(d.of(reports.ApprovalNeeded)) == 3
        assert "`current_time`** returned:" in answers(d)[-1].answer_text


async def test_the_loop_is_capped_and_continue_goes_on(tmp_path: Path) -> None:
    async with driver(toolbox=toolbox(tmp_path, max_rounds=2), approval=approve_tools()) as d:
        await d.controller.set_tools("on")
        await d.controller.send("tool loop: time, forever")
        await d.controller.wait()
        assert len(answers(d)) == 3 and answers(d)[-1].tool_calls  # two round trips, then it stopped asking
        assert any("Stopped after 2 tool round trips" in n for n in d.notices())
        assert d.controller.conversation.unanswered_tool_calls
        assert d.controller.continue_tools()
        await d.controller.wait()
        assert len(answers(d)) == 5 and {t.number for t in answers(d)} == {1}


async def test_esc_while_the_first_answer_streams_asks_nothing(tmp_path: Path) -> None:
    async with driver(toolbox=toolbox(tmp_path), pace=1) as d:
        await d.controller.set_tools("on")
        await d.controller.send("tool: the time")
        await d.until(lambda: bool(answers(d)[0].answer_text))
        d.controller.stop()
        await d.controller.wait()
        assert answers(d)[0].status is TurnStatus.STOPPED and not d.of(reports.ApprovalNeeded)
        assert answers(d)[0].answer_text  # what had arrived is kept


async def test_esc_at_the_approval_runs_and_sends_nothing_and_continue_asks_again(tmp_path: Path) -> None:
    async with driver(tmp_path, toolbox=toolbox(tmp_path)) as d:
        await d.controller.set_tools("on")
        await d.controller.send("tool: the time")
        await approval_request(d)
        sent = len(messages_bodies(d))
        d.controller.answer_approval(Approval(Decision.STOP))
        await d.controller.wait()
        assert not d.controller.busy and len(messages_bodies(d)) == sent
        assert [t.role for t in d.controller.conversation.turns] == ["user", "assistant"]
        assert d.controller.conversation.unanswered_tool_calls
        conversation_id = d.controller.conversation.id
        assert await d.controller.open_saved(conversation_id)  # resumed: the loop is offered
        assert any("stopped in the middle of a tool loop" in n for n in d.notices())
        assert d.controller.continue_tools()
        await approval_request(d, 2)
        d.controller.answer_approval(Approval(Decision.RUN))
        await d.controller.wait()
        assert "`current_time`** returned:" in answers(d)[-1].answer_text


async def test_esc_while_the_tools_run_keeps_what_finished_and_continue_sends_it(tmp_path: Path) -> None:
    async with driver(toolbox=toolbox(tmp_path)) as d:
        await d.controller.set_tools("on")
        await d.controller.send("tool nap")
        await approval_request(d)
        d.controller.answer_approval(Approval(Decision.RUN))
        await d.until(lambda: bool(d.of(reports.ToolsRunning)))
        await asyncio.sleep(0.1)
        d.controller.stop()
        await d.controller.wait()
        tool_turn = d.controller.conversation.turns[-1]
        assert tool_turn.is_tool_results and tool_turn.blocks[0].decision == "stopped"
        assert d.of(reports.ToolsRunning)[-1].done
        assert d.controller.continue_tools()
        await d.controller.wait()
        assert "Stopped by the user before it finished." in answers(d)[-1].answer_text


async def test_esc_during_the_continuation_keeps_its_partial_text(tmp_path: Path) -> None:
    async with driver(toolbox=toolbox(tmp_path), pace=1, approval=approve_tools()) as d:
        await d.controller.set_tools("on")
        await d.controller.send("tool: calculate 2 + 2")
        await d.until(lambda: len(answers(d)) == 2 and bool(answers(d)[1].answer_text))
        d.controller.stop()
        await d.controller.wait()
        continuation = answers(d)[1]
        assert continuation.status is TurnStatus.STOPPED and continuation.answer_text
        assert d.controller.can_retry  # ctrl+r asks for the continuation again, with the same results


async def test_tools_turned_off_keep_the_history_valid_and_calls_are_not_run(tmp_path: Path) -> None:
    async with driver(toolbox=toolbox(tmp_path), approval=approve_tools()) as d:
        await d.controller.set_tools("on")
        await d.controller.send("tool: the time")
        await d.controller.wait()
        assert await d.controller.set_tools("off")
        await d.controller.send("thanks")
        await d.controller.wait()
        body = messages_bodies(d)[-1]
        assert [t["name"] for t in body["tools"]] == ["current_time"]  # only what the history used
        assert answers(d)[-1].status is TurnStatus.COMPLETE


async def test_a_draft_after_a_loop_is_counted_with_the_tools_its_history_needs(tmp_path: Path) -> None:
    async with driver(toolbox=toolbox(tmp_path), approval=approve_tools()) as d:
        await d.controller.set_tools("on")
        await d.controller.send("tool: calc 2 + 2")
        await d.controller.wait()
        assert (await d.controller.count_draft("and then?")).source == "counted"
        await d.controller.set_tools("off")
        assert (await d.controller.count_draft("and then?")).source == "counted"
        counted = [r.body for r in d.controller.backend.demo.server.requests if r.path.endswith("count_tokens")]  # type: ignore[union-attr]
        assert [t["name"] for t in counted[-1]["tools"]] == ["calculator"]
