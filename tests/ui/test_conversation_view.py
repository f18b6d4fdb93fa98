"""The line-drawn conversation view: following (in jumps while streaming), folding, earlier turns, selection,
widths, caching, answers cut short, huge lines."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from textual.geometry import Offset, Region
from textual.pilot import Pilot
from textual.selection import Selection

from tests.support.app import SIZE, chat, demo_app, last, metrics_text, screen_text, type_prompt, wait_for_turn_end
from tests.support.hostile_streams import (
    MESSAGE_STOP,
    block_start,
    block_stop,
    message_delta,
    message_start,
    text_delta,
)
from tests.support.sse import one_block_stream
from tui_chat.app import ClaudeTUI
from tui_chat.bench.worker import build_conversation
from tui_chat.demo.server import Recording
from tui_chat.render.sections import EarlierSection, ThinkingSection, UserSection, status_bar
from tui_chat.screens.chat import ChatScreen
from tui_chat.session.conversation import TurnStatus
from tui_chat.session.export import conversation_to_markdown, escape_inline
from tui_chat.widgets.conversation_view import RECENT_TURNS, ConversationView


@asynccontextmanager
async def chat_view(
    size: tuple[int, int] = SIZE, pace: float = 0.0
) -> AsyncIterator[tuple[ClaudeTUI, Pilot[Any], ChatScreen, ConversationView]]:
    """The demo app running headless: the app, its pilot, the chat screen and its conversation view."""
    app, _server = demo_app(pace=pace)
    async with app.run_test(size=size) as pilot:
        screen = chat(app)
        yield app, pilot, screen, screen.view


async def settle(pilot: Any, view: ConversationView) -> None:
    """Wait until the view has rendered everything it was given (it renders a frame's worth at a time)."""
    while view.busy:
        await pilot.pause(0.02)


def painted_rows(view: ConversationView) -> list[str]:
    """The rows the view hands the compositor, as text."""
    width, height = view.size
    return [strip.text for strip in view.render_lines(Region(0, 0, width, height))]


async def test_follows_the_answer_unless_scrolled_up() -> None:
    async with chat_view(pace=0.05) as (_app, pilot, _screen, view):
        await type_prompt(pilot, "long")
        while not view.assistant or view.max_scroll_y < 10:  # the answer has outgrown the view
            await pilot.pause(0.05)
        assert view.following and view.scroll_y == view.max_scroll_y
        view.scroll_to(y=2, animate=False, immediate=True)
        await pilot.pause(0.3)
        assert not view.following
        assert view.scroll_y == 2  # more text arrived; the reader stays where they were
        view.scroll_end(animate=False, immediate=True)
        await pilot.pause(0.3)
        assert view.following
        await wait_for_turn_end(pilot)
        assert view.scroll_y == view.max_scroll_y


async def test_thinking_is_folded_until_clicked_or_ctrl_t() -> None:
    async with chat_view() as (_app, pilot, _screen, view):
        await type_prompt(pilot, "think about it")
        await wait_for_turn_end(pilot)
        thinking = next(s for s in view.sections if isinstance(s, ThinkingSection))
        thought = thinking.block.text
        assert thought and not thinking.expanded
        assert thought[:30] not in "\n".join(view.lines_text())
        assert any("▶ Thinking (" in line for line in view.lines_text())

        await pilot.press("ctrl+t")
        assert thinking.expanded
        assert thought.split()[0] in "\n".join(view.lines_text())
        await pilot.press("ctrl+t")
        assert not thinking.expanded

        # A click on the thinking line opens just that block.
        view.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        row = next(i for i, line in enumerate(view.lines_text()) if line.startswith("▶ Thinking"))
        await pilot.click(ConversationView, offset=(4, row - int(view.scroll_y)))
        assert thinking.expanded


async def test_a_long_conversation_opens_at_its_end_and_shows_earlier_turns_on_demand() -> None:
    async with chat_view() as (_app, pilot, screen, view):
        conversation = build_conversation(RECENT_TURNS // 2 + 5, tokens=40)  # more turns than are rendered at first
        screen.controller.show_conversation(conversation)
        await settle(pilot, view)
        assert isinstance(view.sections[0], EarlierSection)
        rendered = {id(s.turn) for s in view.sections if isinstance(s, UserSection)}
        assert len(rendered) < len([t for t in conversation.turns if t.role == "user"])
        assert view.scroll_y == view.max_scroll_y  # opened at the end
        assert "Show 10 earlier messages" in view.sections[0].lines(80)[0].plain

        bottom_text = painted_rows(view)
        view.focus()
        await pilot.press("ctrl+e")
        await settle(pilot, view)
        assert not any(isinstance(s, EarlierSection) for s in view.sections)
        assert len([s for s in view.sections if isinstance(s, UserSection)]) == len(
            [t for t in conversation.turns if t.role == "user"]
        )
        assert painted_rows(view) == bottom_text  # the reader's place did not move


async def test_selecting_copies_the_text_without_the_bars() -> None:
    async with chat_view() as (_app, pilot, _screen, view):
        await type_prompt(pilot, "[bold]not markup[/] and [@click=app.quit]no action[/]")
        await wait_for_turn_end(pilot)
        everything = view.get_selection(Selection(None, None))
        assert everything is not None
        text = everything[0]
        assert "[bold]not markup[/] and [@click=app.quit]no action[/]" in text  # literal, never markup
        assert "▌" not in text and "Welcome to claude-tui" in text
        row = view.lines_text().index("Welcome to claude-tui")
        part = view.get_selection(Selection(Offset(3, row), Offset(10, row)))
        assert part is not None and part[0] == "come to"


async def test_every_row_fills_the_width_with_cjk_and_at_any_size() -> None:
    for size in ((120, 40), (80, 24), (61, 30)):
        async with chat_view(size=size) as (_app, pilot, _screen, view):
            await type_prompt(pilot, "日本語で答えて")
            await wait_for_turn_end(pilot)
            width, height = view.size
            view.scroll_home(animate=False, immediate=True)
            for top in range(0, view.virtual_size.height, max(1, height)):
                view.scroll_to(y=top, animate=False, immediate=True)
                for strip in view.render_lines(Region(0, 0, width, height)):
                    assert strip.cell_length == width, size


async def test_an_unchanged_paint_reuses_its_rows() -> None:
    async with chat_view() as (app, pilot, _screen, view):
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot)
        region = Region(0, 0, *view.size)
        first = view.render_lines(region)
        second = view.render_lines(region)
        assert all(a is b for a, b in zip(first, second, strict=True))
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause(0.2)
        third = view.render_lines(region)
        assert [s.text for s in third] == [s.text for s in first]
        assert any(list(a) != list(b) for a, b in zip(first, third, strict=True))  # new colours


async def test_an_opened_conversation_is_rendered_newest_first_a_frame_at_a_time(monkeypatch: Any) -> None:
    """With no time to spare, each pass renders one turn, the newest first, and the view keeps its end in sight."""
    import tui_chat.widgets.conversation_view as module

    monkeypatch.setattr(module, "RENDER_BUDGET", 0.0)
    async with chat_view() as (_app, pilot, screen, view):
        conversation = build_conversation(6, tokens=60)
        screen.controller.show_conversation(conversation)
        first = [s.turn for s in view.sections if isinstance(s, UserSection)]
        assert len(first) < 6  # not everything in the first frame
        while view.busy:
            assert view.scroll_y == view.max_scroll_y  # the end stays in view while older turns arrive
            await pilot.pause(0.01)
        shown = [s.turn for s in view.sections if isinstance(s, UserSection)]
        assert shown == [t for t in conversation.turns if t.role == "user"]  # all of them, in order


async def test_a_mouse_drag_selects_text_of_the_answer() -> None:
    async with chat_view() as (_app, pilot, screen, view):
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot)
        view.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        row = view.lines_text().index("Welcome to claude-tui") - int(view.scroll_y)
        # The text starts after the padding and the bar: cells 3 onwards.
        await pilot.mouse_down(ConversationView, offset=(3 + 3, row))
        await pilot.hover(ConversationView, offset=(3 + 10, row))
        await pilot.mouse_up(ConversationView, offset=(3 + 10, row))
        await pilot.pause()
        assert screen.get_selected_text() == "come to "  # the cell under the pointer is included


async def test_the_command_palette_opens_thinking_blocks() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await type_prompt(pilot, "think first")
        await wait_for_turn_end(pilot)
        thinking = next(s for s in screen.view.sections if isinstance(s, ThinkingSection))
        await screen.run_action("conversation('toggle_thinking')")
        assert thinking.expanded


async def test_sending_after_scrolling_up_follows_the_new_answer() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await type_prompt(pilot, "a long one please")
        await wait_for_turn_end(pilot, 1)
        view = screen.view
        view.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert not view.following and view.scroll_y < view.max_scroll_y
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 2)
        await pilot.pause(0.2)
        assert view.following and view.scroll_y == view.max_scroll_y


@pytest.mark.parametrize(
    ("stop_reason", "shown"),
    [
        ("max_tokens", "✂ cut at max_tokens"),
        ("model_context_window_exceeded", "✂ cut: the context window is full"),
        ("refusal", "⊘ refused"),
        ("pause_turn", "⏸ paused by the server"),
    ],
)
async def test_an_answer_cut_short_is_marked_in_the_conversation_the_export_and_f3(
    stop_reason: str, shown: str
) -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        server.queue_recording(
            Recording(one_block_stream(["It began, and then", " it stopped mid-"], stop_reason=stop_reason))
        )
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        turn = last(app)
        assert turn.status is TurnStatus.COMPLETE and turn.metrics.stop_reason == stop_reason
        screen = chat(app)
        lines = "\n".join(screen.view.lines_text())
        assert f"Claude · claude-sonnet-5-5 · {shown}" in lines and "· ✓" not in lines
        assert f"{shown[0]} {shown[2:3].upper()}{shown[3:]} — " in lines  # the notice under it
        assert status_bar(turn) == "stopped-bar"
        document = conversation_to_markdown(screen.conversation)
        assert f"> {shown[0]} **{escape_inline(shown[2:3].upper() + shown[3:])}:**" in document
        assert f"stop {stop_reason} {shown[0]}" in metrics_text(app)
        await pilot.press("f3")
        await pilot.pause(0.2)
        row = [str(cell) for cell in app.screen.query_one("#turn-table").get_row_at(0)]  # type: ignore[attr-defined]
        assert row[1].startswith(shown[0]) and stop_reason in row


async def test_a_finished_answer_is_not_marked() -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        server.queue_recording(Recording(one_block_stream(["Done."], stop_reason="end_turn")))
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        assert "Claude · claude-sonnet-5-5 · ✓" in "\n".join(chat(app).view.lines_text())
        assert status_bar(last(app)) == "assistant-bar"


async def test_a_followed_answer_scrolls_in_jumps_and_ends_at_the_bottom_as_before() -> None:
    app, _server = demo_app(pace=0.2)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        view = screen.view
        height = view.scrollable_content_region.height
        await type_prompt(pilot, "long")
        while not screen.streaming:
            await pilot.pause(0.01)
        tops: list[int] = []
        while screen.streaming:
            top = int(view.scroll_y)
            if not tops or tops[-1] != top:
                tops.append(top)
            await pilot.pause(0.02)
        await wait_for_turn_end(pilot)
        steps = [after - before for before, after in itertools.pairwise(tops) if after > before]
        assert len(steps) >= 2
        assert min(steps[1:]) >= height // 2 - 1  # jumps of half a page, not a line at a time
        assert view.virtual_size.height == view._total  # no room left below the answer
        assert view.scroll_y == view.max_scroll_y and view.following


async def test_a_megabyte_line_is_drawn_cut_and_kept_whole() -> None:
    from tui_chat.app import ClaudeTUI
    from tui_chat.config import Settings
    from tui_chat.demo.server import DemoServer, Recording
    from tui_chat.render.sections import SHOWN_BLOCK_CHARACTERS, SHOWN_LINE_CHARACTERS, ThinkingSection
    from tui_chat.screens.chat import ChatScreen
    from tui_chat.session.backend import Backend
    from tui_chat.session.export import conversation_to_markdown

    line = "".join(f"{n:07d} " for n in range(125_000))  # 1 MB, no newline
    paragraphs = ("A paragraph of an answer that goes on and on.\n\n" * 6000)[: SHOWN_BLOCK_CHARACTERS + 50_000]
    pieces = [line[start : start + 4000] for start in range(0, len(line), 4000)]
    pieces += ["\n\n", *(paragraphs[start : start + 4000] for start in range(0, len(paragraphs), 4000))]
    body = b"".join([message_start(), block_start(0), *(text_delta(p) for p in pieces), block_stop(0)])
    body += message_delta() + MESSAGE_STOP
    server = DemoServer(pace=0)
    settings = Settings(demo=True)
    app = ClaudeTUI(settings, backend=Backend(settings, demo_server=server))
    server.queue_recording(Recording(body, chunk_size=1 << 16))
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "x")
        async with asyncio.timeout(60):
            await wait_for_turn_end(pilot)
            screen = app.screen
            assert isinstance(screen, ChatScreen)
            while screen.view.busy:
                await pilot.pause(0.05)
        turn = screen.conversation.turns[-1]
        assert turn.status is TurnStatus.COMPLETE
        assert turn.answer_text == "".join(pieces)  # all of it is kept
        assert line in conversation_to_markdown(screen.conversation)  # and exported
        section = screen.view.assistant[turn.id].text_sections[0]
        shown = section.rendered_source
        assert len(shown) <= SHOWN_BLOCK_CHARACTERS
        first_line = shown.split("\n", 1)[0]
        assert first_line == line[:SHOWN_LINE_CHARACTERS] + "…"
        hidden = len(turn.answer_text) - SHOWN_BLOCK_CHARACTERS + 1  # (the … is drawn, not part of the text)
        await pilot.press("end")
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "more characters not shown here" in text
        assert f"{hidden:,} more characters" in text
        assert not any(isinstance(s, ThinkingSection) for s in screen.view.sections)
