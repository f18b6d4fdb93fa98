"""The Textual app: picks the first screen and owns the backend, the preferences and the GC policy."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from textual import events
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
from tui_chat.terminal_link import TerminalLink, ssh_session


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
        self.link: TerminalLink | None = None
        """Writes the frames to a real terminal (not headless, not in a browser)."""
        self.exit_notes: list[str] = []
        """Printed after the app has left the screen (what could not be saved, ...)."""

    def on_mount(self) -> None:
        if not (self.is_headless or self.is_web or self.is_inline):
            self.link = TerminalLink(self, low_bandwidth=self.low_bandwidth)
            self.link.install()
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
            self.backend,
            preferences=self.preferences,
            save_preferences=self.save_preferences,
            collector=self.collector,
            low_bandwidth=self.low_bandwidth,
            exit_notes=self.exit_notes,
        )

    @property
    def low_bandwidth(self) -> bool:
        """Low-bandwidth mode: `--low-bandwidth`, else the preference, else on over SSH."""
        if self.settings.low_bandwidth:
            return True
        remembered = self.preferences.low_bandwidth
        return ssh_session() if remembered is None else remembered

    async def on_event(self, event: events.Event) -> None:
        if self.link is not None and isinstance(
            event, events.Key | events.MouseDown | events.MouseScrollDown | events.MouseScrollUp
        ):
            self.link.user_input()
        await super().on_event(event)

    def on_cursor_position(self, event: events.CursorPosition) -> None:
        """The terminal's answer to the cursor query written after each frame (see `TerminalLink`)."""
        if self.link is not None:
            self.link.answered()

    def _remember_theme(self, theme: Theme) -> None:
        if theme.name != self.preferences.theme:
            self.preferences.theme = theme.name
            self.save_preferences()

    def save_preferences(self) -> None:
        try:
            self.preferences.save()
        except OSError as error:
            self.notify(f"Preferences not saved: {error}", severity="warning", markup=False)

    def action_toggle_low_bandwidth(self) -> None:
        """Low-bandwidth mode on or off (remembered): for slow links, e.g. SSH over a phone."""
        on = not self.low_bandwidth
        self.preferences.low_bandwidth = on
        self.settings.low_bandwidth = False  # the flag no longer wins over the choice just made
        self.save_preferences()
        if self.link is not None:
            self.link.low_bandwidth = on
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen):
                screen.show_low_bandwidth(on)
        if on:
            self.notify("Low-bandwidth mode: fewer frames, each sent once the terminal has shown the last.")
        else:
            self.notify("Low-bandwidth mode off: every frame the terminal can take.")

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
