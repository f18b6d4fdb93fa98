"""Text that changes often (metrics, status lines) without re-laying out the screen each time.

`Static.update` always asks for a layout pass, and a layout pass re-arranges every widget on the
screen. This widget asks for one only when its text needs a different number of lines, and draws
its lines itself (wrapped `Content`, padding and background) instead of going through Textual's
per-line styling pass, which costs as much as the drawing, with the metrics redrawn five times a second.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.segment import Segment
from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from tui_chat.render.strips import cropped, filtered

if TYPE_CHECKING:
    from textual.css.styles import RulesMap


class LiveText(Widget):
    DEFAULT_CSS = """
    LiveText { height: auto; }
    """

    def __init__(self, content: Content | None = None, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._content = content or Content("")
        self._lines = -1
        self._strips_key: tuple[Any, ...] | None = None
        self._strips: list[Strip] = []

    @property
    def content(self) -> Content:
        return self._content

    def set(self, content: Content) -> None:
        """Show `content`; a layout pass happens only if its height changes."""
        if content is self._content or (content == self._content and content.spans == self._content.spans):
            return
        self._content = content
        height = self.styles.height
        if height is not None and not height.is_auto:  # a fixed height: nothing to lay out again
            self.refresh()
            return
        width = self.content_region.width
        if width <= 0:  # not shown (hidden, or not laid out yet): the next layout measures it
            self._lines = -1
            return
        lines = content.get_height(cast("RulesMap", self.styles), width)
        self.refresh(layout=lines != self._lines)
        self._lines = lines

    def render(self) -> Content:
        return self._content

    def on_resize(self) -> None:
        self._lines = -1

    def render_lines(self, crop: Region) -> list[Strip]:
        styles = self.styles
        if styles.border.spacing or styles.text_align not in ("start", "left") or styles.opacity != 1:
            return super().render_lines(crop)  # not the plain case this is written for
        width, height = self.size.width + styles.padding.width, self.size.height + styles.padding.height
        key = (self._content, width, height, self.visual_style, tuple(self.get_line_filters()))
        if key != self._strips_key:
            self._strips_key = key
            self._strips = self._draw(width, height)
        return cropped(self._strips[crop.y : crop.bottom], crop, width)

    def _draw(self, width: int, height: int) -> list[Strip]:
        style = self.visual_style
        rich = style.rich_style
        padding = self.styles.padding
        inner = max(1, width - padding.width)
        left, right = Segment(" " * padding.left, rich), Segment(" " * padding.right, rich)
        blank = Strip([Segment(" " * width, rich)], width)
        strips = [blank] * padding.top
        lines = self._content.split("\n", allow_blank=True)
        if self.styles.text_wrap == "nowrap":
            lines = [line.truncate(inner, ellipsis=True) if line.cell_length > inner else line for line in lines]
        elif any(line.cell_length > inner for line in lines):  # only then pay for word wrapping
            lines = self._content.wrap(inner)
        for line in lines:
            segments = [left, *line.render_segments(style)]
            fill = inner - line.cell_length
            if fill > 0:
                segments.append(Segment(" " * fill, rich))
            segments.append(right)
            strips.append(Strip(segments, width).crop(0, width))
        return filtered(self, (strips + [blank] * height)[:height])
