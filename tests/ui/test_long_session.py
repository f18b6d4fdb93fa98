"""A long session holds its earlier answers' frames packed, and their bytes in the database only: every event
stays listed and opens in the detail view (read back), and nothing of an ended stream is kept by mistake.
(How much memory an hour takes is measured in the benchmark: `python -m tui_chat.bench`, "hour".)"""

from __future__ import annotations

import asyncio
import gc

from tests.support.app import SIZE, chat, type_prompt, wait_for_turn_end
from tui_chat.app import ClaudeTUI
from tui_chat.chat_stream import ChatStream
from tui_chat.config import Settings
from tui_chat.demo.server import DemoServer
from tui_chat.screens.event_detail import EventDetailScreen, describe_row
from tui_chat.session.backend import Backend
from tui_chat.session.collector import RELEASE_AFTER


async def test_earlier_answers_are_packed_released_and_still_browsable() -> None:
    settings = Settings(demo=True)
    app = ClaudeTUI(settings, backend=Backend(settings, demo_server=DemoServer(pace=0)))
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await pilot.press("f2")
        for number in range(1, 4):
            await type_prompt(pilot, f"question {number}")
            await wait_for_turn_end(pilot, number)
        first, last = screen.conversation.turns[1], screen.conversation.turns[-1]
        assert first.wire is not None and last.wire is not None
        writer = screen.controller.history.writer
        assert writer is not None and writer.flush(10)
        await pilot.pause(0.2)
        packed = first.wire.packed
        assert packed is not None and packed.released  # its bytes are in the database only
        assert last.wire.packed is None  # the newest answer keeps every object (until the next one)
        inspector = screen.inspector
        rows = list(inspector.rows)
        wire_rows = [row for row in rows if row.wire is not None]
        assert len(wire_rows) == sum(turn.metrics.events for turn in screen.conversation.turns if turn.wire)
        assert not any(row.helper is not None and row.turn_id == first.id for row in rows)  # (dropped when packed)
        first_rows = [row for row in wire_rows if row.turn_id == first.id]
        assert [row.wire.raw for row in first_rows if row.wire] == [event.raw for event in first.wire.events]
        # Its detail view: the bytes, read back from the database, and what the SDK makes of them.
        row = first_rows[3]
        _, _, _, raw, parsed, sdk = describe_row(row)
        assert "content_block" in raw and parsed.startswith("{") and "Raw" in sdk
        inspector.following = False
        inspector.cursor = list(inspector.listed).index(inspector.rows.index(row))
        inspector.action_open()
        await pilot.pause(0.2)
        assert isinstance(app.screen, EventDetailScreen)
        await pilot.press("n")  # the next event of that answer
        await pilot.pause(0.1)
        assert app.screen.row.wire is not None and app.screen.row.wire.index == row.wire.index + 1  # type: ignore[union-attr]


async def test_an_ended_stream_is_not_kept_by_the_collector() -> None:
    """Its objects reference each other (the SDK's stream objects do): held from full collections while
    it streamed, then frozen with the survivors, it was kept for good, every frame of it included."""
    settings = Settings(demo=True)
    app = ClaudeTUI(settings, backend=Backend(settings, demo_server=DemoServer(pace=0)))
    async with app.run_test(size=SIZE) as pilot:
        for number in range(1, 3):
            await type_prompt(pilot, f"question {number}")
            await wait_for_turn_end(pilot, number)
        await asyncio.sleep(RELEASE_AFTER + 0.5)  # the collector is let go 2 s after the last stream
        await pilot.pause(0.1)
        unfrozen = sum(1 for obj in gc.get_objects() if isinstance(obj, ChatStream))
        gc.unfreeze()  # (frozen objects are not listed: bring them back to count them, without collecting)
        frozen = sum(1 for obj in gc.get_objects() if isinstance(obj, ChatStream)) - unfrozen
        gc.freeze()
        assert frozen == 0
