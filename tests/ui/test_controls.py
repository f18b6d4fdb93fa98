"""The controls as a user meets them: slash commands and palette entries, the top bar, the prompt's attached
files, the request row at the top of every turn in the inspector, citations in the conversation, the gauge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Static

from tests.support.app import SIZE, chat, demo_app, screen_text, type_prompt, until, wait_for_turn_end
from tests.support.attachments import png
from tui_chat.bindings import palette_commands
from tui_chat.commands import KeyMap
from tui_chat.controls import RequestControls
from tui_chat.render.sections import CitationsSection, ToolResultSection, UserSection
from tui_chat.screens.choice import ChoiceScreen
from tui_chat.screens.event_detail import EventDetailScreen
from tui_chat.screens.file_picker import FilePickerScreen
from tui_chat.session.inspect import summarize


async def test_slash_commands_set_the_controls_and_the_top_bar_shows_them() -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = chat(app)
        for command in ("/thinking omitted", "/effort low", "/web on", "/code-exec on", "/cache off"):
            await type_prompt(pilot, command)
            await pilot.pause(0.2)
        await until(pilot, lambda: not screen.conversation.controls.cache)
        assert screen.conversation.controls == RequestControls("omitted", "low", True, True, False)
        shown = str(screen.query_one("#top-controls", Static).content)
        assert shown == "thinking omitted · effort low · web · code-exec · cache off"
        await type_prompt(pilot, "/thinking off")  # Sonnet may stop thinking: accepted
        await until(pilot, lambda: screen.conversation.controls.thinking == "off")
        await type_prompt(pilot, "/effort extreme")  # not a level: said so, the command back in the prompt
        await until(pilot, lambda: screen.prompt.text == "/effort extreme")
        assert "not “extreme”" in screen_text(app)
        assert not [r for r in server.requests if r.path == "/v1/messages"]


async def test_palette_entries_pick_thinking_and_effort_and_toggle_the_rest() -> None:
    titles = [title for title, _, _ in palette_commands(KeyMap())]
    for title in ("Thinking: summarized / omitted / off…", "Effort: low … max…", "Attach a file…"):
        assert title in titles
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await screen.run_action("thinking")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("down", "enter")  # default → summarized
        await until(pilot, lambda: screen.conversation.controls.thinking == "summarized")
        await screen.run_action("effort")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("down", "down", "down", "enter")  # default, low, medium, high
        await until(pilot, lambda: screen.conversation.controls.effort == "high")
        await screen.run_action("toggle_web")
        await screen.run_action("toggle_cache")
        await until(pilot, lambda: screen.conversation.controls.web and not screen.conversation.controls.cache)


async def test_attach_from_the_picker_and_by_path_then_send(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.png").write_bytes(png(20, 10))
    (tmp_path / "b.txt").write_text("plain text\n", encoding="utf-8")
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await type_prompt(pilot, "/attach b.txt")
        await until(pilot, lambda: len(screen.controller.attachments) == 1)
        await pilot.press(*"my draft")  # the picker keeps what is typed
        await screen.run_action("attach")
        await until(pilot, lambda: isinstance(app.screen, FilePickerScreen))
        await pilot.pause(0.3)
        await pilot.press("down", "enter")  # the tree's first entry under the root: a.png
        await until(pilot, lambda: len(screen.controller.attachments) == 2)
        assert screen.prompt.text == "my draft"
        assert "Attached: b.txt · text file · 11 bytes · 1 line; a.png · PNG image" in screen_text(app)
        await type_prompt(pilot, " please")
        await wait_for_turn_end(pilot)
        content = [r for r in server.requests if r.path == "/v1/messages"][-1].body["messages"][0]["content"]
        assert [block["type"] for block in content] == ["document", "image", "text"]
        user = next(s for s in screen.view.sections if isinstance(s, UserSection))
        shown = [line.plain for line in user.render(100)]
        assert shown[0].startswith("📎 b.txt · text file") and shown[1].startswith("📎 a.png · PNG image")
        assert "Attached:" not in screen_text(app)  # the prompt's list was emptied by the send


async def test_a_refused_attachment_leaves_the_command_in_the_prompt() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = chat(app)
        await type_prompt(pilot, "/attach nowhere/photo.png")
        await until(pilot, lambda: screen.prompt.text == "/attach nowhere/photo.png")
        assert "No such file: nowhere/photo.png" in screen_text(app)
        assert screen.prompt.cursor_location == screen.prompt.document.end


async def test_every_turn_starts_with_its_request_row_and_enter_shows_the_request() -> None:
    app, _server = demo_app(api_key=None)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await pilot.press("f2")
        await type_prompt(pilot, "/thinking summarized")
        await type_prompt(pilot, "first")
        await wait_for_turn_end(pilot, 1)
        await type_prompt(pilot, "429 please")  # two failed attempts, then the answer: still one request row
        await wait_for_turn_end(pilot, 2)
        inspector = screen.inspector
        turns = [t for t in screen.conversation.turns if t.role == "assistant"]
        for turn in turns:
            rows = [row for row in inspector.rows if row.turn_id == turn.id]
            assert rows[0].name == "request" and rows[0].request is not None
            assert sum(1 for row in rows if row.name == "request") == 1
        retried = next(row for row in inspector.rows if row.turn_id == turns[1].id)
        assert retried.request is not None and retried.request.attempt == 3
        inspector.focus()
        await pilot.press("home", "enter")
        await until(pilot, lambda: isinstance(app.screen, EventDetailScreen))
        await pilot.pause(0.2)
        shown = screen_text(app)
        assert "Request · turn 1 · request 1" in shown
        assert "authorization: [REDACTED]" in shown and "anthropic-version: " in shown
        body = str(app.screen.query_one("#detail-json", Static).content)
        assert '"display": "summarized"' in body and '"cache_control": {' in body
        await pilot.press("n")  # the next row: the response headers
        await pilot.pause(0.2)
        assert "Response headers" in screen_text(app)


async def test_a_web_search_answer_shows_results_marks_and_sources() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await type_prompt(pilot, "/web on")
        await type_prompt(pilot, "search for streaming")
        await wait_for_turn_end(pilot)
        results = [s for s in screen.view.sections if isinstance(s, ToolResultSection)]
        assert len(results) == 1 and "3 results:" in results[0].block.text
        text = "\n".join(
            s.rendered_source for s in screen.view.assistant[screen.conversation.turns[-1].id].text_sections
        )
        assert "blank line \\[1\\]" in text and "deltas \\[2\\]" in text
        sources = next(s for s in screen.view.sections if isinstance(s, CitationsSection))
        assert [number for number, _ in sources.sources] == [1, 2, 3]
        shown = screen_text(app)
        assert "[3]" in shown and "Sources:" in shown
        started = [summarize(r.wire) for r in screen.inspector.rows if r.wire and r.wire.name == "content_block_start"]
        assert "server_tool_use web_search" in started and "web_search_tool_result" in started
        deltas = [summarize(r.wire) for r in screen.inspector.rows if r.wire and r.wire.name == "content_block_delta"]
        assert sum(1 for line in deltas if line.startswith("citation ")) == 3


async def test_the_context_gauge_counts_the_draft() -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        screen.controller.COUNT_DELAY = 0.05
        await pilot.press(*"how many tokens is this")
        await until(pilot, lambda: screen.metrics.context is not None and screen.metrics.context.source == "counted")
        assert "tokens counted" in screen_text(app) and "of 1M" in screen_text(app)
        assert [r for r in server.requests if r.path == "/v1/messages/count_tokens"]
        await pilot.press("enter")
        await wait_for_turn_end(pilot)
        await until(
            pilot, lambda: screen.metrics.context is not None and screen.metrics.context.source == "last answer"
        )
