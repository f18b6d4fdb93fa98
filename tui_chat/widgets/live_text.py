"""Text that changes often (metrics, status lines) without re-laying out the screen each time.

`Static.update` always asks for a layout pass, and a layout pass re-arranges every widget on the
screen. This widget asks for one only when its text needs a different number of lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.content import Content
from textual.widget import Widget

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

    @property
    def content(self) -> Content:
        return self._content

    def set(self, content: Content) -> None:
        """Show `content`; a layout pass happens only if its height changes."""
        self._content = content
        width = self.content_region.width
        lines = content.get_height(cast("RulesMap", self.styles), width) if width > 0 else -1
        self.refresh(layout=lines != self._lines or lines < 0)
        self._lines = lines

    def render(self) -> Content:
        return self._content

    def on_resize(self) -> None:
        self._lines = -1
