"""The Textual app: picks the first screen and owns the backend, the preferences and the GC policy."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from textual.app import App
from textual.binding import BindingType
from textual.theme import Theme

from tui_chat.adapters.textual_private import CrashReportApp
from tui_chat.bindings import ChatCommands, bindings, keys_taken_by_the_prompt
from tui_chat.commands import Scope, use_keymap
from tui_chat.config import Settings
from tui_chat.preferences import Preferences
from tui_chat.safety import redact
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.missing_key import MissingKeyScreen
from tui_chat.session.backend import Backend
from tui_chat.session.collector import CollectorPolicy


class ClaudeTUI(CrashReportApp[None]):
    """claude-tui: chat with Claude and watch the stream protocol as it happens."""

    TITLE = "claude-tui"
    COMMANDS = App.COMMANDS | {ChatCommands}
    BINDINGS: ClassVar[list[BindingType]] = bindings(Scope.APP)

    def __init__(self, settings: Settings, *, backend: Backend | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.backend = backend or Backend(settings)
        self.preferences = Preferences.load()
        self.collector = CollectorPolicy()
        """Process-wide: how Python's garbage collector behaves while answers stream."""
        self.preferences.problems.extend(keys_taken_by_the_prompt(self.preferences.keymap))
        use_keymap(self.preferences.keymap)
        self.set_keymap(self.preferences.keymap.textual_keymap())

    def on_mount(self) -> None:
        if self.preferences.theme in self.available_themes:
            self.theme = self.preferences.theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.preferences.problem:
            self.notify(
                f"Preferences not read: {self.preferences.problem}",
                severity="warning",
                markup=False,
                timeout=20,
            )
        if self.settings.api_key is None and not self.settings.demo:
            self.push_screen(MissingKeyScreen(), self._key_screen_closed)
        else:
            self.push_screen(self._chat_screen())

    def _chat_screen(self) -> ChatScreen:
        return ChatScreen(
            self.backend, preferences=self.preferences, save_preferences=self.save_preferences, collector=self.collector
        )

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

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(help_sections(self.preferences.keymap)))

    def _key_screen_closed(self, start_demo: bool | None) -> None:
        if start_demo:
            self.backend.enable_demo()
            self.push_screen(self._chat_screen())
        else:
            self.exit()

    async def on_unmount(self) -> None:
        await self.backend.aclose()

    def crash_report(self) -> RenderableType:
        """A crash: Textual prints the traceback with every frame's local variables, where an API key
        can sit (in the SDK's frames, or ours). Print it without locals, with any secret redacted, and log it."""
        import logging

        from rich.text import Text

        with self.console.capture() as capture:
            self.console.print(super().crash_report())
        report = redact(capture.get(), self.settings.secrets)
        logging.getLogger("tui_chat").error("claude-tui crashed:\n%s", Text.from_ansi(report).plain)
        return Text.from_ansi(report)
