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
        # The palette (every command) and quit stay at the right end, whatever the width: the way to
        # quit must be on screen at 80 columns. The other keys fill the rest, each whole or not at all.
        ends: list[tuple[Binding, bool]] = []
        palette = active.get(self.app.COMMAND_PALETTE_BINDING) if self.app.ENABLE_COMMAND_PALETTE else None
        if palette is not None:
            ends.append((palette.binding, palette.enabled))
        ends += [by_action.pop(action)[0] for action in ("quit", "app.quit") if action in by_action][:1]
        tail_parts: list[tuple[Content, str, bool]] = []
        for binding, enabled in ends:
            label = "palette" if binding.key == self.app.COMMAND_PALETTE_BINDING else binding.description.lower()
            piece = Content.assemble((f"{self.app.get_key_display(binding)} ", ".key-bar--palette"), f"{label} ")
            tail_parts.append((piece, binding.key, enabled))
        tail_width = sum(piece.cell_length for piece, _, _ in tail_parts) + (1 if tail_parts else 0)
        room = max(0, self.size.width - tail_width)
        parts: list[Content] = []
        keys: list[tuple[int, int, str, bool]] = []
        cell = 0
        items = [
            (self._item(self.app.get_key_display(binding), binding.description, enabled), binding.key, enabled)
            for binding, enabled in (bindings[0] for bindings in by_action.values())
        ]
        if sum(part.cell_length for part, _, _ in items) > room:
            room -= 1  # for "…": F1 lists every key, the palette every command
        left_out = False
        for part, key, enabled in items:
            if cell + part.cell_length > room:
                left_out = True
                continue
            keys.append((cell, cell + part.cell_length, key, enabled))
            parts.append(part)
            cell += part.cell_length
        if left_out:
            parts.append(Content.styled("…", "dim"))
            room += 1
        line = Content("").join(parts)
        if tail_parts:
            line = line.extend_right(max(0, room - line.cell_length)) + Content.styled("▏", "$foreground 20%")
            cell = line.cell_length
            for piece, key, enabled in tail_parts:
                keys.append((cell, cell + piece.cell_length, key, enabled))
                line += piece
                cell += piece.cell_length
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
