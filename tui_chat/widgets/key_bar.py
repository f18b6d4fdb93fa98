"""The footer: the screen's key bindings on one line, redrawn in place when they change.

Textual's `Footer` re-composes a widget per key whenever the active bindings change, which they do
when an answer starts and when it ends (Stop, Retry): mounting and layout at the start of every
turn, in the way of the request (README, Performance). This bar draws the same line of
keys and descriptions as one piece of `Content`; a click on a key presses it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, ClassVar

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget


class KeyBar(Widget):
    ALLOW_SELECT = False

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--description", "key-bar--palette"}

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    KeyBar > .key-bar--key { color: $footer-key-foreground; text-style: bold; }
    KeyBar > .key-bar--description { color: $footer-description-foreground; }
    KeyBar > .key-bar--palette { color: $footer-key-foreground; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._content = Content("")
        self._keys: list[tuple[int, int, str, bool]] = []
        """(first cell, last cell + 1, key, enabled) of each key on the line."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        active = screen.active_bindings
        by_action: defaultdict[str, list[tuple[Binding, bool]]] = defaultdict(list)
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled))
        parts: list[Content] = []
        keys: list[tuple[int, int, str, bool]] = []
        cell = 0
        for bindings in by_action.values():
            binding, enabled = bindings[0]
            part = self._item(self.app.get_key_display(binding), binding.description, enabled)
            keys.append((cell, cell + part.cell_length, binding.key, enabled))
            parts.append(part)
            cell += part.cell_length
        palette = active.get(self.app.COMMAND_PALETTE_BINDING) if self.app.ENABLE_COMMAND_PALETTE else None
        line = Content("").join(parts)
        if palette is not None:
            _node, binding, enabled, _tooltip = palette
            tail = Content.assemble(
                ("▏", "$foreground 20%"), (f"{self.app.get_key_display(binding)} ", ".key-bar--palette"), "palette"
            )
            room = max(0, self.size.width - tail.cell_length)
            line = line.truncate(room, ellipsis=True).extend_right(room - min(room, line.cell_length))
            # Keys cut off by the palette's place are not on the line: a click there is the palette's.
            keys = [(start, min(end, room), key, on) for start, end, key, on in keys if start < room]
            keys.append((room, room + tail.cell_length, binding.key, enabled))
            line = line + tail
        if line != self._content or line.spans != self._content.spans:
            self._content, self._keys = line, keys
            self.refresh()

    @staticmethod
    def _item(key: str, description: str, enabled: bool) -> Content:
        item = Content.assemble((f" {key} ", ".key-bar--key"), (f"{description} ", ".key-bar--description"))
        return item if enabled else item.stylize("dim")

    def on_resize(self) -> None:
        self._bindings_changed(self.screen)

    def render(self) -> Content:
        return self._content

    def on_mouse_down(self, event: events.MouseDown) -> None:
        for start, end, key, enabled in self._keys:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
