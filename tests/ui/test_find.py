"""Finding: ctrl+f in the conversation (matches highlighted in the drawn lines), and the conversation list's
search box (every saved message, as you type; Enter opens the conversation at the match)."""

from __future__ import annotations

import asyncio
from typing import Any

from rich.segment import Segment
from textual.pilot import Pilot

from tests.support.app import SIZE, demo_app, screen_text, type_prompt, wait_for_turn_end
from tui_chat.config import data_dir
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.conversation_list import ConversationListScreen
from tui_chat.session.conversation import Block, Conversation, TurnStatus
from tui_chat.session.store import ConversationStore
from tui_chat.widgets.conversation_view import ConversationView
from tui_chat.widgets.find_bar import FindInput


def chat(pilot: Pilot[Any]) -> ChatScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ChatScreen)
    return screen


def count_shown(screen: ChatScreen) -> str:
    return str(screen.find_bar.query_one("#find-count").render())


def styled_cells(view: ConversationView, row: int, style_name: str) -> str:
    """The text of virtual line `row` drawn in the view's `style_name` component style (as painted)."""
    wanted = view.get_component_rich_style(f"conversation-view--{style_name}")
    strip = view._row(row, view.size.width, None)
    segments: list[Segment] = list(strip)
    return "".join(s.text for s in segments if s.style is not None and s.style.bgcolor == wanted.bgcolor)


async def test_ctrl_f_highlights_every_match_and_steps_through_them() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(pilot)
        await type_prompt(pilot, "show me code")
        await wait_for_turn_end(pilot)
        view = screen.view
        await pilot.press("ctrl+f")
        assert screen.find_bar.is_open and isinstance(app.focused, FindInput)
        await pilot.press(*"stream")
        await pilot.pause(0.1)
        current, total = view.find_position()
        assert total >= 3 and current >= 1
        assert count_shown(screen) == f"{current} of {total}"
        assert view._found is not None
        row, _ = view._found
        assert styled_cells(view, row, "match-current").lower() == "stream"  # drawn highlighted, in the line
        others = [r for r in range(view._total) if r != row and "stream" in styled_cells(view, r, "match").lower()]
        assert others  # the other matches too

        await pilot.press("enter")
        after = current % total + 1
        assert view.find_position()[0] == after
        await pilot.press("up", "up")  # round the top
        assert view.find_position()[0] == (after - 1 - 2) % total + 1
        view.focus()
        await pilot.press("n")
        await pilot.press("N")
        await pilot.press("N")
        assert count_shown(screen) == f"{view.find_position()[0]} of {total}"

        screen.find_bar.input.focus()
        await pilot.press("escape")  # closes the bar, not the answer
        assert not screen.find_bar.is_open and not view.finding
        assert app.focused is screen.prompt
        assert styled_cells(view, row, "match-current") == ""

        await pilot.press(*"/find zzqx")
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert screen.find_bar.is_open and count_shown(screen) == "no match"


async def test_without_a_find_n_and_N_are_not_taken() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(pilot)
        screen.view.focus()
        await pilot.pause(0.1)
        assert "Next match" not in screen_text(app)  # not on the key bar
        assert screen.view.check_action("find_next", ()) is False
        screen.run_find("claude")
        await pilot.pause(0.1)
        assert screen.view.check_action("find_next", ()) is True
        assert "Next match" in screen_text(app)


def fill_store(long_turns: int = 0) -> dict[str, str]:
    """Saved conversations; one of `long_turns` turns has a rare word in its first answer."""
    ids: dict[str, str] = {}
    with ConversationStore(data_dir()) as store:
        for title, reply in [
            ("How do server-sent events work?", "Each event ends with a blank line; pings keep it alive."),
            ("Parallel tool calls", "The model can call several tools in one answer."),
        ]:
            conversation = Conversation(model="claude-sonnet-5-5")
            store.save_turn(conversation, conversation.add_user(title))
            answer = conversation.start_assistant()
            answer.blocks = [Block(0, "text", reply, complete=True)]
            answer.api_content = [{"type": "text", "text": reply}]
            answer.status = TurnStatus.COMPLETE
            store.save_turn(conversation, answer)
            ids[title] = conversation.id
        if long_turns:
            conversation = Conversation(model="claude-sonnet-5-5")
            for number in range(long_turns // 2):
                conversation.add_user(f"Question {number}")
                answer = conversation.start_assistant()
                text = "The word is serendipitous, at last." if number == 0 else f"Answer {number}: nothing here."
                answer.blocks = [Block(0, "text", text, complete=True)]
                answer.api_content = [{"type": "text", "text": text}]
                answer.status = TurnStatus.COMPLETE
            conversation.title = "A long one"
            store.save_conversations([conversation])
            ids["long"] = conversation.id
    return ids


async def test_the_list_searches_as_you_type_and_opens_at_the_match() -> None:
    ids = fill_store(long_turns=120)
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause(0.2)
        listing = app.screen
        assert isinstance(listing, ConversationListScreen)
        assert len(listing.options._options) == 3
        await pilot.press(*"pings")
        async with asyncio.timeout(10):
            while listing.hits is None or len(listing.hits) != 1:
                await pilot.pause(0.05)
        shown = screen_text(app)
        assert (
            "1 conversation found" in shown
            and "Claude: Each event ends with a blank line; pings keep it alive." in shown
        )
        await pilot.press("backspace", *"keeps")  # nothing has "keeps"
        async with asyncio.timeout(10):
            while listing.hits:
                await pilot.pause(0.05)
        assert "Nothing matches." in screen_text(app)
        await pilot.press("ctrl+u", *"serendip")  # a prefix, as you type
        async with asyncio.timeout(10):
            while not listing.hits:
                await pilot.pause(0.05)
        assert listing.hits[0].conversation.id == ids["long"] and listing.hits[0].position == 1
        await pilot.press("enter")
        async with asyncio.timeout(10):
            while screen.conversation.id != ids["long"] or not screen.find_bar.is_open:
                await pilot.pause(0.05)
        await pilot.pause(0.2)
        view = screen.view
        assert view._found is not None
        row, _ = view._found
        first_answer = screen.conversation.turns[1]
        assert row in view._turn_rows(first_answer)  # the earlier turns were rendered to get there
        assert view.scroll_y <= row < view.scroll_y + view.scrollable_content_region.height
        assert "serendipitous" in screen_text(app)
        assert screen.find_bar.input.value == "serendip"


async def test_an_empty_search_lists_every_conversation_again() -> None:
    fill_store()
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await pilot.pause(0.2)
        listing = app.screen
        assert isinstance(listing, ConversationListScreen)
        await pilot.press(*"tool")
        async with asyncio.timeout(10):
            while listing.hits is None:
                await pilot.pause(0.05)
        for _ in range(4):
            await pilot.press("backspace")
        async with asyncio.timeout(10):
            while listing.hits is not None:
                await pilot.pause(0.05)
        assert len(listing.listed) == 2
        await pilot.press("down", "enter")  # ↓ moves the list while the search box has the focus
        await pilot.pause(0.3)
        assert chat(pilot).conversation.title == "How do server-sent events work?"
