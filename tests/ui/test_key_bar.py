"""The key bar at the bottom: what it shows at each width, quit and the palette always last, a click presses the key."""

from __future__ import annotations

import re

from textual.command import CommandPalette
from textual.content import Content

from tests.support.app import chat, demo_app, last, type_prompt, until, wait_for_turn_end
from tui_chat.session.conversation import TurnStatus
from tui_chat.widgets.key_bar import KeyBar


async def test_the_key_bar_shows_how_to_quit_and_only_whole_keys() -> None:
    for width in (80, 120):
        app, _server = demo_app()
        async with app.run_test(size=(width, 30)) as pilot:
            await pilot.pause(0.2)
            bar = str(app.screen.query_one(KeyBar).render())
            assert len(bar) <= width
            assert bar.rstrip().endswith("^p palette ^q quit"), bar
            assert not re.search(r"\S…", bar), bar  # no key cut short ("^o Mode…"); " …" says some are left out


def shown_keys(bar: KeyBar) -> list[str]:
    """The keys on the bar, in order (the palette and quit at the end)."""
    line = bar.render()
    assert isinstance(line, Content)
    return [
        line.plain[span.start : span.end].strip()
        for span in line.spans
        if str(span.style) in (".key-bar--key", ".key-bar--palette")
    ]


async def test_what_it_holds_at_80_and_120_columns_and_with_room_for_every_key() -> None:
    """The keys fill the line in the order of the bindings, each whole or left out; "…" says some are left
    out (F1 lists them); a wider terminal shows more of them, in the same order."""
    shown: dict[int, list[str]] = {}
    lines: dict[int, str] = {}
    for width in (80, 120, 200):
        app, _server = demo_app()
        async with app.run_test(size=(width, 30)) as pilot:
            await pilot.pause(0.2)
            bar = app.screen.query_one(KeyBar)
            shown[width], lines[width] = shown_keys(bar), bar.render().plain  # type: ignore[union-attr]
    assert shown[80] == ["⏎", "^j", "esc", "f2", "f4", "^p", "^q"]
    assert shown[120] == ["⏎", "^j", "esc", "f2", "f3", "f4", "^s", "^o", "^p", "^q"]
    assert shown[200] == ["⏎", "^j", "esc", "f2", "f3", "f4", "^s", "^l", "^o", "^n", "f1", "^p", "^q"]
    for width in (80, 120):
        assert "… " in lines[width] and all(key in shown[200] for key in shown[width])
    assert "…" not in lines[200]
    for item in (" ⏎ Send ", " f2 Inspector ", " f3 Metrics table ", " ^o Model ", " ^l Conversations "):
        assert item in lines[200]
        assert all(item in lines[width] for width in (80, 120) if item.split()[0] in shown[width])
    assert "Metrics table" not in lines[80] and "Conversations" not in lines[120]  # too long there: left out whole


async def test_quit_and_the_palette_stay_at_the_end_at_any_width_and_while_answering() -> None:
    for width in (40, 60, 100, 160):
        app, _server = demo_app(pace=1.0)
        async with app.run_test(size=(width, 30)) as pilot:
            await pilot.pause(0.2)
            bar = app.screen.query_one(KeyBar)
            assert str(bar.render()).endswith("▏^p palette ^q quit ") and len(str(bar.render())) == width
            if width == 40:
                assert shown_keys(bar) == ["⏎", "esc", "^p", "^q"]  # what fits whole before them
            if width == 100:
                await type_prompt(pilot, "long")
                await pilot.pause(0.5)
                assert chat(app).streaming
                assert str(bar.render()).endswith("▏^p palette ^q quit ")
                await pilot.press("escape")
                await wait_for_turn_end(pilot)


async def test_a_click_on_a_key_presses_it_unless_it_is_off() -> None:
    app, _server = demo_app(pace=1.0)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause(0.2)
        screen = chat(app)
        bar = screen.query_one(KeyBar)

        def at(label: str) -> tuple[int, int]:
            return (str(bar.render()).index(label) + 1, 0)

        assert not screen.inspector_pane.display
        await pilot.click(KeyBar, offset=at("f2 Inspector"))
        await pilot.pause(0.1)
        assert screen.inspector_pane.display  # F2, pressed by the click
        await pilot.click(KeyBar, offset=at("f2 Inspector"))
        await pilot.pause(0.1)
        assert not screen.inspector_pane.display

        await pilot.click(KeyBar, offset=at("esc Stop"))  # nothing to stop: the key is off, a click does nothing
        await pilot.pause(0.1)
        assert app.screen is screen and not screen.streaming
        await type_prompt(pilot, "long")
        await until(pilot, lambda: screen.streaming)
        await pilot.click(KeyBar, offset=at("esc Stop"))  # now it stops the answer
        await wait_for_turn_end(pilot)
        assert last(app).status is TurnStatus.STOPPED

        await pilot.click(KeyBar, offset=at("^p palette"))
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
