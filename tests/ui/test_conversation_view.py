"""The line-drawn conversation view: following, folding, earlier turns, selection, widths, caching."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from textual.geometry import Offset, Region
from textual.pilot import Pilot
from textual.selection import Selection

from tests.support.app import SIZE, chat, demo_app, type_prompt, wait_for_turn_end
from tui_chat.app import ClaudeTUI
from tui_chat.bench.worker import build_conversation
from tui_chat.render.sections import EarlierSection, ThinkingSection, UserSection
from tui_chat.screens.chat import ChatScreen
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
