"""The Textual app: picks the first screen and owns the backend. The work happens in the screens."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.theme import Theme

from tui_chat.commands import ChatCommands
from tui_chat.config import Settings
from tui_chat.preferences import Preferences
from tui_chat.safety import redact
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.missing_key import MissingKeyScreen
from tui_chat.session.backend import Backend


class ClaudeTUI(App[None]):
    """claude-tui: chat with Claude and watch the stream protocol as it happens."""

    TITLE = "claude-tui"
    COMMANDS = App.COMMANDS | {ChatCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f1", "help", "Help"),
    ]

    def __init__(self, settings: Settings, *, backend: Backend | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.backend = backend or Backend(settings)
        self.preferences = Preferences.load()
        self.exit_notes: list[str] = []
        """Printed after the app has left the screen (what could not be saved, ...)."""

    def on_mount(self) -> None:
        if self.preferences.theme in self.available_themes:
            self.theme = self.preferences.theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.preferences.problem:
            self.notify(f"Preferences not read: {self.preferences.problem}", severity="warning", markup=False)
        if self.settings.api_key is None and not self.settings.demo:
            self.push_screen(MissingKeyScreen(), self._key_screen_closed)
        else:
            self.push_screen(ChatScreen(self.backend))

    def _remember_theme(self, theme: Theme) -> None:
        if theme.name != self.preferences.theme:
            self.preferences.theme = theme.name
            self.save_preferences()

    def save_preferences(self) -> None:
        try:
            self.preferences.save()
        except OSError as error:
            self.notify(f"Preferences not saved: {error}", severity="warning", markup=False)

    def action_help(self) -> None:
        from tui_chat.screens.help import HelpScreen, help_sections
        from tui_chat.widgets.event_inspector import EventInspector

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(help_sections(ChatScreen.BINDINGS, EventInspector.BINDINGS)))

    def _key_screen_closed(self, start_demo: bool | None) -> None:
        if start_demo:
            self.backend.enable_demo()
            self.push_screen(ChatScreen(self.backend))
        else:
            self.exit()

    async def on_unmount(self) -> None:
        await self.backend.aclose()

    def _fatal_error(self) -> None:
        """A crash: Textual prints the traceback with every frame's local variables, where an API key
        can sit (in the SDK's frames, or ours). Print it without locals, with any secret redacted, and log it."""
        import logging

        import rich
        from rich.text import Text
        from rich.traceback import Traceback

        self.bell()
        with self.console.capture() as capture:
            self.console.print(Traceback(show_locals=False, width=None, suppress=[rich]))
        report = redact(capture.get(), self.settings.secrets)
        logging.getLogger("tui_chat").error("claude-tui crashed:\n%s", Text.from_ansi(report).plain)
        self._exit_renderables.append(Text.from_ansi(report))
        self._close_messages_no_wait()
