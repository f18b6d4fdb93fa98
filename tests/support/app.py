"""The app on the demo server, driven with Pilot as a user would, and what it shows."""

from __future__ import annotations

import asyncio
import html
import re
from typing import Any

from textual.pilot import Pilot

from tui_chat.app import ClaudeTUI
from tui_chat.config import Settings
from tui_chat.demo.server import DemoServer
from tui_chat.screens.chat import ChatScreen
from tui_chat.session.backend import Backend
from tui_chat.session.conversation import Turn

SIZE = (120, 40)


def demo_app(pace: float = 0.0, **settings: Any) -> tuple[ClaudeTUI, DemoServer]:
    server = DemoServer(pace=pace)
    app = ClaudeTUI(
        Settings(demo=True, **settings), backend=Backend(Settings(demo=True, **settings), demo_server=server)
    )
    return app, server


async def type_prompt(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*text)
    await pilot.press("enter")


async def wait_for_turn_end(pilot: Pilot[Any], count: int = 1) -> None:
    """Wait until `count` answers have ended and been rendered."""
    screen = pilot.app.screen
    assert isinstance(screen, ChatScreen)
    async with asyncio.timeout(20):
        while screen.settled_answers < count:
            await pilot.pause(0.05)


def messages_of(message: Any) -> list[Any]:
    """A message, or the messages inside a `StreamBatch` (how the stream delivers them)."""
    from tui_chat.messages import StreamBatch

    return [m for _, m in message.deliveries] if isinstance(message, StreamBatch) else [message]


def screen_text(app: ClaudeTUI) -> str:
    """The text on screen, from the rendered SVG screenshot."""
    svg = app.export_screenshot()
    text = re.sub(r"<[^>]+>", "", svg.replace("&#160;", " "))
    return html.unescape(text)


def chat(app: ClaudeTUI) -> ChatScreen:
    screen = app.screen
    assert isinstance(screen, ChatScreen)
    return screen


def last(app: ClaudeTUI) -> Turn:
    return chat(app).conversation.turns[-1]


def flat(text: str) -> str:
    """Text as one line: wrapped lines joined, bars and borders gone (to find a sentence that wraps)."""
    return re.sub(r"[\s▌│▎▊]+", " ", text)


def metrics_text(app: ClaudeTUI) -> str:
    return str(chat(app).metrics.render_metrics(0.0))


async def until(pilot: Any, condition: Any, timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await pilot.pause(0.05)
