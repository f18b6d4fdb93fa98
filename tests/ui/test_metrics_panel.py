"""The metrics pane: token counts as the best one known, estimates marked, rate limits of any size, the sparkline's
redraws, a reopened conversation's last answer."""

from __future__ import annotations

import asyncio
import time

from tests.support.app import SIZE, chat, demo_app, last, metrics_text, type_prompt, wait_for_turn_end
from tests.support.sse import one_block_stream
from tui_chat.demo.server import Recording
from tui_chat.screens.chat import ChatScreen
from tui_chat.session.conversation import TurnStatus
from tui_chat.session.export import conversation_to_markdown


async def test_a_failed_turn_counts_its_output_by_estimate_everywhere() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "trigger an error please")
        await wait_for_turn_end(pilot, 1)
        turn = last(app)
        assert turn.status is TurnStatus.FAILED
        estimate = round(turn.metrics.streamed_chars / 4)
        assert estimate > 1 and turn.metrics.output_tokens == 1  # message_start's placeholder
        assert turn.metrics.output_count == (estimate, True)
        text = metrics_text(app)
        assert f"out ~{estimate:,}" in text and "out 1 " not in text
        assert f"session turns 1 · in {turn.metrics.input_count:,} · out ~{estimate:,}" in text
        assert f"~{estimate:,} out" in conversation_to_markdown(chat(app).conversation)
        await pilot.press("f3")
        await pilot.pause(0.2)
        table = app.screen.query_one("#turn-table")
        row = [str(cell) for cell in table.get_row_at(0)]  # type: ignore[attr-defined]
        assert f"~{estimate:,}" in row and str(turn.metrics.input_count) in row


async def test_a_gateway_that_zeroes_message_start_shows_no_false_zero() -> None:
    """A Messages-API gateway in front of a local model: message_start says 0 and 0, only
    message_delta has the counts (and a stopped or failed turn never gets one)."""
    app, server = demo_app()
    zero = {"input_tokens": 0, "output_tokens": 0}
    pieces = [f"word{n} " for n in range(60)]
    async with app.run_test(size=SIZE) as pilot:
        server.queue_recording(Recording(one_block_stream(pieces, start_usage=zero, ending="error")))
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        failed = last(app)
        assert failed.status is TurnStatus.FAILED
        text = metrics_text(app)
        estimate = round(failed.metrics.streamed_chars / 4)
        assert "in — · out ~" in text and f"out ~{estimate:,}" in text
        assert "in 0" not in text and "out 0" not in text

        server.queue_recording(
            Recording(one_block_stream(pieces, start_usage=zero, delta_usage={"input_tokens": 25, "output_tokens": 60}))
        )
        await type_prompt(pilot, "again")
        await wait_for_turn_end(pilot, 2)
        text = metrics_text(app)
        assert "in 25 · out 60" in text


async def test_a_reopened_conversation_shows_its_last_answers_metrics() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        output = last(app).metrics.output_tokens
    app, _server = demo_app(resume="")
    async with app.run_test(size=SIZE) as pilot:
        async with asyncio.timeout(10):
            while not chat(app).conversation.turns:
                await pilot.pause(0.05)
        await pilot.pause(0.1)
        text = metrics_text(app)
        assert "No request yet." not in text
        assert f"out {output:,}" in text and "stop end_turn" in text and "session turns 1" in text


def test_rate_limit_headers_of_any_size_are_shown_without_failing() -> None:
    """Rate-limit counts get thousands separators; a hostile 5,000-digit one (past Python's int
    conversion limit) is shown as it came, not turned into an exception in the metrics pane."""
    from tui_chat.session.conversation import Conversation
    from tui_chat.widgets.metrics_panel import MetricsPanel

    conversation = Conversation(model="m")
    conversation.add_user("q")
    turn = conversation.start_assistant()
    turn.metrics.rate_limits.update({"requests": "399000", "tokens": "9" * 5000})
    panel = MetricsPanel(conversation)
    panel.turn = turn
    text = panel.render_metrics(time.perf_counter()).plain
    assert "requests left 399,000" in text
    assert "tokens left " + "9" * 5000 in text


async def test_sparkline_redrawn_every_two_seconds_while_streaming_and_at_the_end() -> None:
    from tui_chat.widgets.metrics_panel import SPARK_INTERVAL, SPARK_POINTS

    app, _server = demo_app(pace=0.3)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        spark = screen.metrics._spark
        await type_prompt(pilot, "long")
        while not screen.streaming:
            await pilot.pause(0.01)
        started, changes, last = time.monotonic(), 0, spark.data
        while screen.streaming and time.monotonic() - started < 2.5 * SPARK_INTERVAL:
            if spark.data is not last:
                changes, last = changes + 1, spark.data
            await pilot.pause(0.02)
        assert 1 <= changes <= 3  # batches came five times a second
        await wait_for_turn_end(pilot)
        turn = screen.metrics.turn
        assert turn is not None
        assert list(spark.data or []) == turn.metrics.inter_token_ms(SPARK_POINTS)
