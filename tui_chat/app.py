"""The Textual app: picks the first screen and owns the backend. The work happens in the screens."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from tui_chat.commands import ChatCommands
from tui_chat.config import Settings
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.missing_key import MissingKeyScreen
from tui_chat.session.backend import Backend


class ClaudeTUI(App[None]):
    """claude-tui: chat with Claude and watch the stream protocol as it happens."""

    TITLE = "claude-tui"
    COMMANDS = App.COMMANDS | {ChatCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, settings: Settings, *, backend: Backend | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.backend = backend or Backend(settings)

    def on_mount(self) -> None:
        if self.settings.api_key is None and not self.settings.demo:
            self.push_screen(MissingKeyScreen(), self._key_screen_closed)
        else:
            self.push_screen(ChatScreen(self.backend))

    def _key_screen_closed(self, start_demo: bool | None) -> None:
        if start_demo:
            self.backend.enable_demo()
            self.push_screen(ChatScreen(self.backend))
        else:
            self.exit()

    async def on_unmount(self) -> None:
        await self.backend.aclose()
