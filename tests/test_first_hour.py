"""The first hour of use (issue 14): what got in a new user's way, locally and over SSH, each driven as
the user met it — through the real SDK over loopback, with Pilot."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual import events

from tests.support.app import (
    SIZE,
    chat,
    demo_app,
    flat,
    last,
    metrics_text,
    screen_text,
    type_prompt,
    wait_for_turn_end,
)
from tests.support.sse import one_block_stream
from tui_chat.app import ClaudeTUI
from tui_chat.commands import KeyMap
from tui_chat.config import Settings, data_dir
from tui_chat.demo.script import sse_frame
from tui_chat.demo.server import DemoServer, Recording
from tui_chat.render.sections import HintSection, status_bar
from tui_chat.screens.help import help_sections
from tui_chat.screens.model_picker import ModelPickerScreen
from tui_chat.session.backend import Backend
from tui_chat.session.conversation import TurnMetrics, TurnStatus
from tui_chat.session.export import conversation_to_markdown, escape_inline
from tui_chat.session.inspect import explain, headers_summary, sdk_object_text
from tui_chat.session.model_catalog import ModelChoice
from tui_chat.session.pricing import format_cost
from tui_chat.session.recording import ReplayChoice, load_recording
from tui_chat.session.store import ConversationStore
from tui_chat.stream.sdk_objects import rebuild_raw_event
from tui_chat.stream.types import ErrorInfo
from tui_chat.widgets.key_bar import KeyBar


# ----------------------------------------------------------------- 2, 11: token counts
def test_the_best_output_count_and_a_trustworthy_input_count() -> None:
    metrics = TurnMetrics(input_tokens=12, output_tokens=1, streamed_chars=400)
    assert metrics.output_count == (100, True)  # message_start's 1 is a placeholder: the estimate
    metrics.output_tokens, metrics.output_tokens_final = 97, True
    assert metrics.output_count == (97, False)
    assert metrics.input_count == 12
    gateway = TurnMetrics(input_tokens=0, output_tokens=0, streamed_chars=80)
    assert gateway.input_count is None and gateway.output_count == (20, True)
    gateway.output_tokens_final = True  # a message_delta that says 0 after text streamed is no count either
    assert gateway.output_count == (20, True)
    cached = TurnMetrics(input_tokens=1, cache_read_input_tokens=30, cache_creation_input_tokens=4)
    assert cached.input_count == 35  # "in": the whole input of the request, cache included
    assert TurnMetrics().output_count == (None, False)


async def test_a_failed_turn_counts_its_output_by_estimate_everywhere() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "trigger an error please")
        await wait_for_turn_end(pilot, 1)
        turn = last(app)
        assert turn.status is TurnStatus.FAILED
        estimate = round(turn.metrics.streamed_chars / 4)
        assert estimate > 1 and turn.metrics.output_tokens == 1  # message_start's placeholder
        assert turn.metrics.output_count == (estimate, True)
        text = metrics_text(app)
        assert f"out ~{estimate:,}" in text and "out 1 " not in text
        assert f"session turns 1 · in {turn.metrics.input_count:,} · out ~{estimate:,}" in text
        assert f"~{estimate:,} out" in conversation_to_markdown(chat(app).conversation)
        await pilot.press("f3")
        await pilot.pause(0.2)
        table = app.screen.query_one("#turn-table")
        row = [str(cell) for cell in table.get_row_at(0)]  # type: ignore[attr-defined]
        assert f"~{estimate:,}" in row and str(turn.metrics.input_count) in row


async def test_a_gateway_that_zeroes_message_start_shows_no_false_zero() -> None:
    """A Messages-API gateway in front of a local model: message_start says 0 and 0, only
    message_delta has the counts (and a stopped or failed turn never gets one)."""
    app, server = demo_app()
    zero = {"input_tokens": 0, "output_tokens": 0}
    pieces = [f"word{n} " for n in range(60)]
    async with app.run_test(size=SIZE) as pilot:
        server.queue_recording(Recording(one_block_stream(pieces, start_usage=zero, ending="error")))
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        failed = last(app)
        assert failed.status is TurnStatus.FAILED
        text = metrics_text(app)
        estimate = round(failed.metrics.streamed_chars / 4)
        assert "in — · out ~" in text and f"out ~{estimate:,}" in text
        assert "in 0" not in text and "out 0" not in text

        server.queue_recording(
            Recording(one_block_stream(pieces, start_usage=zero, delta_usage={"input_tokens": 25, "output_tokens": 60}))
        )
        await type_prompt(pilot, "again")
        await wait_for_turn_end(pilot, 2)
        text = metrics_text(app)
        assert "in 25 · out 60" in text


# ------------------------------------------------------------- 3: the first send after start
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


# ------------------------------------------------------------------ 4: replays and --continue
async def test_a_replay_is_listed_as_one_and_continue_passes_it_by() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "my own question")
        await wait_for_turn_end(pilot, 1)
        mine = chat(app).conversation.id
    app, _server = demo_app(replay="hw-thinking-signature-pings", replay_speed=0.0)  # `claude-tui replay NAME`
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_turn_end(pilot, 1)
        replay = chat(app).conversation.id
    with ConversationStore(data_dir()) as store:
        summaries = store.list_conversations()
        assert [(s.id, s.replay) for s in summaries] == [(replay, True), (mine, False)]
        assert summaries[0].model == "claude-opus-5-5"  # the recording's model, not the default one
        assert store.last_id() == mine
    app, _server = demo_app(resume="")  # `claude-tui --continue`
    async with app.run_test(size=SIZE) as pilot:
        async with asyncio.timeout(10):
            while chat(app).conversation.id != mine:
                await pilot.pause(0.05)
        await pilot.press("ctrl+l")
        await pilot.pause(0.3)
        listed = screen_text(app)
        assert "replay of a recording by claude-opus-5-5" in listed


# --------------------------------------------------------------- 5: typing where there is no text
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


# ------------------------------------------------------------------- 6: sending follows again
async def test_sending_after_scrolling_up_follows_the_new_answer() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await type_prompt(pilot, "a long one please")
        await wait_for_turn_end(pilot, 1)
        view = screen.view
        view.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert not view.following and view.scroll_y < view.max_scroll_y
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 2)
        await pilot.pause(0.2)
        assert view.following and view.scroll_y == view.max_scroll_y


# -------------------------------------------------- 7: a selected row does not hold the next turn
async def test_a_click_in_the_inspector_does_not_pause_the_next_turn() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await pilot.press("f2")
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        inspector = screen.inspector
        await pilot.click(type(inspector), offset=(5, 3))
        assert not inspector.following and inspector.cursor is not None
        status = str(screen.inspector_pane.status.content)
        screen.prompt.focus()
        await type_prompt(pilot, "hello again")
        await wait_for_turn_end(pilot, 2)
        assert inspector.following and inspector.unseen == 0
        assert "paused on the selected row (End follows; so does a new turn)" in status
        await pilot.pause(0.1)
        assert inspector.scroll_y == inspector.max_scroll_y

        inspector.focus()
        await pilot.press("p")  # paused on purpose: it stays paused into the next turn
        assert inspector.held and not inspector.following
        screen.prompt.focus()
        await type_prompt(pilot, "third")
        await wait_for_turn_end(pilot, 3)
        assert not inspector.following and inspector.unseen > 0


# --------------------------------------------------- 8: the demo's scenario words, every turn
async def test_a_scenario_word_right_after_a_tool_call_is_honoured() -> None:
    """A message sent after an answer that ended with a tool call still unanswered (stopped at its approval)
    gets that call answered ("not run") and its own words honoured by the demo server."""
    from tui_chat.screens.approval import ApprovalScreen

    async def stop_at_the_approval() -> None:
        async with asyncio.timeout(20):
            while not isinstance(app.screen, ApprovalScreen):
                await pilot.pause(0.02)
        approval = app.screen
        assert isinstance(approval, ApprovalScreen)
        await pilot.pause(approval.arming_delay + 0.1)
        await pilot.press("escape")  # stop: nothing is run, nothing sent

    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "/tools on")
        await type_prompt(pilot, "use a tool")
        await stop_at_the_approval()
        await wait_for_turn_end(pilot, 1)
        assert last(app).metrics.stop_reason == "tool_use"
        await type_prompt(pilot, "trigger an error please")
        await wait_for_turn_end(pilot, 2)
        answer = last(app)
        sent = server.requests[-1].body["messages"][-1]["content"]
        assert [block["type"] for block in sent] == ["tool_result", "text"]  # the call was answered
        assert answer.status is TurnStatus.FAILED and answer.error is not None
        assert answer.error.kind == "overloaded_error"


# ------------------------------------------------------------------------------ 9: layout
async def test_the_copy_picker_is_centred_like_every_dialog() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        await pilot.press("f4")
        await pilot.pause(0.3)
        region = app.screen.query_one("#replay-picker").region
        width, height = SIZE
        assert abs(region.x + region.width / 2 - width / 2) <= 1
        assert abs(region.y + region.height / 2 - height / 2) <= 1


async def test_the_key_bar_shows_how_to_quit_and_only_whole_keys() -> None:
    for width in (80, 120):
        app, _server = demo_app()
        async with app.run_test(size=(width, 30)) as pilot:
            await pilot.pause(0.2)
            bar = str(app.screen.query_one(KeyBar).render())
            assert len(bar) <= width
            assert bar.rstrip().endswith("^p palette ^q quit"), bar
            assert not re.search(r"\S…", bar), bar  # no key cut short ("^o Mode…"); " …" says some are left out


def test_the_start_card_keeps_each_phrase_whole() -> None:
    phrases = [
        "every server-sent event",
        r"F1\s+every key and slash command",
        r"ctrl\+p\s+the command palette",
        r"ctrl\+l\s+saved conversations",
        r"/replay\s+recorded streams, step by step",
    ]
    for width in (80, 120, 200):  # the conversation pane of an 80-, 120- and 200-column terminal
        lines = [line.plain for line in HintSection().lines(width - 4)]
        assert all(cell_len(line) <= width - 4 for line in lines)
        for phrase in phrases:
            assert any(re.search(phrase, line) for line in lines), (width, phrase, lines)
    wide = [line.plain for line in HintSection().lines(116)]
    assert any("every key and slash command" in line and "ctrl+p" in line for line in wide)  # two columns


async def test_f3_at_120_columns_shows_the_request_id_and_the_cost() -> None:
    app, _server = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        turn = last(app)
        await pilot.press("f3")
        await pilot.pause(0.3)
        shown = screen_text(app)
        assert turn.metrics.request_id and turn.metrics.request_id in shown
        assert format_cost(turn.metrics.cost(turn.model)) in shown


# ----------------------------------------------------------------------------- 10: wording
async def test_counts_agree_with_their_nouns_and_the_detail_view_says_things_once() -> None:
    app, server = demo_app()
    ping = sse_frame("ping", {"type": "ping"})
    body = one_block_stream(["One ", "ping."])
    first_delta = body.index(b"event: content_block_delta")
    async with app.run_test(size=SIZE) as pilot:
        server.queue_recording(Recording(body[:first_delta] + ping + body[first_delta:]))
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        notes = [row.note for row in chat(app).inspector.rows if row.note]
        assert notes[-1] == "── turn 1 complete: 8 events, 1 ping ──"

    stop = rebuild_raw_event("content_block_stop", '{"type": "content_block_stop", "index": 0}')
    shown = sdk_object_text(stop)
    assert shown.count(type(stop).__name__) == 1
    assert "Closes block `index`: it is complete" not in explain("content_block_stop")


def test_f1_lists_the_step_keys_apart_from_the_others() -> None:
    sections = dict(help_sections(KeyMap()))
    keys = [key for key, _ in sections["In the chat"]]
    assert "n" not in keys and "c" not in keys
    step = next(rows for title, rows in sections.items() if title.startswith("Replaying step by step"))
    assert [key for key, _ in step] == ["n", "c"]


async def test_a_reopened_conversation_shows_its_last_answers_metrics() -> None:
    app, _server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        output = last(app).metrics.output_tokens
    app, _server = demo_app(resume="")
    async with app.run_test(size=SIZE) as pilot:
        async with asyncio.timeout(10):
            while not chat(app).conversation.turns:
                await pilot.pause(0.05)
        await pilot.pause(0.1)
        text = metrics_text(app)
        assert "No request yet." not in text
        assert f"out {output:,}" in text and "stop end_turn" in text and "session turns 1" in text


# ----------------------------------------------------------- 12: a replay shows what it holds
async def test_a_replay_shows_only_the_headers_and_model_of_its_recording(tmp_path: Path) -> None:
    bare = tmp_path / "opus.sse"
    bare.write_bytes(one_block_stream(["Recorded ", "answer."], model="claude-opus-5-5"))
    with_sidecar = tmp_path / "timed.sse"
    with_sidecar.write_bytes(one_block_stream(["Another."], model="claude-haiku-5-5"))
    with_sidecar.with_name("timed.sse.json").write_text(
        json.dumps({"format": "claude-tui-recording/1", "status": 200, "headers": [["request-id", "req_recorded_1"]]})
    )
    app, _server = demo_app(replay=str(bare), replay_speed=0.0)  # `claude-tui replay FILE.sse`
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_turn_end(pilot, 1)
        screen = chat(app)
        turn = last(app)
        assert turn.model == "claude-opus-5-5" and turn.metrics.request_id is None and not turn.metrics.rate_limits
        assert turn.wire is not None and turn.wire.headers == []
        await pilot.press("f2")
        await pilot.pause(0.2)
        shown = screen_text(app)
        panes = shown[shown.index("─ Conversation") :]  # below the top bar (the model for the next live turns)
        for invented in ("req_demo", "claude-sonnet-5-5", "requests left", "HTTP 200"):
            assert invented not in panes, invented
        assert "Claude · claude-opus-5-5 · ✓" in panes
        notes = [row.note for row in screen.inspector.rows if row.note]
        assert notes[0].startswith("turn 1 · replay of opus")
        headers_row = next(row for row in screen.inspector.rows if row.record is not None)
        assert headers_summary(headers_row.record) == "replay · no headers recorded"
        assert "claude-sonnet-5-5" not in str(screen.metrics.render_metrics(0.0))

        screen.controller.start_replay(ReplayChoice(load_recording(with_sidecar), 0.0, False))
        await wait_for_turn_end(pilot, 2)
        turn = last(app)
        assert turn.wire is not None and turn.wire.headers == [("request-id", "req_recorded_1")]
        assert turn.metrics.request_id == "req_recorded_1" and turn.model == "claude-haiku-5-5"
        headers_row = [row for row in screen.inspector.rows if row.record is not None][-1]
        assert headers_summary(headers_row.record) == "recorded HTTP 200 · req_recorded_1"


# ------------------------------------------------------------ 13: answers that did not finish
@pytest.mark.parametrize(
    ("stop_reason", "shown"),
    [
        ("max_tokens", "✂ cut at max_tokens"),
        ("model_context_window_exceeded", "✂ cut: the context window is full"),
        ("refusal", "⊘ refused"),
        ("pause_turn", "⏸ paused by the server"),
    ],
)
async def test_an_answer_cut_short_is_marked_in_the_conversation_the_export_and_f3(
    stop_reason: str, shown: str
) -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        server.queue_recording(
            Recording(one_block_stream(["It began, and then", " it stopped mid-"], stop_reason=stop_reason))
        )
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        turn = last(app)
        assert turn.status is TurnStatus.COMPLETE and turn.metrics.stop_reason == stop_reason
        screen = chat(app)
        lines = "\n".join(screen.view.lines_text())
        assert f"Claude · claude-sonnet-5-5 · {shown}" in lines and "· ✓" not in lines
        assert f"{shown[0]} {shown[2:3].upper()}{shown[3:]} — " in lines  # the notice under it
        assert status_bar(turn) == "stopped-bar"
        document = conversation_to_markdown(screen.conversation)
        assert f"> {shown[0]} **{escape_inline(shown[2:3].upper() + shown[3:])}:**" in document
        assert f"stop {stop_reason} {shown[0]}" in metrics_text(app)
        await pilot.press("f3")
        await pilot.pause(0.2)
        row = [str(cell) for cell in app.screen.query_one("#turn-table").get_row_at(0)]  # type: ignore[attr-defined]
        assert row[1].startswith(shown[0]) and stop_reason in row


async def test_a_finished_answer_is_not_marked() -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        server.queue_recording(Recording(one_block_stream(["Done."], stop_reason="end_turn")))
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        assert "Claude · claude-sonnet-5-5 · ✓" in "\n".join(chat(app).view.lines_text())
        assert status_bar(last(app)) == "assistant-bar"


# ---------------------------------------------------------------------------- 14: small ones
async def test_an_http_error_says_its_status_once_and_a_gateway_400_mentions_the_key() -> None:
    app, server = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        body = {"error": {"message": "No connected db.", "type": "invalid_request_error", "param": None, "code": "400"}}
        server.queue_error(400, body)
        await type_prompt(pilot, "hello")
        await wait_for_turn_end(pilot, 1)
        lines = "\n".join(chat(app).view.lines_text())
        assert "✗ HTTP 400 invalid_request_error: No connected db." in lines
        assert "HTTP 400 — HTTP 400" not in lines
        assert "did not accept the API key" in flat(lines)  # a 400 from a gateway: the key may be why
        document = conversation_to_markdown(chat(app).conversation)
        assert "> **Failed:** HTTP 400 invalid\\_request\\_error: No connected db." in document
    overloaded = ErrorInfo(kind="overloaded_error", summary="The stream reported overloaded_error: Overloaded")
    assert overloaded.headline == "The stream reported overloaded_error: Overloaded"
    assert ErrorInfo(kind="timeout", summary="No data.").headline == "timeout — No data."


async def test_saving_the_recording_while_the_answer_streams_says_it_is_partial() -> None:
    app, _server = demo_app(pace=1.0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await type_prompt(pilot, "a long one")
        async with asyncio.timeout(20):
            while last(app).role != "assistant" or not last(app).answer_text:
                await pilot.pause(0.05)
        await type_prompt(pilot, "/save-sse partial.sse")
        async with asyncio.timeout(10):
            while "A partial recording (" not in flat(screen_text(app)):
                await pilot.pause(0.1)
        assert "still streaming" in flat(screen_text(app))
        assert last(app).status is TurnStatus.STREAMING
        await pilot.press("escape")
        await wait_for_turn_end(pilot, 1)


def test_the_model_picker_names_a_model_once_when_the_server_gives_no_display_name() -> None:
    for bare in (ModelChoice("my-model", "", None, None), ModelChoice("my-model", "my-model", None, None)):
        label = ModelPickerScreen([bare], "my-model", "")._option(bare).prompt
        assert str(label).count("my-model") == 1
    named = ModelChoice("claude-sonnet-5-5", "Claude Sonnet 5.5", 1_000_000, 128_000)
    assert "Claude Sonnet 5.5" in str(ModelPickerScreen([named], "", "")._option(named).prompt)
