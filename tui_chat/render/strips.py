"""The last steps of drawing a widget's lines yourself (`render_lines`): Textual's line filters, the crop.

Widgets here that draw their own strips (the conversation, the inspector, live text, scrollbars)
skip Textual's per-line styling pass, so they apply what it would still have added: the app's
line filters (ANSI colour conversion, dimming), and the crop the compositor asked for.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget


def filtered(widget: Widget, strips: Iterable[Strip]) -> list[Strip]:
    """`strips` through the app's line filters (each strip caches its filtered copy)."""
    filters = widget.get_line_filters()
    if not filters:
        return list(strips)
    background = widget.background_colors[1]
    result: list[Strip] = []
    for strip in strips:
        for line_filter in filters:
            strip = strip.apply_filter(line_filter, background)
        result.append(strip)
    return result


def cropped(strips: list[Strip], crop: Region, width: int) -> list[Strip]:
    """The columns of `crop` (the compositor may ask for part of a line)."""
    if crop.column_span == (0, width):
        return strips
    x1, x2 = crop.column_span
    return [strip.crop(x1, x2) for strip in strips]
