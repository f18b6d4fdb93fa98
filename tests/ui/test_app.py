"""The app driven with Pilot through the demo server, as a user would."""

from __future__ import annotations

import asyncio
import re
import threading
from typing import Any

from textual import events

from tests.support.app import (
    SIZE,
    chat,
    demo_app,
    last,
    messages_of,
    metrics_text,
    screen_text,
    type_prompt,
    wait_for_turn_end,
)
from tests.support.requests import unmarked
from tui_chat.app import ClaudeTUI
from tui_chat.config import Secret, Settings
from tui_chat.demo.server import DemoServer
from tui_chat.messages import TurnEnded
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.missing_key import MissingKeyScreen
from tui_chat.session.backend import Backend
from tui_chat.session.conversation import TurnStatus
from tui_chat.widgets.event_inspector import EventInspector
from tui_chat.widgets.metrics_panel import MetricsPanel


def markdown_text(screen: ChatScreen) -> str:
    """The markdown the conversation view has rendered, block by block."""
    return "\n".join(
        section.rendered_source for entry in screen.view.assistant.values() for section in entry.text_sections
    )


async def test_demo_answer_streams_with_inspector_and_metrics() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("f2")
        assert screen.inspector_pane.display
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot)

        # The conversation shows the question and the streamed markdown answer.
        assert "Welcome to claude-tui" in markdown_text(screen)
        assert screen.conversation.turns[0].text == "hello"
        answer = screen.conversation.turns[1]
        assert answer.status is TurnStatus.COMPLETE
        assert answer.answer_text == markdown_text(screen)

        # The inspector has one row per wire event, in order, every event type present.
        inspector = screen.query_one(EventInspector)
        rows = [row.wire.name for row in inspector.rows if row.wire is not None]
        assert rows == [event.name for event in answer.wire.events]
        for name in (
            "message_start",
            "content_block_start",
            "ping",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop",
        ):
            assert name in rows
        notes = " ".join(row.note for row in inspector.rows if row.wire is None)
        assert "complete" in notes
        first = inspector.rows[0]  # the turn starts with the request it sent
        assert first.name == "request" and first.request is not None and first.request.method == "POST"
        assert first.request.url.endswith("/v1/messages") and first.request.body["messages"]
        headers = [row.record for row in inspector.rows if row.record is not None]
        assert len(headers) == 1 and headers[0].status == 200 and headers[0].request_id.startswith("req_demo_")

        # The metrics pane shows TTFT, totals, tokens in and out, tok/s and the stop reason.
        metrics = screen.query_one(MetricsPanel)
        text = str(metrics.render_metrics(0.0))
        m = answer.metrics
        assert m.ttft is not None and m.ttft > 0
        assert m.input_tokens and m.input_tokens > 0
        assert m.output_tokens == sum(1 for e in answer.wire.events if e.name == "content_block_delta")
        assert f"out {m.output_tokens:,}" in text
        assert f"in {m.input_tokens:,}" in text
        assert "stop end_turn" in text
        assert "TTFT" in text and "tok/s" in text
        assert m.pings == rows.count("ping")

        # What was on screen, rendered.
        shown = screen_text(app)
        assert "message_stop" in shown and "content_block_delta" in shown and "DEMO" in shown
        assert "input tokens)." in shown and f"out {m.output_tokens:,}" in shown


async def test_second_turn_carries_the_history() -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "first question")
        await wait_for_turn_end(pilot, 1)
        await type_prompt(pilot, "second question")
        await wait_for_turn_end(pilot, 2)
        bodies = [r.body for r in server.requests if r.path == "/v1/messages"]
        assert len(bodies) == 2
        history = unmarked(bodies[1]["messages"])
        assert [m["role"] for m in history] == ["user", "assistant", "user"]
        assert history[0]["content"] == "first question"
        assert "Welcome to claude-tui" in history[1]["content"][0]["text"]
        assert history[2]["content"] == "second question"
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        assert "your request carried 3 messages of history" in screen.conversation.turns[-1].answer_text


async def test_keys_arriving_in_one_read_send_the_whole_prompt() -> None:
    """Over SSH, with fast typing or a paste in a terminal without bracketed paste, the last characters
    and Enter arrive in one read; the driver posts them all at once, and Enter must not overtake them."""
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for character in "quick question":
            app.post_message(events.Key(character, character))
        app.post_message(events.Key("enter", "\r"))
        for character in "next":
            app.post_message(events.Key(character, character))
        await wait_for_turn_end(pilot, 1)
        bodies = [r.body for r in server.requests if r.path == "/v1/messages"]
        assert [unmarked(body["messages"])[-1]["content"] for body in bodies] == ["quick question"]
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        assert screen.prompt.text == "next"


async def test_editing_keys_arriving_in_one_read_edit_in_order() -> None:
    """ctrl+j, shift+enter, backspace and ↑ in the same read as the letters around them (tmux send-keys,
    SSH, a paste without bracketed paste) act where they were typed, not after the letters behind them."""
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChatScreen)

        def keys(*names: str) -> None:
            for name in names:
                character = {"ctrl+j": "\n", "backspace": "\x7f"}.get(name, name if len(name) == 1 else None)
                app.post_message(events.Key(name, character))

        keys(*"first", "ctrl+j", *"second", "shift+enter", *"thirx", "backspace", *"d")
        await pilot.pause(0.2)
        assert screen.prompt.text == "first\nsecond\nthird"
        keys("enter")
        await wait_for_turn_end(pilot, 1)
        keys(*"line one", "ctrl+j", *"line two", "enter")
        await wait_for_turn_end(pilot, 2)
        bodies = [r.body for r in server.requests if r.path == "/v1/messages"]
        sent = [unmarked(body["messages"])[-1]["content"] for body in bodies]
        assert sent == ["first\nsecond\nthird", "line one\nline two"]
        assert screen.conversation.title == "first"
        keys(*"draft", "up", *"!")  # ↑ on the first line brings back the last prompt, then "!" is typed after it
        await pilot.pause(0.2)
        assert screen.prompt.text == "line one\nline two!"


async def test_escape_stops_and_the_next_turn_works() -> None:
    app, server = demo_app(pace=1.0)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await type_prompt(pilot, "tell me something long")
        for _ in range(100):  # until some text has arrived
            await pilot.pause(0.05)
            if screen.conversation.turns[-1].answer_text:
                break
        await pilot.press("escape")
        await wait_for_turn_end(pilot, 1)
        stopped = screen.conversation.turns[-1]
        assert stopped.status is TurnStatus.STOPPED
        assert stopped.answer_text  # the partial answer is kept
        assert "Stopped" in screen_text(app)

        server.pace = 0.0
        await type_prompt(pilot, "and now?")
        await wait_for_turn_end(pilot, 2)
        assert screen.conversation.turns[-1].status is TurnStatus.COMPLETE
        history = server.requests[-1].body["messages"]
        assert [m["role"] for m in history] == ["user", "assistant", "user"]
        assert history[1]["content"][0]["text"] == stopped.answer_text.rstrip()


async def test_error_event_keeps_partial_answer_and_retry_works() -> None:
    app, server = demo_app()
    ended: list[Any] = []

    def hook(message: Any) -> None:
        ended.extend(m for m in messages_of(message) if isinstance(m, TurnEnded))

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await type_prompt(pilot, "show me an error")
        await wait_for_turn_end(pilot)
        failed = screen.conversation.turns[-1]
        assert failed.status is TurnStatus.FAILED
        assert failed.error is not None and failed.error.kind == "overloaded_error"
        assert failed.answer_text.startswith("This answer starts normally")
        shot = screen_text(app)
        assert "overloaded_error" in shot and "req_demo_" in shot
        await pilot.press("ctrl+r")
        await wait_for_turn_end(pilot, 1)
        await pilot.pause(0.3)
        assert any(isinstance(m, TurnEnded) for m in ended)
        assert len([r for r in server.requests if r.path == "/v1/messages"]) == 2


async def test_missing_key_screen_offers_demo() -> None:
    app = ClaudeTUI(Settings(), backend=Backend(Settings(), demo_server=DemoServer(pace=0)))
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, MissingKeyScreen)
        shot = screen_text(app)
        assert "ANTHROPIC_API_KEY" in shot and "Try the demo" in shot
        await pilot.press("d")
        await pilot.pause(0.2)
        assert isinstance(app.screen, ChatScreen)
        await type_prompt(pilot, "hi")
        await wait_for_turn_end(pilot)
        assert "DEMO" in screen_text(app)


async def test_slash_quit_exits() -> None:
    app, _ = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "/quit")
        await pilot.pause(0.2)
    assert app.return_code in (0, None)
    assert not app.is_running


async def test_key_never_on_screen() -> None:
    sentinel = "sk-test-SENTINEL-0123456789abcdef"
    settings = Settings(api_key=Secret(sentinel), demo=True)
    server = DemoServer(pace=0)
    app = ClaudeTUI(settings, backend=Backend(settings, demo_server=server))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot)
        assert sentinel not in app.export_screenshot()
        assert sentinel not in repr(settings)


class HeldBackend(Backend):
    """A backend whose SDK is still "loading" until `release` is set (as at start-up on a slow machine)."""

    def __init__(self, settings: Settings, server: DemoServer) -> None:
        super().__init__(settings, demo_server=server)
        self.release = threading.Event()

    def prepare(self) -> Any:
        self.release.wait(20)
        return super().prepare()


async def test_a_send_during_start_up_shows_its_wait_and_warm_up_waits_for_it() -> None:
    """A message sent before the SDK is ready waits for it, and the metrics say how long ("client"
    beside TTFT); the warm-ups that follow (SDK models, highlighters) wait while the answer streams."""
    server = DemoServer(pace=1.0)
    config = Settings(demo=True)
    backend = HeldBackend(config, server)
    app = ClaudeTUI(config, backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await type_prompt(pilot, "be slow")  # three seconds of pings before the first token
        await pilot.pause(0.4)
        backend.release.set()
        async with asyncio.timeout(10):
            while not last(app).metrics.sent_at:
                await pilot.pause(0.05)
        await pilot.pause(1.0)
        assert screen.streaming and not screen.warmed_up  # the warm-up has not run beside the stream
        await pilot.press("escape")
        await wait_for_turn_end(pilot, 1)
        turn = last(app)
        assert turn.metrics.client_wait is not None and turn.metrics.client_wait >= 0.4
        assert re.search(r"TTFT [^·]+ · client \d{3} ms · total", metrics_text(app))
        async with asyncio.timeout(20):
            while not screen.warmed_up:  # once the answer has ended
                await pilot.pause(0.05)


def post_keys(app: ClaudeTUI, text: str) -> None:
    """Keys as a fast typist or a paste over SSH delivers them: all in one read."""
    for character in text:
        app.post_message(events.Key("space" if character == " " else character, character))


async def test_typing_in_the_conversation_or_the_inspector_goes_to_the_prompt() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = chat(app)
        await type_prompt(pilot, "think first")  # an answer with a thinking block
        await wait_for_turn_end(pilot, 1)
        screen.view.focus()
        await pilot.pause()
        post_keys(app, "think it over")
        await pilot.pause(0.3)
        assert screen.prompt.has_focus and screen.prompt.text == "think it over"
        assert not any(getattr(section, "expanded", False) for section in screen.view.sections)
        assert "thinking block" not in screen_text(app)  # no toast: "No thinking block in this conversation."
        screen.prompt.clear()

        await pilot.press("f2")
        screen.inspector.focus()
        await pilot.pause()
        await pilot.press("p")  # the inspector's own keys stay its own
        assert screen.inspector.held
        post_keys(app, "why")
        await pilot.pause(0.3)
        assert screen.prompt.has_focus and screen.prompt.text == "why"

        await pilot.press("ctrl+t")  # thinking blocks open from anywhere, the prompt included
        thinking = [section for section in screen.view.sections if hasattr(section, "expanded")]
        assert thinking and all(section.expanded for section in thinking)  # type: ignore[attr-defined]
        assert screen.prompt.text == "why"


async def test_edit_last_message_and_regenerate() -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await type_prompt(pilot, "tell me abut streams")
        await wait_for_turn_end(pilot, 1)
        await pilot.press("f5")
        assert screen.prompt.text == "tell me abut streams"
        screen.prompt.text = "tell me about streams"
        await pilot.press("enter")
        await wait_for_turn_end(pilot, 1)
        assert [t.text for t in screen.conversation.turns if t.role == "user"] == ["tell me about streams"]
        assert unmarked(server.requests[-1].body["messages"]) == [{"role": "user", "content": "tell me about streams"}]

        first = screen.conversation.turns[-1]
        await pilot.press("ctrl+r")  # regenerate a complete answer
        await wait_for_turn_end(pilot, 1)
        again = screen.conversation.turns[-1]
        assert again is not first and again.status is TurnStatus.COMPLETE
        assert len([t for t in screen.conversation.turns if t.role == "assistant"]) == 1
        assert server.requests[-1].body["messages"] == server.requests[-2].body["messages"]
