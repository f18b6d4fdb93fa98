"""Shown when there is no API key and no `--demo`: how to set one, or try the demo instead."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from tui_chat.config import config_dir, display_path


class MissingKeyScreen(Screen[bool]):
    """Dismisses with True to start demo mode; the app quits otherwise."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "demo", "Demo mode"),
        Binding("q", "quit_app", "Quit"),
    ]

    def __init__(self, cwd: Path | None = None) -> None:
        super().__init__()
        self.cwd = cwd or Path.cwd()

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="missing-key"):
            yield Static(Content("No API key found"), id="missing-key-title")
            yield Static(self._explanation(), id="missing-key-text")
            with Horizontal(id="missing-key-buttons"):
                yield Button("Try the demo (d)", id="demo", variant="primary")
                yield Button("Quit (q)", id="quit")
        yield Footer()

    def _explanation(self) -> Content:
        return Content.assemble(
            "claude-tui needs an Anthropic API key to talk to Claude. Set it in one of these places:\n\n",
            ("  • the environment:    ", "bold"),
            "export ANTHROPIC_API_KEY=sk-ant-…\n",
            ("  • a .env file here:   ", "bold"),
            f"{display_path(self.cwd / '.env')}\n",
            ("  • your own .env:      ", "bold"),
            f"{display_path(config_dir() / '.env')}\n\n",
            "with a line ANTHROPIC_API_KEY=… in the file. Create a key at console.anthropic.com.\n\n",
            ("Using a gateway ", "bold"),
            "(LiteLLM, llama.cpp, Ollama)? Set ANTHROPIC_BASE_URL or pass --base-url too; "
            "if the gateway does not check keys, any placeholder value works.\n\n",
            ("No key yet? ", "bold"),
            "The demo mode runs a local server that speaks the real streaming protocol — "
            "no key and no network needed (also: claude-tui --demo).",
        )

    def on_mount(self) -> None:
        self.query_one("#demo", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "demo":
            self.action_demo()
        else:
            self.action_quit_app()

    def action_demo(self) -> None:
        self.dismiss(True)

    def action_quit_app(self) -> None:
        self.app.exit()
