"""Textual's private names that claude-tui uses (and those of Rich and textual-serve), and why.

Checked against Textual 8.2, Rich 15 and textual-serve 1.1 (the pins in pyproject.toml). Most are the
price of drawing fast: widgets that set their scrollable size and scrollbars themselves instead of
going through a layout pass, a scrollbar drawn into strips, the benchmark's probe of each frame, and the
terminal link's own output (only the cells that changed, frames held back while the terminal lags).
No SDK import here: the UI imports this module before the SDK is loaded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from rich.console import RenderableType
from textual.app import App
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.style import Style
from textual.widget import Widget

if TYPE_CHECKING:
    from aiohttp import web
    from rich.segment import Segment
    from textual.screen import Screen

ReturnType = TypeVar("ReturnType")


class CrashReportApp(App[ReturnType]):
    """An app that says itself what is printed when it crashes (`crash_report`).

    Overrides `App._fatal_error`, which prints a traceback with every frame's local variables (where an API
    key can sit), and reuses what it does after that: `App._exit_renderables` (printed once the terminal is
    restored) and `App._close_messages_no_wait` (shuts the app down). Public replacement: none; Textual has no
    hook for the report of an unhandled exception."""

    def crash_report(self) -> RenderableType:
        """What to print for the exception being handled: by default its traceback without local variables."""
        import rich
        from rich.traceback import Traceback

        return Traceback(show_locals=False, width=None, suppress=[rich])

    def _fatal_error(self) -> None:
        self.bell()
        self._exit_renderables.append(self.crash_report())
        self._close_messages_no_wait()


class SteadyScrollView(ScrollView):
    """A `ScrollView` that a layout pass leaves alone when its size did not change.

    Textual calls `Widget._size_updated` on every layout pass of the screen, and a `ScrollView` then always
    refreshes its scrollbar: a second repaint of the widget after any layout anywhere. A subclass that keeps
    its scrollable size and scrollbars up to date itself (`update_scrollbars`) loses nothing by skipping it.
    Uses `Widget._size` and `Widget._container_size`, the sizes of the last pass. Public replacement: none."""

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        if size == self._size and size - self.styles.gutter.totals == self._container_size:
            return False
        return super()._size_updated(size, virtual_size, container_size, layout)


def update_scrollbars(widget: Widget, virtual_size: Size) -> None:
    """Show the scrollbars for a new scrollable size, without the layout pass that setting the
    `virtual_size` reactive starts (it re-arranges the whole screen, for every batch of a stream).

    `Widget._scroll_update`, what the layout pass calls. Public replacement: none."""
    widget._scroll_update(virtual_size)


def vertical_scrollbar(widget: Widget, make: Callable[[], ScrollBar]) -> ScrollBar:
    """`Widget.vertical_scrollbar` with a scrollbar of ours (`make()`, created on first use).

    `Widget._vertical_scrollbar` (the widget's scrollbar, cached) and `App._start_widget` (starts a widget
    that is not mounted as a child, as scrollbars are not). Public replacement: none; `ScrollBar.renderer`
    changes the renderable, not the widget that draws it."""
    if widget._vertical_scrollbar is not None:
        return widget._vertical_scrollbar
    widget._vertical_scrollbar = scroll_bar = make()
    scroll_bar.display = False
    widget.app._start_widget(widget, scroll_bar)
    return scroll_bar


def style_parser(widget: Widget) -> Callable[[str | Style], Style]:
    """What Textual passes to `Content.render` for a widget to resolve style names (`.component-class`, `$variable`).

    `Widget._get_style`, as Textual's own `Visual.to_strips` uses it. Public replacement: none
    (`Widget.get_visual_style` resolves a component class, not a style string)."""
    parse: Callable[[str | Style], Style] = widget._get_style
    return parse


# ------------------------------------------------------------------ the benchmark's probe (tui_chat.bench)
def intercept_frames(app: App[Any], callback: Callable[[Any, Any], None]) -> None:
    """Call `callback(screen, renderable)` after each frame the app sends to its driver.

    Wraps `App._display`, the one place a frame goes to the terminal. Public replacement: none."""
    display = app._display

    def displayed(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        callback(screen, renderable)

    app._display = displayed  # type: ignore[method-assign]


def in_batch_update(app: App[Any]) -> bool:
    """Whether the app is inside `batch_update` (a frame sent now is not painted yet).

    `App._batch_count`. Public replacement: none."""
    return bool(app._batch_count)


def frame_bytes(app: App[Any], renderable: RenderableType) -> str:
    """What the terminal driver would write for a frame (a headless app composes frames but skips this).

    `textual._compositor.CompositorUpdate` (a partial update, encoded by its `render_segments`) and Rich's
    `Console._render_buffer` (how the driver encodes anything else). Public replacement: none."""
    from textual._compositor import CompositorUpdate

    if isinstance(renderable, CompositorUpdate):
        return renderable.render_segments(app.console)
    return app.console._render_buffer(app.console.render(renderable))


# ------------------------------------------------------------------------- claude-tui --web (textual-serve)
def add_middleware(server: Any, middleware: Callable[..., Awaitable[web.StreamResponse]]) -> None:
    """Put an aiohttp middleware in front of every route of a textual-serve `Server`.

    Wraps `Server._make_app`, which builds the aiohttp application in `serve()`; middlewares must be added
    before it starts. Public replacement: none (a `middlewares` argument to `Server` would be one)."""
    make_app = server._make_app

    async def make_app_with_middleware() -> web.Application:
        app: web.Application = await make_app()
        app.middlewares.append(middleware)
        return app

    server._make_app = make_app_with_middleware


# ------------------------------------------------------------------ the terminal link (tui_chat.terminal_link)
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
