"""Every failure mode through the real SDK over loopback: the partial answer stays, the turn says what
happened, ctrl+r asks again, and the app stays usable."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rich.cells import cell_len

from tests.support.app import SIZE, chat, demo_app, flat, last, messages_of, screen_text, type_prompt, wait_for_turn_end
from tests.support.requests import unmarked
from tests.support.sse import fixture_bytes, one_block_stream
from tui_chat.demo.server import DemoServer, Recording
from tui_chat.messages import RetryScheduled
from tui_chat.session.conversation import TurnStatus
from tui_chat.session.export import conversation_to_markdown
from tui_chat.stream.types import ErrorInfo


async def still_usable(pilot: Any, server: DemoServer, answers: int) -> None:
    """After a failure: ctrl+r asks again (a new request), and a new prompt works too."""
    before = len(server.requests)
    await pilot.press("ctrl+r")
    await wait_for_turn_end(pilot, answers)
    assert len(server.requests) > before
    await type_prompt(pilot, "hello again")
    await wait_for_turn_end(pilot, answers + 1)
    assert last(pilot.app).status is TurnStatus.COMPLETE


@pytest.mark.parametrize(
    ("prompt", "status", "kind", "partial"),
    [
        ("error please", TurnStatus.FAILED, "overloaded_error", "This answer starts normally"),
        ("drop it", TurnStatus.FAILED, "connection dropped", "This answer streams for a while"),
        ("incomplete", TurnStatus.INCOMPLETE, "incomplete", "This answer ends cleanly"),
    ],
)
async def test_failures_mid_stream(prompt: str, status: TurnStatus, kind: str, partial: str) -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, prompt)
        await wait_for_turn_end(pilot)
        turn = last(app)
        assert turn.status is status
        assert turn.error is not None and turn.error.kind == kind
        assert turn.answer_text.startswith(partial)  # the partial answer is kept
        shown = screen_text(app)
        assert kind in shown and "ctrl+r" in shown
        if kind == "overloaded_error":
            assert turn.error.request_id and turn.error.request_id in shown
        await still_usable(pilot, server, 1)


async def test_stalled_server_times_out() -> None:
    app, _server = demo_app(read_timeout=0.6)
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "stall")
        await wait_for_turn_end(pilot)
        turn = last(app)
        assert turn.status is TurnStatus.FAILED and turn.error is not None
        assert turn.error.kind == "timeout"
        assert turn.answer_text.startswith("This answer streams a little")
        assert "read timeout" in screen_text(app)
        await type_prompt(pilot, "hi")
        await wait_for_turn_end(pilot, 2)


async def test_malformed_json_is_an_error_in_the_turn() -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        body = (
            fixture_bytes("sdk-basic-text.sse")
            .replace(b'"text":" there"', b'"text":" there"', 1)
            .replace(b"event: content_block_stop\ndata: {", b"event: content_block_stop\ndata: {{not json", 1)
        )
        server.queue_recording(Recording(body))
        await type_prompt(pilot, "x")
        await wait_for_turn_end(pilot)
        turn = last(app)
        assert turn.status is TurnStatus.FAILED and turn.error is not None
        assert turn.error.kind == "bad frame"
        assert turn.answer_text == "Hello there!"
        await type_prompt(pilot, "hi")
        await wait_for_turn_end(pilot, 2)
        assert last(app).status is TurnStatus.COMPLETE


async def test_retries_are_shown_with_a_countdown_and_succeed() -> None:
    app, _server = demo_app()
    notices: list[RetryScheduled] = []

    def hook(message: Any) -> None:
        notices.extend(m for m in messages_of(message) if isinstance(m, RetryScheduled))

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await type_prompt(pilot, "429")
        async with asyncio.timeout(10):
            while "Retrying in" not in screen_text(app):
                await pilot.pause(0.05)
        assert "Attempt 1 of 3 failed" in screen_text(app)
        await wait_for_turn_end(pilot)
        turn = last(app)
        assert turn.status is TurnStatus.COMPLETE
        assert len(turn.retries) == 2 and turn.metrics.attempts == 3
        assert len({id(n) for n in notices}) >= 2
        assert "Retrying" not in screen_text(app)  # the countdown is gone once the answer streams


async def test_escape_cancels_the_retry_countdown() -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
        server.queue_error(529, error, {"retry-after": "30"})
        await type_prompt(pilot, "x")
        async with asyncio.timeout(10):
            while "Retrying in" not in screen_text(app):
                await pilot.pause(0.05)
        started = asyncio.get_running_loop().time()
        await pilot.press("escape")
        await wait_for_turn_end(pilot)
        assert asyncio.get_running_loop().time() - started < 2  # not 30 s
        assert last(app).status is TurnStatus.STOPPED
        assert len(server.requests) == 1


async def test_a_long_retry_after_is_not_waited_for() -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        error = {"type": "error", "error": {"type": "rate_limit_error", "message": "Slow down"}}
        server.queue_error(429, error, {"retry-after": "3600"})
        await type_prompt(pilot, "x")
        await wait_for_turn_end(pilot)
        turn = last(app)
        assert turn.status is TurnStatus.FAILED and turn.error is not None
        assert "3,600 s" in turn.error.summary
        assert len(server.requests) == 1
        assert "3,600 s" in screen_text(app)


@pytest.mark.parametrize(
    ("status", "error_type", "message", "shown"),
    [
        (401, "authentication_error", "invalid x-api-key", "ANTHROPIC_API_KEY"),
        (400, "invalid_request_error", "messages.0.content: text too long", "text too long"),
        (413, "request_too_large", "Request exceeds the maximum size", "too large"),
        (404, "not_found_error", "model: claude-nope", "Models available to this key"),
    ],
)
async def test_http_errors_say_what_to_do(status: int, error_type: str, message: str, shown: str) -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        body = {"type": "error", "error": {"type": error_type, "message": message}, "request_id": "req_x"}
        server.queue_error(status, body)
        await type_prompt(pilot, "x")
        await wait_for_turn_end(pilot)
        turn = last(app)
        assert turn.status is TurnStatus.FAILED and turn.error is not None
        assert turn.error.status == status
        assert len([r for r in server.requests if r.path == "/v1/messages"]) == 1  # never retried
        async with asyncio.timeout(5):
            while shown not in screen_text(app):
                await pilot.pause(0.05)
        await type_prompt(pilot, "hi")
        await wait_for_turn_end(pilot, 2)


async def test_unknown_model_from_the_flag_gets_the_list() -> None:
    app, _server = demo_app(model="gpt-nope")
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "x")
        await wait_for_turn_end(pilot)
        async with asyncio.timeout(5):
            while "claude-haiku-5-5" not in screen_text(app):
                await pilot.pause(0.05)


async def test_empty_prompt_is_ignored_and_a_huge_one_is_sent_with_a_warning() -> None:
    app, server = demo_app(model="claude-haiku-4-5")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = chat(app)
        await pilot.press("space", "space", "enter")
        await pilot.pause(0.1)
        assert screen.conversation.turns == [] and not server.requests

        huge = "Lorem ipsum dolor sit amet. " * 40_000  # ~1.1 MB, ~280K tokens > 200K
        screen.prompt.text = huge
        started = asyncio.get_running_loop().time()
        await pilot.press("enter")
        await wait_for_turn_end(pilot)
        assert asyncio.get_running_loop().time() - started < 10
        assert unmarked(server.requests[-1].body["messages"])[0]["content"] == huge  # sent in full
        assert "will probably refuse it" in screen_text(app)
        from tui_chat.render.sections import UserSection

        shown_message = next(s.text for s in screen.view.sections if isinstance(s, UserSection))
        assert "more characters (all of it was sent" in shown_message
        assert len(shown_message) < 10_000  # a megabyte is not laid out on screen


async def test_cjk_and_emoji_keep_their_widths() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await type_prompt(pilot, "日本語で")
        await wait_for_turn_end(pilot)
        await pilot.pause(0.2)
        lines = app.screen._compositor.render_strips()
        assert all(strip.cell_length == SIZE[0] for strip in lines)
        text = "\n".join(strip.text for strip in lines)
        assert "🎉" in text or "ストリーミング" in text
        assert all(cell_len(strip.text) == SIZE[0] for strip in lines)


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_small_terminals_and_resizing_mid_stream(size: tuple[int, int]) -> None:
    app, _server = demo_app(pace=0.3)
    async with app.run_test(size=size) as pilot:
        await type_prompt(pilot, "long")
        async with asyncio.timeout(10):
            while not last(app).answer_text:
                await pilot.pause(0.05)
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.2)
        await pilot.resize_terminal(*size)
        await pilot.press("f2")
        await wait_for_turn_end(pilot)
        turn = last(app)
        assert turn.status is TurnStatus.COMPLETE
        shown = screen_text(app)
        for must in ("TTFT", "DEMO", "message_stop", "Ask Claude"):
            assert must in shown, must


@pytest.mark.parametrize("shape", ["one-megabyte-answer", "one-100k-character-line"])
async def test_huge_answers_render_and_the_app_goes_on(shape: str) -> None:
    if shape == "one-megabyte-answer":
        paragraph = "A long answer, paragraph after paragraph, each with plenty of words to wrap. " * 12 + "\n\n"
        pieces = [paragraph[i : i + 200] for i in range(0, len(paragraph), 200)] * (1_000_000 // len(paragraph))
    else:
        line = "x" * 100_000
        pieces = [line[i : i + 1000] for i in range(0, len(line), 1000)]
    app, server = demo_app()
    server.queue_recording(Recording(one_block_stream(pieces, start_usage={"input_tokens": 1, "output_tokens": 1})))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await type_prompt(pilot, "x")
        async with asyncio.timeout(60):
            await wait_for_turn_end(pilot)
        turn = last(app)
        assert turn.status is TurnStatus.COMPLETE
        assert turn.answer_text == "".join(pieces)
        assert "message_stop" in screen_text(app)
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 2)
        assert last(app).status is TurnStatus.COMPLETE


async def test_ctrl_c_stops_an_answer_and_does_not_quit() -> None:
    app, _server = demo_app(pace=1.0)
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "long")
        async with asyncio.timeout(10):
            while not last(app).answer_text:
                await pilot.pause(0.05)
        await pilot.press("ctrl+c")
        await wait_for_turn_end(pilot)
        assert last(app).status is TurnStatus.STOPPED
        assert app.is_running
        await pilot.press("ctrl+c")  # nothing streaming: a hint, not an exit
        await pilot.pause(0.1)
        assert app.is_running


async def test_an_http_error_says_its_status_once_and_a_gateway_400_mentions_the_key() -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        body = {"error": {"message": "No connected db.", "type": "invalid_request_error", "param": None, "code": "400"}}
        server.queue_error(400, body)
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        lines = "\n".join(chat(app).view.lines_text())
        assert "✗ HTTP 400 invalid_request_error: No connected db." in lines
        assert "HTTP 400 — HTTP 400" not in lines
        assert "did not accept the API key" in flat(lines)  # a 400 from a gateway: the key may be why
        document = conversation_to_markdown(chat(app).conversation)
        assert "> **Failed:** HTTP 400 invalid\\_request\\_error: No connected db." in document
    overloaded = ErrorInfo(kind="overloaded_error", summary="The stream reported overloaded_error: Overloaded")
    assert overloaded.headline == "The stream reported overloaded_error: Overloaded"
    assert ErrorInfo(kind="timeout", summary="No data.").headline == "timeout — No data."
