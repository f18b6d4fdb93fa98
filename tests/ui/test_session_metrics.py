"""F3, the session's metrics: every turn's figures in a table."""

from __future__ import annotations

from tests.support.app import demo_app, last, screen_text, type_prompt, wait_for_turn_end
from tui_chat.session.pricing import format_cost


async def test_f3_at_120_columns_shows_the_request_id_and_the_cost() -> None:
    app, _server = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        turn = last(app)
        await pilot.press("f3")
        await pilot.pause(0.3)
        shown = screen_text(app)
        assert turn.metrics.request_id and turn.metrics.request_id in shown
        assert format_cost(turn.metrics.cost(turn.model)) in shown
