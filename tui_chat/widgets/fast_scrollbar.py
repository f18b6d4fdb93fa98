"""A scrollbar drawn straight into strips: Textual's glyphs and colours, without its Rich rendering pass.

Textual renders a scrollbar as a Rich renderable through the console, a cost out of proportion to
one column of cells, and a streaming pane scrolls (so repaints its scrollbar) with every batch.
`FastScrollBar` computes the same segments (`ScrollBarRender.render_bar`) and keeps the strips until
the geometry or the colours change. `FastScrollbars` makes a scrollable widget use it.
"""

from __future__ import annotations

from typing import Any, cast

from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget

from tui_chat.adapters import textual_private
from tui_chat.render.strips import cropped, filtered


class FastScrollBar(ScrollBar):
    def __init__(self, vertical: bool = True, name: str | None = None, *, thickness: int = 1) -> None:
        super().__init__(vertical, name, thickness=thickness)
        self._strips_key: tuple[Any, ...] | None = None
        self._strips: list[Strip] = []

    def render_lines(self, crop: Region) -> list[Strip]:
        renderable = self.render()
        if type(renderable) is not ScrollBarRender:  # a custom renderer: let Textual draw it
            return super().render_lines(crop)
        width, height = self.size
        style = renderable.style
        key = (
            width,
            height,
            renderable.virtual_size,
            renderable.window_size,
            renderable.position,
            renderable.thickness,
            renderable.vertical,
            style,
            tuple(self.get_line_filters()),
        )
        if key != self._strips_key:
            self._strips_key = key
            self._strips = self._draw(renderable, width, height)
        return cropped(self._strips[crop.y : crop.bottom], crop, width)

    def _draw(self, bar: ScrollBarRender, width: int, height: int) -> list[Strip]:
        style: Any = bar.style
        segments = ScrollBarRender.render_bar(
            size=height if bar.vertical else width,
            virtual_size=bar.virtual_size,
            window_size=bar.window_size,
            position=bar.position,
            thickness=bar.thickness,
            vertical=bar.vertical,
            back_color=style.bgcolor,
            bar_color=style.color,
        ).segments

        def finished(strip: Strip) -> Strip:
            return filtered(self, [strip])[0]

        if not bar.vertical:
            return [finished(Strip(list(segments), width))] * height
        # A vertical bar is a few distinct segments repeated (track, thumb, two ends): one strip each.
        by_segment: dict[object, Strip] = {}
        strips = [
            by_segment.get(segment) or by_segment.setdefault(segment, finished(Strip([segment], width)))
            for segment in segments
        ]
        return (strips + [Strip.blank(width)] * height)[:height]


class FastScrollbars:
    """Mixin for a scrollable widget: its vertical scrollbar is a `FastScrollBar`."""

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        widget = cast(Widget, self)
        return textual_private.vertical_scrollbar(
            widget, lambda: FastScrollBar(vertical=True, name="vertical", thickness=widget.scrollbar_size_vertical)
        )
