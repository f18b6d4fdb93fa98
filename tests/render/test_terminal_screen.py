"""`TerminalScreen`: what the terminal shows, and the fewest bytes that bring it up to date."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.segment import Segment
from rich.style import Style

from tui_chat.bench.vt import Screen
from tui_chat.render.terminal_screen import TerminalScreen
from tui_chat.terminal_link import style_codes

STYLES = [Style(color="#e0e0e0", bgcolor="#121212"), Style(color="#0178d4", bgcolor="#121212", bold=True), None]


def screen_of(width: int = 20, height: int = 4) -> TerminalScreen:
    return TerminalScreen(width, height, style_codes("truecolor"))


def shown(terminal: Screen) -> list[str]:
    return [terminal.row(y) for y in range(terminal.lines)]


def target(screen: TerminalScreen) -> list[str]:
    return [screen.row_text(y) for y in range(screen.height)]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 19),
            st.integers(0, 3),
            st.lists(
                st.tuples(st.text(alphabet="ab  c日本語é\u0301", min_size=1, max_size=12), st.integers(0, 2)),
                min_size=1,
                max_size=3,
            ),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_what_the_terminal_shows_is_what_was_painted(paints: list[Any]) -> None:
    """Whatever is painted, and whichever frames are skipped, the terminal ends up showing the target."""
    screen = screen_of()
    terminal = Screen(20, 4)
    screen.forget()
    terminal.feed(screen.render().encode())
    for x, y, parts, send in paints:
        screen.paint(x, y, [Segment(text, STYLES[style]) for text, style in parts])
        if send:
            terminal.feed(screen.render().encode())
    terminal.feed(screen.render().encode())
    assert shown(terminal) == target(screen)


def test_a_repaint_of_the_same_cells_sends_nothing_and_a_change_sends_only_it() -> None:
    screen = screen_of(40, 3)
    line = [Segment("  ", STYLES[0]), Segment("▌", STYLES[1]), Segment(" Hello world, again" + " " * 19, STYLES[0])]
    screen.paint(0, 1, line)
    first = screen.render()
    assert "Hello world" in first
    screen.paint(0, 1, line)  # what Textual sends for a widget refresh: every row again
    assert screen.render() == ""
    changed = [*line[:2], Segment(" Hello world, agaiN" + " " * 19, STYLES[0])]
    screen.paint(0, 1, changed)
    update = screen.render()
    assert "N" in update and "Hello" not in update
    assert update.count("\x1b[38;2;224;224;224") <= 1  # the colour once, not per segment


def test_long_blank_runs_are_erased_not_sent() -> None:
    screen = screen_of(60, 2)
    screen.paint(0, 0, [Segment("x" * 60, STYLES[0])])
    screen.render()
    screen.paint(0, 0, [Segment(" " * 60, STYLES[0])])
    update = screen.render()
    assert "\x1b[60X" in update and " " * 10 not in update
