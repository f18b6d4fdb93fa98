"""The TTFT experiment in the app: /ttft shows the chart, F3 lists it."""

from __future__ import annotations

import asyncio

from textual.widgets import DataTable

from tests.support.app import SIZE, demo_app, screen_text, type_prompt
from tui_chat.render.sections import TtftSection
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.session_metrics import SessionMetricsScreen


async def test_ttft_command_shows_the_chart() -> None:
    app, _server = demo_app(pace=0.1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await type_prompt(pilot, "/ttft tell me a long story")
        async with asyncio.timeout(30):
            while not screen.experiments:
                await pilot.pause(0.1)
        await pilot.pause(0.2)
        shown = screen_text(app)
        assert "first token" in shown and "whole answer" in shown and "sooner" in shown
        results = [section for section in screen.view.sections if isinstance(section, TtftSection)]
        assert [result.experiment for result in results] == screen.experiments
        assert screen.conversation.api_messages() == []  # not part of the chat
        await pilot.press("f3")
        await pilot.pause(0.2)
        assert isinstance(app.screen, SessionMetricsScreen)
        ttft_table = app.screen.query_one("#ttft-table", DataTable)
        assert ttft_table.row_count == 1
