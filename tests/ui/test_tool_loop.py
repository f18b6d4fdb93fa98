"""The tool loop in the app (Pilot): the approval prompt's keys, a reason typed with y/a/n in it, keys typed
just as the prompt opens, Esc at the prompt and /continue; the loop's results, requests and metrics shown."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.pilot import Pilot

from tests.support.app import SIZE, demo_app, last, screen_text, type_prompt, wait_for_turn_end
from tests.support.controller import driver
from tui_chat.controls import RequestControls
from tui_chat.screens.approval import ApprovalScreen
from tui_chat.screens.chat import ChatScreen
from tui_chat.session.conversation import TurnStatus


async def approval_prompt(pilot: Pilot[Any], *, armed: bool = True) -> ApprovalScreen:
    async with asyncio.timeout(20):
        while not isinstance(pilot.app.screen, ApprovalScreen):
            await pilot.pause(0.02)
    screen = pilot.app.screen
    assert isinstance(screen, ApprovalScreen)
    if armed:
        await pilot.pause(screen.arming_delay + 0.1)
    return screen


def chat_of(pilot: Pilot[Any]) -> ChatScreen:
    screen = pilot.app.screen_stack[1]
    assert isinstance(screen, ChatScreen)
    return screen


async def test_y_runs_the_call_and_the_loop_shows_its_results_requests_and_summed_metrics() -> None:
    app, server = demo_app(controls=RequestControls(tools=True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await type_prompt(pilot, "tool: calc 6 * 7")
        prompt = await approval_prompt(pilot)
        assert "calculator" in screen_text(app) and '"expression": "6 * 7"' in screen_text(app)
        assert prompt.request.where == "built-in"
        await pilot.press("y")
        await wait_for_turn_end(pilot, 2)
        chat = chat_of(pilot)
        shown = " ".join(" ".join(chat.view.lines_text()).split())
        assert "calculator · approved" in shown and "6 * 7 = 42" in shown
        assert "continued with the tool results (request 2)" in shown
        assert "requests 2" in screen_text(app)
        rows = [row for row in chat.inspector.rows if row.requesting]
        assert [row.request.index for row in rows if row.request is not None] == [0, 1]
        assert any("stop_reason tool_use, 1 tool call to answer" in row.note for row in chat.inspector.rows)
        body = server.requests[-1].body
        assert body["messages"][-1]["content"][0]["type"] == "tool_result"


async def test_n_takes_a_reason_typed_with_y_and_a_in_it_and_claude_reads_it() -> None:
    app, server = demo_app(controls=RequestControls(tools=True))
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "tool: what time is it?")
        await approval_prompt(pilot)
        await pilot.press("n")
        await pilot.press(*"not today, any way")  # y, a and n typed into the reason: none of them decides
        assert isinstance(app.screen, ApprovalScreen)
        await pilot.press("enter")
        await wait_for_turn_end(pilot, 2)
        result = server.requests[-1].body["messages"][-1]["content"][0]
        assert result["is_error"] and "not today, any way" in result["content"]
        assert "current_time · refused" in screen_text(app)


async def test_keys_typed_as_the_prompt_opens_are_ignored_and_the_prompt_text_stays() -> None:
    app, _ = demo_app(controls=RequestControls(tools=True))
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "tool: what time is it?")
        chat = chat_of(pilot)
        await pilot.press(*"draft")  # the next message, typed as the prompt opens (before it, or into it)
        await approval_prompt(pilot, armed=False)
        draft = chat.prompt.text
        await pilot.press("y", "a", "n")  # still typing: not a decision
        await pilot.pause(0.2)
        assert isinstance(app.screen, ApprovalScreen) and not app.screen.has_class("-refusing")
        assert "keys count in a moment" in screen_text(app)
        await pilot.pause(app.screen.arming_delay + 0.1)
        await pilot.press("a")
        await wait_for_turn_end(pilot, 2)
        assert chat.prompt.text == draft  # nothing typed in the approval prompt reached the message
        assert chat.conversation.always_allowed == {"current_time"}


async def test_esc_at_the_prompt_stops_and_continue_asks_again() -> None:
    app, server = demo_app(controls=RequestControls(tools=True))
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "tool: what time is it?")
        await approval_prompt(pilot)
        sent = len(server.requests)
        await pilot.press("n", "escape")  # Esc in the reason box goes back to the choice…
        assert isinstance(app.screen, ApprovalScreen) and not app.screen.has_class("-refusing")
        await pilot.press("escape")  # …and Esc there stops the turn
        chat = chat_of(pilot)
        async with asyncio.timeout(10):
            while chat.controller.busy:
                await pilot.pause(0.05)
        assert app.screen is chat and len(server.requests) == sent
        await type_prompt(pilot, "/continue")
        await approval_prompt(pilot)
        await pilot.press("y")
        await wait_for_turn_end(pilot, 2)
        assert "current_time · approved" in screen_text(app)


async def test_tools_lists_the_tools_and_toggles_them() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "/tools")
        async with asyncio.timeout(10):
            while "Tools in this conversation" not in screen_text(app):
                await pilot.pause(0.05)
        text = screen_text(app)
        assert "off" in text and "read_file" in text and "No MCP server configured" in text
        await pilot.press("escape")
        await type_prompt(pilot, "/tools on")
        chat = chat_of(pilot)
        async with asyncio.timeout(10):
            while not chat.conversation.controls.tools:
                await pilot.pause(0.05)
        assert "tools" in screen_text(app)  # the top bar names it


async def test_a_resumed_conversation_shows_its_loop_and_offers_to_continue_it() -> None:
    from tui_chat.config import data_dir
    from tui_chat.session import reports
    from tui_chat.session.approval import Approval, Decision

    async with driver(data_dir()) as d:
        await d.controller.set_tools("on")
        await d.controller.send("tool: calc 6 * 7")
        await d.until(lambda: bool(d.of(reports.ApprovalNeeded)))
        d.controller.answer_approval(Approval(Decision.RUN))
        await d.controller.wait()
        await d.controller.send("tool: what time is it?")
        await d.until(lambda: len(d.of(reports.ApprovalNeeded)) == 2)
        d.controller.answer_approval(Approval(Decision.STOP))
        await d.controller.wait()
    app, _ = demo_app(resume="")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        chat = chat_of(pilot)
        async with asyncio.timeout(10):
            while len(chat.conversation.turns) < 6 or chat.view.busy:
                await pilot.pause(0.05)
        await pilot.pause(0.2)
        shown = " ".join(" ".join(chat.view.lines_text()).split())
        assert "calculator · approved" in shown and "6 * 7 = 42" in shown
        assert "continued with the tool results (request 2)" in shown
        assert "A tool loop to continue" in screen_text(app)
        assert [row.request.index for row in chat.inspector.rows if row.request is not None] == [0, 1, 0]
        await type_prompt(pilot, "/continue")
        await approval_prompt(pilot)
        await pilot.press("y")
        await wait_for_turn_end(pilot, 4)
        assert "current_time · approved" in " ".join(" ".join(chat.view.lines_text()).split())


async def test_a_scenario_word_right_after_a_tool_call_is_honoured() -> None:
    """A message sent after an answer that ended with a tool call still unanswered (stopped at its approval)
    gets that call answered ("not run") and its own words honoured by the demo server."""
    from tui_chat.screens.approval import ApprovalScreen

    async def stop_at_the_approval() -> None:
        async with asyncio.timeout(20):
            while not isinstance(app.screen, ApprovalScreen):
                await pilot.pause(0.02)
        approval = app.screen
        assert isinstance(approval, ApprovalScreen)
        await pilot.pause(approval.arming_delay + 0.1)
        await pilot.press("escape")  # stop: nothing is run, nothing sent

    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "/tools on")
        await type_prompt(pilot, "use a tool")
        await stop_at_the_approval()
        await wait_for_turn_end(pilot, 1)
        assert last(app).metrics.stop_reason == "tool_use"
        await type_prompt(pilot, "trigger an error please")
        await wait_for_turn_end(pilot, 2)
        answer = last(app)
        sent = server.requests[-1].body["messages"][-1]["content"]
        assert [block["type"] for block in sent] == ["tool_result", "text"]  # the call was answered
        assert answer.status is TurnStatus.FAILED and answer.error is not None
        assert answer.error.kind == "overloaded_error"
