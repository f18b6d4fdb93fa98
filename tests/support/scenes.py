"""The screens worth a picture, as scripts: used by `scripts/screenshots.py` (real timings, for the
README) and by the snapshot tests (frozen clock, for regression checks).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tui_chat.app import ClaudeTUI
from tui_chat.config import Settings, data_dir
from tui_chat.demo.server import DemoServer
from tui_chat.render.sections import TtftSection
from tui_chat.screens.chat import ChatScreen
from tui_chat.session.conversation import Block, Conversation, TurnStatus
from tui_chat.session.recording import ReplayChoice, find_recording
from tui_chat.session.store import ConversationStore
from tui_chat.session.ttft import TtftExperiment, TtftRun

Script = Callable[[Pilot[Any]], Awaitable[None]]


def home_environment(root: Path) -> tuple[dict[str, str], Path]:
    """A fresh home for one scene: (environment variables to set, directory to work in).

    Paths then show as `~/...`, the same on every machine (the snapshots depend on it).
    """
    work = root / "work"
    work.mkdir(parents=True, exist_ok=True)
    environment = {
        "HOME": str(root),
        "CLAUDE_TUI_DATA_DIR": str(root / ".local" / "share" / "claude-tui"),
        "CLAUDE_TUI_CONFIG_DIR": str(root / ".config" / "claude-tui"),
    }
    return environment, work


@dataclass
class Scene:
    name: str
    title: str
    size: tuple[int, int]
    script: Script
    settings: dict[str, Any] = field(default_factory=lambda: {"demo": True})
    theme: str | None = None
    before: Callable[[], None] | None = None
    """Run before the app starts (e.g. to fill the conversation store)."""

    def make_app(self, pace: float) -> ClaudeTUI:
        if self.before is not None:
            self.before()
        settings = Settings(**self.settings)
        server = DemoServer(pace=pace, tokens_per_second=400 if pace else None)
        from tui_chat.session.backend import Backend

        app = ClaudeTUI(settings, backend=Backend(settings, demo_server=server))
        if self.theme is not None:
            app.preferences.theme = self.theme
        return app


def chat(pilot: Pilot[Any]) -> ChatScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ChatScreen)
    return screen


async def settle(pilot: Pilot[Any], answers: int) -> None:
    screen = chat(pilot)
    async with asyncio.timeout(60):
        while screen.settled_answers < answers:
            await pilot.pause(0.05)
    screen.prompt.cursor_blink = False
    await pilot.pause(0.3)


async def ask(pilot: Pilot[Any], text: str, answers: int) -> None:
    await pilot.press(*text)
    await pilot.press("enter")
    await settle(pilot, answers)


async def command(pilot: Pilot[Any], line: str, done: Callable[[ChatScreen], bool]) -> None:
    """Type a slash command and wait until it has taken effect."""
    await pilot.press(*line)
    await pilot.press("enter")
    async with asyncio.timeout(20):
        while not done(chat(pilot)):
            await pilot.pause(0.05)


async def main_screen(pilot: Pilot[Any]) -> None:
    await pilot.press("f2")
    await ask(pilot, "Show me some code", 1)


async def detail_view(pilot: Pilot[Any]) -> None:
    await pilot.press("f2")
    await ask(pilot, "hello", 1)
    inspector = chat(pilot).inspector
    inspector.focus()
    await pilot.press("home")
    while inspector.selected_row is None or inspector.selected_row.name != "content_block_delta":
        await pilot.press("down")
    await pilot.press("down", "down", "enter")
    await pilot.pause(0.4)


async def replay_step(pilot: Pilot[Any]) -> None:
    screen = chat(pilot)
    screen.controller.start_replay(ReplayChoice(find_recording("hw-thinking-signature-pings"), 1.0, True))
    inspector = screen.inspector
    async with asyncio.timeout(10):
        while not any(row.record is not None for row in inspector.rows):
            await pilot.pause(0.05)
    for expected in range(1, 9):
        await pilot.press("n")
        async with asyncio.timeout(5):
            while sum(1 for row in inspector.rows if row.wire is not None) < expected:
                await pilot.pause(0.02)
    screen.prompt.cursor_blink = False
    await pilot.pause(0.5)


async def ttft_experiment(pilot: Pilot[Any]) -> None:
    await pilot.press(*"/ttft")
    await pilot.press("enter")
    screen = chat(pilot)
    async with asyncio.timeout(60):
        while not screen.experiments:
            await pilot.pause(0.1)
    screen.prompt.cursor_blink = False
    await pilot.pause(0.3)


async def ttft_fixed(pilot: Pilot[Any]) -> None:
    """The experiment's result with fixed figures (a frozen clock would measure only zeros)."""
    screen = chat(pilot)
    experiment = TtftExperiment(
        prompt="Write me a long essay explaining the history of the American Revolution",
        model="claude-sonnet-5-5",
        max_tokens=500,
        streaming=TtftRun(streaming=True, ttft=0.41, total=6.23, output_tokens=500),
        non_streaming=TtftRun(streaming=False, ttft=6.31, total=6.31, output_tokens=500),
    )
    screen.experiments.append(experiment)
    screen.view.add_section(TtftSection(experiment))
    screen.prompt.cursor_blink = False
    await pilot.pause(0.3)


def fill_store() -> None:
    """Three saved conversations with fixed ids and dates."""
    moments = iter(datetime(2026, 11, 20, 9, 30, tzinfo=UTC) + timedelta(hours=5 * n) for n in range(40))
    with ConversationStore(data_dir(), clock=lambda: next(moments)) as store:
        for number, (title, model) in enumerate(
            [
                ("How do server-sent events work?", "claude-sonnet-5-5"),
                ("日本語でストリーミングを説明して", "claude-haiku-5-5"),
                ("Parallel tool calls in one answer", "claude-opus-5-5"),
            ],
            1,
        ):
            conversation = Conversation(model=model, conversation_id=f"c0ffee{number:06d}")
            user = conversation.add_user(title)
            answer = conversation.start_assistant()
            answer.status = TurnStatus.COMPLETE
            answer.blocks = [Block(0, "text", "An answer.", complete=True)]
            answer.api_content = [{"type": "text", "text": "An answer."}]
            store.save_turn(conversation, user)
            store.save_turn(conversation, answer)


async def conversation_list(pilot: Pilot[Any]) -> None:
    chat(pilot).prompt.cursor_blink = False
    await pilot.press("ctrl+l")
    await pilot.pause(0.4)


async def conversation_search(pilot: Pilot[Any]) -> None:
    chat(pilot).prompt.cursor_blink = False
    await pilot.press("ctrl+l")
    await pilot.pause(0.2)
    await pilot.press(*"answer")
    screen = pilot.app.screen
    async with asyncio.timeout(10):
        while getattr(screen, "hits", None) is None:
            await pilot.pause(0.05)
    await pilot.pause(0.3)


async def find_in_conversation(pilot: Pilot[Any]) -> None:
    await ask(pilot, "Show me some code", 1)
    await pilot.press("ctrl+f", *"stream")
    await pilot.press("enter")
    await pilot.pause(0.3)


async def error_turn(pilot: Pilot[Any]) -> None:
    await pilot.press("f2")
    await ask(pilot, "show me an error", 1)


async def missing_key(pilot: Pilot[Any]) -> None:
    await pilot.pause(0.4)


async def small_terminal(pilot: Pilot[Any]) -> None:
    await ask(pilot, "hello", 1)


async def light_theme(pilot: Pilot[Any]) -> None:
    await pilot.press("f2")
    await ask(pilot, "think first", 1)


async def web_search(pilot: Pilot[Any]) -> None:
    await command(pilot, "/web on", lambda screen: screen.conversation.controls.web)
    await ask(pilot, "search the web for streaming", 1)


async def request_detail(pilot: Pilot[Any]) -> None:
    """The request row's detail view, from the request's headers on (the URL above them has the demo
    server's port, which changes every run)."""
    await pilot.press("f2")
    await command(pilot, "/thinking summarized", lambda screen: screen.conversation.controls.thinking != "default")
    await ask(pilot, "hello", 1)
    inspector = chat(pilot).inspector
    inspector.focus()
    await pilot.press("home", "enter")
    await pilot.pause(0.4)
    detail = pilot.app.screen
    scroll = detail.query_one("#event-detail")
    wire = detail.query_one("#detail-wire")
    scroll.scroll_to(y=wire.virtual_region.y + 1, animate=False, immediate=True)
    await pilot.pause(0.3)


async def approval_prompt(pilot: Pilot[Any]) -> None:
    """Claude asks to run a built-in tool: the approval prompt over the conversation."""
    from tui_chat.screens.approval import ApprovalScreen

    await command(pilot, "/tools on", lambda screen: screen.conversation.controls.tools)
    await pilot.press(*"What is (17 * 23) + 2 ** 10? Use a tool.")
    await pilot.press("enter")
    async with asyncio.timeout(30):
        while not isinstance(pilot.app.screen, ApprovalScreen):
            await pilot.pause(0.05)
    await pilot.pause(0.8)  # the prompt takes keys once armed; its key line is then final


async def tool_loop(pilot: Pilot[Any]) -> None:
    """Parallel tool calls approved, their results, the continuation, and the loop's requests in the inspector."""
    from tui_chat.screens.approval import ApprovalScreen

    await pilot.press("f2")
    await command(pilot, "/tools on", lambda screen: screen.conversation.controls.tools)
    await pilot.press(*"parallel tools: what is 6 * 7, and which files are here?")
    await pilot.press("enter")
    for key in ("a", "y"):
        async with asyncio.timeout(30):
            while not isinstance(pilot.app.screen, ApprovalScreen):
                await pilot.pause(0.05)
        await pilot.pause(0.7)
        await pilot.press(key)
        await pilot.pause(0.1)
    await settle(pilot, 2)
    inspector = chat(pilot).inspector
    inspector.focus()
    await pilot.press("d")  # deltas hidden: the two requests of the loop, one above the other
    await pilot.pause(0.3)


SCENES = [
    Scene("main", "after a streamed answer: conversation, inspector, metrics", (140, 42), main_screen),
    Scene("detail", "the inspector's detail view of one event", (120, 40), detail_view),
    Scene("replay-step", "a recording replayed one event per keypress", (120, 40), replay_step),
    Scene("ttft", "the TTFT experiment", (120, 34), ttft_experiment),
    Scene("conversations", "saved conversations", (120, 34), conversation_list, before=fill_store),
    Scene("search", "every saved conversation searched as you type", (120, 34), conversation_search, before=fill_store),
    Scene("find", "ctrl+f: the matches highlighted in the conversation", (120, 34), find_in_conversation),
    Scene("error", "an answer cut by an overloaded_error event", (120, 40), error_turn),
    Scene("missing-key", "no API key: how to set one, or the demo", (110, 34), missing_key, settings={}),
    Scene("small", "an 80x24 terminal", (80, 24), small_terminal),
    Scene("light", "a light theme", (120, 40), light_theme, theme="textual-light"),
    Scene("web-search", "a web search answer: results, cited sentences, sources", (120, 40), web_search),
    Scene("request", "the request a turn sent, in the inspector's detail view", (120, 40), request_detail),
    Scene(
        "tool-approval",
        "Claude asks to run a tool: y runs it, a always, n refuses with a reason",
        (120, 40),
        approval_prompt,
    ),
    Scene(
        "tool-loop",
        "parallel tool calls, their results, the continuation; the loop's requests in the inspector",
        (140, 42),
        tool_loop,
    ),
]
