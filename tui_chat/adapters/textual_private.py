"""Every private Textual name claude-tui uses, one function each: why, and what public API would replace it.

Textual 8.2. When Textual changes, this is the one module to check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.segment import Segment
    from textual.app import App
    from textual.screen import Screen

FramePiece = tuple[int, int, int, "list[Segment]"]
"""(x, y, end column, segments): part of one screen row in a frame."""

DisplayHook = Callable[["Screen[Any]", Any], bool]
"""Called with each frame Textual is about to write; True if it took care of it (nothing else is written)."""


def intercept_display(app: App[Any], hook: DisplayHook) -> None:
    """Give `hook` every frame before Textual writes it to the terminal.

    Why: `App._display` is the one place a frame becomes terminal bytes, and it writes all that was
    refreshed, every frame. claude-tui writes only the cells that changed, and skips frames a slow link
    cannot take (`tui_chat.terminal_link`). Public replacement: none (a display/driver output hook)."""
    original = app._display

    def display(screen: Screen[Any], renderable: Any) -> None:
        if renderable is None or app._batch_count or not hook(screen, renderable):
            original(screen, renderable)
        else:
            app.post_display_hook()

    app._display = display  # type: ignore[method-assign]


def frame_pieces(renderable: Any) -> tuple[list[FramePiece], bool] | None:
    """The rows of a frame as pieces, and whether it is a full repaint; None for anything else.

    Why: the frame classes (`LayoutUpdate`, `ChopsUpdate`) live in the private `textual._compositor`.
    Public replacement: none; `CompositorUpdate.render_segments` only gives the encoded bytes."""
    from textual._compositor import ChopsUpdate, LayoutUpdate

    pieces: list[FramePiece] = []
    if type(renderable) is LayoutUpdate:
        region = renderable.region
        for y, line in enumerate(renderable.strips, region.y):
            x = region.x
            for strip in line:
                pieces.append((x, y, x + strip.cell_length, list(strip)))
                x += strip.cell_length
        return pieces, True
    if type(renderable) is ChopsUpdate:
        chops, ends = renderable.chops, renderable.chop_ends
        for y, x1, x2 in renderable.spans:
            for end, (x, chop) in zip(ends[y], chops[y].items(), strict=False):
                if chop is None or x > x2 or end <= x1:
                    continue
                pieces.append((x, y, min(end, x2), list(chop)))
        return pieces, False
    return None


def write_frame(app: App[Any], data: str) -> None:
    """Write `data` to the terminal as a frame (inside a synchronized update if the terminal has them).

    Why: `App._driver`, `App._begin_update` and `App._end_update` are what `App._display` uses to write
    a frame. Public replacement: none (a public `App.write_to_terminal` or `App.driver`)."""
    driver = app._driver
    if driver is None:
        return
    app._begin_update()
    try:
        driver.write(data)
    finally:
        app._end_update()
    driver.flush()


def write_to_terminal(app: App[Any], data: str) -> bool:
    """Write `data` to the terminal as it is (False when there is no terminal: headless, a browser).

    Why: `App._driver` is the only way to the terminal's output. Public replacement: none (a public
    `App.driver`)."""
    driver = app._driver
    if driver is None or app.is_headless or app.is_web:
        return False
    driver.write(data)
    driver.flush()
    return True


def pending_terminal_writes(app: App[Any]) -> int:
    """Writes queued for the terminal and not yet taken by the writer thread (0 if unknown).

    Why: the Linux driver writes through a thread with a queue (`LinuxDriver._writer_thread._queue`);
    a queue that does not empty is a terminal that does not keep up. Public replacement: none."""
    driver = app._driver
    writer = getattr(driver, "_writer_thread", None)
    queue = getattr(writer, "_queue", None)
    size = getattr(queue, "qsize", None)
    return int(size()) if callable(size) else 0
