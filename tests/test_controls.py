"""Request controls, attachments, the recorded request and the context gauge: the chat controller driving the
real SDK over loopback against the demo server, each request checked from the server's side."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path
from typing import Any

import pytest
from anthropic import AsyncAnthropic

from tests.support.attachments import PDF, png
from tests.support.controller import answer_to, driver, messages_bodies, server_of
from tui_chat.attachments import IMAGE_MAX_BYTES
from tui_chat.controls import RequestControls
from tui_chat.demo.features import ModelFeatures
from tui_chat.demo.server import MODELS, DemoModel, DemoServer
from tui_chat.session import reports
from tui_chat.session.conversation import Conversation, TurnStatus
from tui_chat.session.export import conversation_to_markdown
from tui_chat.session.pricing import CACHE_READ_MULTIPLIER, CACHE_WRITE_MULTIPLIER, price_for
from tui_chat.session.recorder import TurnRecorder
from tui_chat.session.store import ConversationStore


# ---------------------------------------------------------------------------------- each control on the wire
async def test_thinking_summarized_streams_a_thinking_block_and_is_sent_as_adaptive() -> None:
    async with driver() as d:
        assert await d.controller.set_thinking("summarized")
        answer = await answer_to(d, "hello")
        body = messages_bodies(d)[-1]
        assert body["thinking"] == {"type": "adaptive", "display": "summarized"}
        thinking = answer.blocks[0]
        assert thinking.kind == "thinking" and thinking.complete and "Adaptive thinking is on" in thinking.text
        assert answer.wire is not None
        deltas = [e.json["delta"]["type"] for e in answer.wire.events if e.name == "content_block_delta"]
        assert deltas[0] == "thinking_delta" and "signature_delta" in deltas
        assert answer.metrics.thinking_tokens


async def test_thinking_omitted_sends_only_the_signature() -> None:
    async with driver() as d:
        assert await d.controller.set_thinking("omitted")
        answer = await answer_to(d, "hello")
        assert messages_bodies(d)[-1]["thinking"] == {"type": "adaptive", "display": "omitted"}
        thinking = answer.blocks[0]
        assert thinking.kind == "thinking" and thinking.text == "" and thinking.complete
        assert answer.wire is not None
        kinds = [e.json["delta"]["type"] for e in answer.wire.events if e.block_index == 0 and e.name.endswith("delta")]
        assert kinds == ["signature_delta"]
        assert answer.api_content[0]["signature"]  # sent back unchanged with the next request


async def test_thinking_off_and_default() -> None:
    async with driver() as d:
        assert await d.controller.set_thinking("off")
        answer = await answer_to(d, "please think first")  # the `think` scenario: no thinking when it is off
        assert messages_bodies(d)[-1]["thinking"] == {"type": "disabled"}
        assert all(block.kind != "thinking" for block in answer.blocks)
        assert await d.controller.set_thinking("default")
        await answer_to(d, "hello")
        assert "thinking" not in messages_bodies(d)[-1]


async def test_effort_is_sent_and_changes_the_answers_length() -> None:
    async with driver() as d:
        plain = await answer_to(d, "long")
        assert "output_config" not in messages_bodies(d)[-1]
        lengths = {}
        for level in ("low", "max"):
            assert await d.controller.set_effort(level)
            answer = await answer_to(d, "long")
            assert messages_bodies(d)[-1]["output_config"] == {"effort": level}
            lengths[level] = len(answer.answer_text)
        assert lengths["low"] < len(plain.answer_text) < lengths["max"]
        assert await d.controller.set_effort("default")
        await answer_to(d, "hi")
        assert "output_config" not in messages_bodies(d)[-1]


async def test_web_search_sends_the_tools_and_answers_with_real_blocks_and_citations() -> None:
    async with driver() as d:
        assert await d.controller.set_web("on")
        answer = await answer_to(d, "search the web for streaming news")
        tools = messages_bodies(d)[-1]["tools"]
        assert tools == [
            {"type": "web_search_20250305", "name": "web_search"},
            {"type": "web_fetch_20250910", "name": "web_fetch"},
        ]
        kinds = [block.kind for block in answer.blocks]
        assert kinds[1:3] == ["server_tool_use", "web_search_tool_result"]
        assert answer.blocks[1].name == "web_search" and json.loads(answer.blocks[1].text)["query"]
        assert "3 results:" in answer.blocks[2].text and "https://sse.example.org/format" in answer.blocks[2].text
        cited = [block for block in answer.blocks if block.citations]
        assert len(cited) == 3 and "https://api-notes.example.org/streaming" in cited[1].citations[0]
        assert answer.wire is not None
        usage = next(e.json["usage"] for e in answer.wire.events if e.name == "message_delta")
        assert usage["server_tool_use"] == {"web_search_requests": 1, "web_fetch_requests": 0}
        # The history sends the server tool's blocks back as they came (encrypted content included).
        await answer_to(d, "thanks")
        history = messages_bodies(d)[-1]["messages"][1]["content"]
        assert [block["type"] for block in history][1:3] == ["server_tool_use", "web_search_tool_result"]
        assert history[2]["content"][0]["encrypted_content"]


async def test_web_fetch_and_code_execution() -> None:
    async with driver() as d:
        assert await d.controller.set_web("on") and await d.controller.set_code_execution("on")
        fetched = await answer_to(d, "what does https://example.org/page say?")
        assert [b.kind for b in fetched.blocks][1:3] == ["server_tool_use", "web_fetch_tool_result"]
        assert "https://example.org/page" in fetched.blocks[2].text
        ran = await answer_to(d, "calculate the sum of 1 to 100")
        assert messages_bodies(d)[-1]["tools"][-1] == {"type": "code_execution_20250825", "name": "code_execution"}
        assert [b.kind for b in ran.blocks][1:3] == ["server_tool_use", "bash_code_execution_tool_result"]
        assert "exit code 0" in ran.blocks[2].text and "5050" in ran.blocks[2].text
        assert await d.controller.set_code_execution("off") and await d.controller.set_web("off")
        await answer_to(d, "hi")
        assert "tools" not in messages_bodies(d)[-1]


async def test_prompt_caching_marks_the_prompt_writes_then_reads_and_the_cost_uses_cache_prices() -> None:
    async with driver() as d:
        d.controller.set_system("You are a patient teacher of network protocols. " * 20)
        first = await answer_to(d, "hello")
        body = messages_bodies(d)[-1]
        assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
        assert body["messages"][-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}
        assert first.metrics.cache_creation_input_tokens and not first.metrics.cache_read_input_tokens
        second = await answer_to(d, "and now?")
        marked = [m for m in messages_bodies(d)[-1]["messages"] if isinstance(m["content"], list)]
        assert sum("cache_control" in m["content"][-1] for m in marked if m["role"] == "user") == 2
        metrics = second.metrics
        assert metrics.cache_read_input_tokens == first.metrics.total_input_tokens - 8  # all but the overhead
        price = price_for(second.model)
        assert price is not None
        expected = (
            (metrics.input_tokens or 0)
            + (metrics.cache_creation_input_tokens or 0) * CACHE_WRITE_MULTIPLIER
            + metrics.cache_read_input_tokens * CACHE_READ_MULTIPLIER
        ) * price.input_per_mtok / 1e6 + (metrics.output_tokens or 0) * price.output_per_mtok / 1e6
        assert metrics.cost(second.model) == pytest.approx(expected)
        assert await d.controller.set_cache("off")
        third = await answer_to(d, "no cache")
        body = messages_bodies(d)[-1]
        assert "cache_control" not in json.dumps(body) and isinstance(body["system"], str)
        assert not third.metrics.cache_read_input_tokens and not third.metrics.cache_creation_input_tokens


# ---------------------------------------------------------------------------------------- refusals
async def test_a_control_the_model_does_not_take_is_refused_and_the_command_given_back() -> None:
    async with driver() as d:
        d.controller.set_model("claude-opus-5-5")  # always thinks
        assert not await d.controller.set_thinking("off")
        assert "always thinks" in d.notices()[-1]
        assert d.of(reports.PromptText)[-1] == reports.PromptText("/thinking off")
        assert d.controller.conversation.controls == RequestControls()
        d.controller.set_model("claude-sonnet-5-5")
        assert not await d.controller.set_effort("xhigh")
        assert "low, medium, high, max" in d.notices()[-1]
        assert not await d.controller.set_thinking("loud")
        assert "summarized, omitted, off or default" in d.notices()[-1]
        assert messages_bodies(d) == []


async def test_switching_to_a_model_that_refuses_a_control_refuses_the_send_and_keeps_the_text() -> None:
    async with driver() as d:
        assert await d.controller.set_effort("low")
        d.controller.set_model("claude-haiku-4-5")
        await d.until(lambda: any("does not take an effort setting" in text for text in d.notices()))
        assert not await d.controller.send("my carefully typed question")
        assert d.of(reports.PromptText)[-1] == reports.PromptText("my carefully typed question")
        assert d.notices()[-1].startswith("Not sent: claude-haiku-4-5 does not take an effort setting.")
        assert messages_bodies(d) == [] and d.controller.conversation.turns == []
        assert not await d.controller.set_code_execution("on")  # the legacy demo model has no sandbox
        assert await d.controller.set_effort("default")
        await answer_to(d, "my carefully typed question")
        assert "output_config" not in messages_bodies(d)[-1]


async def test_unknown_capabilities_send_as_asked_and_say_so() -> None:
    async with driver() as d:
        d.controller.set_model("claude-someday-9")  # not listed: the demo answers, capabilities unknown
        assert await d.controller.set_effort("max")
        assert "are not known" in d.notices()[-1]
        await answer_to(d, "hi")
        assert messages_bodies(d)[-1]["output_config"] == {"effort": "max"}


# ------------------------------------------------------------------------------------- attachments
async def test_attachments_go_as_content_blocks_are_described_saved_and_resumed(tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    (files / "chart.png").write_bytes(png(40, 30))
    (files / "paper.pdf").write_bytes(PDF)
    (files / "notes.md").write_text("# Notes\nline two\n", encoding="utf-8")
    async with driver(tmp_path / "db") as d:
        for name in ("chart.png", "paper.pdf", "notes.md"):
            assert await d.controller.attach(str(files / name))
        assert [a.name for a in d.of(reports.AttachmentsChanged)[-1].attachments] == [
            "chart.png",
            "paper.pdf",
            "notes.md",
        ]
        answer = await answer_to(d, "what are these?")
        assert d.of(reports.AttachmentsChanged)[-1].attachments == ()
        content = messages_bodies(d)[-1]["messages"][0]["content"]
        assert [block["type"] for block in content] == ["image", "document", "document", "text"]
        assert content[0]["source"]["media_type"] == "image/png"
        assert base64.b64decode(content[0]["source"]["data"]) == png(40, 30)
        assert content[1]["source"]["media_type"] == "application/pdf" and content[1]["title"] == "paper.pdf"
        assert base64.b64decode(content[1]["source"]["data"]) == PDF
        assert content[2]["source"] == {"type": "text", "media_type": "text/plain", "data": "# Notes\nline two\n"}
        assert "a PNG image, 40×30 px" in answer.answer_text and "a PDF “paper.pdf”" in answer.answer_text
        assert "a text document “notes.md”, 2 lines" in answer.answer_text
        conversation = d.controller.conversation
        markdown = conversation_to_markdown(conversation)
        assert "Attached: chart.png · PNG image · " in markdown and content[0]["source"]["data"] not in markdown
        d.controller.new_conversation()
        await d.controller.resume(conversation.id)
        reopened = d.controller.conversation
        assert [a.name for a in reopened.turns[0].attachments] == ["chart.png", "paper.pdf", "notes.md"]
        await answer_to(d, "and again")
        again = messages_bodies(d)[-1]["messages"][0]["content"]
        assert [block["type"] for block in again] == ["image", "document", "document", "text"]
        assert again[0]["source"]["data"] == content[0]["source"]["data"]


async def test_attachment_refusals_are_clear_and_keep_the_command(tmp_path: Path) -> None:
    (tmp_path / "program.bin").write_bytes(b"\x7fELF\x00\x01\x02binary")
    (tmp_path / "huge.png").write_bytes(png(8, 8) + b"\x00" * (IMAGE_MAX_BYTES + 1))
    (tmp_path / "wide.png").write_bytes(png(8001, 1))
    async with driver() as d:
        cases = [
            ("missing.png", "No such file"),
            ("program.bin", "not a file type the API takes"),
            ("huge.png", "the API takes images of up to 5.0 MB"),
            ("wide.png", "at most 8000 px a side"),
        ]
        for name, reason in cases:
            assert not await d.controller.attach(str(tmp_path / name))
            assert reason in d.notices()[-1], d.notices()[-1]
            assert d.of(reports.PromptText)[-1] == reports.PromptText(f"/attach {tmp_path / name}")
        assert d.controller.attachments == []


async def test_a_model_without_image_input_refuses_an_image(tmp_path: Path) -> None:
    (tmp_path / "chart.png").write_bytes(png(4, 4))
    blind = DemoModel("claude-blind-1", "No images (demo)", 200.0, 0.0, features=ModelFeatures(image_input=False))
    async with driver(models=[*MODELS, blind]) as d:
        d.controller.set_model("claude-blind-1")
        assert not await d.controller.attach(str(tmp_path / "chart.png"))
        assert "claude-blind-1 does not take images" in d.notices()[-1]
        d.controller.set_model("claude-sonnet-5-5")
        assert await d.controller.attach(str(tmp_path / "chart.png"))
        d.controller.set_model("claude-blind-1")  # attached first, then the model changed: the send is refused
        assert not await d.controller.send("look")
        assert d.of(reports.PromptText)[-1] == reports.PromptText("look")
        assert messages_bodies(d) == [] and len(d.controller.attachments) == 1


# ---------------------------------------------------------------------------------- saved controls
async def test_a_reopened_conversation_keeps_its_controls(tmp_path: Path) -> None:
    async with driver(tmp_path) as d:
        assert await d.controller.set_thinking("omitted")
        assert await d.controller.set_effort("high")
        assert await d.controller.set_web("on")
        assert await d.controller.set_cache("off")
        await answer_to(d, "remember these")
        saved = d.controller.conversation.id
        d.controller.new_conversation()  # a new conversation starts with the same controls
        assert d.controller.conversation.controls == RequestControls("omitted", "high", True, False, False)
    with ConversationStore(tmp_path) as store:
        assert store.load(saved).controls == RequestControls("omitted", "high", True, False, False)
    async with driver(tmp_path) as d:
        assert d.controller.conversation.controls == RequestControls()
        await d.controller.resume(saved)
        await answer_to(d, "still there?")
        body = messages_bodies(d)[-1]
        assert body["thinking"] == {"type": "adaptive", "display": "omitted"}
        assert body["output_config"] == {"effort": "high"} and body["tools"][0]["name"] == "web_search"
        assert "cache_control" not in json.dumps(body)


# ------------------------------------------------------------------------------- the recorded request
async def test_the_request_is_recorded_as_sent_with_the_key_redacted(demo_server: DemoServer) -> None:
    secret = "sk-ant-api03-very-secret-key-0123456789"
    client = AsyncAnthropic(api_key=secret, base_url=demo_server.base_url, max_retries=0)
    conversation = Conversation(model="claude-sonnet-5-5", controls=RequestControls(thinking="summarized"))
    image = base64.b64encode(png(16, 16)).decode()
    try:
        for number in range(4):
            conversation.add_user(f"question {number} with the key {secret} pasted")
            answer = conversation.start_assistant()
            await TurnRecorder(client, conversation, answer).run()
        from tui_chat.attachments import Attachment

        conversation.add_user("and this image", [Attachment("a.png", "image/png", 240 * 1024, image)])
        answer = conversation.start_assistant()
        await TurnRecorder(client, conversation, answer).run()
    finally:
        await client.close()
    request = answer.wire.request if answer.wire is not None else None
    assert request is not None and request.method == "POST" and request.url.endswith("/v1/messages")
    headers = dict(request.headers)
    assert headers["authorization"] == "[REDACTED]" and headers["anthropic-version"]
    assert request.messages == 9 and request.size == int(headers["content-length"])
    assert request.body["messages"][0] == "… 5 earlier messages folded (" + request.body["messages"][0].split("(")[1]
    assert len(request.body["messages"]) == 5  # the fold, then the last four
    size = len(base64.b64decode(image))
    assert request.body["messages"][-1]["content"][0]["source"]["data"] == f"<image {size} bytes>"
    assert request.body["thinking"] == {"type": "adaptive", "display": "summarized"}
    recorded = json.dumps(request.to_dict())
    assert secret not in recorded and "[REDACTED]" in recorded
    assert demo_server.requests[-1].body["messages"][-1]["content"][0]["source"]["data"] == image  # sent in full


# ------------------------------------------------------------------------------------- the context gauge
async def test_count_tokens_counts_what_would_be_sent_and_matches_the_next_request() -> None:
    async with driver() as d:
        d.controller.set_system("Be brief.")
        assert await d.controller.set_web("on")
        usage = await d.controller.count_draft("how long is this message, in tokens?")
        counted = [r.body for r in server_of(d).requests if r.path == "/v1/messages/count_tokens"][-1]
        assert counted["tools"][0]["name"] == "web_search" and counted["system"][0]["text"] == "Be brief."
        assert "max_tokens" not in counted
        assert usage.source == "counted" and usage.limit == 1_000_000
        answer = await answer_to(d, "how long is this message, in tokens?")
        assert answer.metrics.total_input_tokens == usage.tokens
        after = d.controller.context_usage()
        assert after.tokens == usage.tokens + (answer.metrics.output_tokens or 0) and after.source == "last answer"


async def test_typing_is_counted_after_a_pause_and_an_overflow_is_warned() -> None:
    small = DemoModel("claude-small-1", "A small window (demo)", 500.0, 0.0, max_input_tokens=400)
    async with driver(models=[*MODELS, small]) as d:
        d.controller.COUNT_DELAY = 0.05
        d.controller.draft_changed("a")
        d.controller.draft_changed("ab")
        d.controller.draft_changed("abc")  # only the last one is counted
        await d.until(lambda: any(r.usage.source == "counted" for r in d.of(reports.ContextChanged)))
        counts = [r for r in server_of(d).requests if r.path == "/v1/messages/count_tokens"]
        assert len(counts) == 1 and counts[0].body["messages"][-1]["content"][0]["text"] == "abc"
        d.controller.set_model("claude-small-1")
        long_text = "word " * 5000
        d.controller.draft_changed(long_text, delay=0)
        await d.until(lambda: d.of(reports.ContextChanged)[-1].usage.over)
        usage = d.of(reports.ContextChanged)[-1].usage
        assert usage.limit == 400 and usage.tokens and usage.tokens > 400
        assert await d.controller.send(long_text)  # sent, but said first
        assert any(
            f"is counted {usage.tokens:,} tokens" in text and "will probably refuse it" in text for text in d.notices()
        )
        await d.controller.wait()


async def test_without_count_tokens_the_gauge_estimates() -> None:
    from tui_chat.config import Secret, Settings
    from tui_chat.session.backend import Backend
    from tui_chat.session.controller import ChatController

    settings = Settings(api_key=Secret("not-a-key-0123"), base_url="http://127.0.0.1:9", no_history=True)
    backend = Backend(settings)
    log: list[reports.Report] = []
    controller = ChatController(backend, report=log.append)
    try:
        usage = await controller.count_draft("hello there")
        assert usage.source == "estimated" and usage.tokens and usage.tokens > 0
        again = await controller.count_draft("hello there, again")
        assert again.source == "estimated"
    finally:
        await controller.aclose()
        await backend.aclose()


# ------------------------------------------------------------------------------------ pure parts
def test_a_database_from_before_the_controls_opens_and_gets_them(tmp_path: Path) -> None:
    """A schema-2 database (no controls, no attachments) is migrated in place; its conversations load."""
    import sqlite3

    from tui_chat.session import store as store_module

    path = tmp_path / store_module.DB_FILENAME
    db = sqlite3.connect(path)
    for migrate in store_module.MIGRATIONS[:2]:
        migrate(db)
    db.execute("PRAGMA user_version = 2")
    db.execute(
        "INSERT INTO conversations VALUES ('old1', 'Before controls', 'claude-sonnet-5-5', NULL, 4096, "
        "'2026-11-01T10:00:00.000000+00:00', '2026-11-01T10:00:00.000000+00:00')"
    )
    db.execute(
        "INSERT INTO turns VALUES ('old1', 0, 'user', 'complete', 'hi', '\"hi\"', '[]', '{}', NULL, '[]', '', '', "
        "'2026-11-01T10:00:00.000000+00:00', 0, NULL, NULL, NULL)"
    )
    db.commit()
    db.close()
    with ConversationStore(path) as store:
        assert store.user_version == store_module.schema_version() >= 3  # (migrated to the newest)
        old = store.load("old1")
        assert old.controls == RequestControls() and old.turns[0].attachments == []
        old.controls.effort = "low"
        store.save_conversation(old)
        assert store.load("old1").controls.effort == "low"


def test_request_params_for_each_control() -> None:
    from tui_chat.session.request import count_params, request_params

    conversation = Conversation(model="claude-sonnet-5-5", system="Be brief.")
    conversation.add_user("first")
    answer = conversation.start_assistant()
    answer.status = TurnStatus.COMPLETE
    answer.api_content = [{"type": "text", "text": "an answer"}]
    conversation.add_user("second")
    plain = request_params(conversation)
    assert plain["system"] == [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}]
    assert [m["content"][-1].get("cache_control") for m in plain["messages"] if m["role"] == "user"] == [
        {"type": "ephemeral"},
        {"type": "ephemeral"},
    ]
    assert conversation.api_messages()[0]["content"] == "first"  # the conversation itself is untouched
    assert set(plain) == {"model", "max_tokens", "messages", "system"}
    conversation.controls = RequestControls("off", "xhigh", True, True, False)
    full = request_params(conversation)
    assert full["thinking"] == {"type": "disabled"} and full["output_config"] == {"effort": "xhigh"}
    assert [tool["name"] for tool in full["tools"]] == ["web_search", "web_fetch", "code_execution"]
    assert full["system"] == "Be brief." and full["messages"] == conversation.api_messages()
    assert set(count_params(full)) == {"model", "messages", "system", "tools", "thinking", "output_config"}
    extended = request_params(conversation, extra_tools=[{"name": "get_weather", "input_schema": {}}])
    assert extended["tools"][-1]["name"] == "get_weather"


def test_controls_survive_bad_saved_json() -> None:
    assert RequestControls.from_json('{"thinking": "loud", "effort": 3, "web": "yes", "cache": false}') == (
        RequestControls(cache=False)
    )
    assert RequestControls.from_json("not json") == RequestControls()
    assert RequestControls.from_json(RequestControls("omitted", "max", True).to_json()) == RequestControls(
        "omitted", "max", True
    )


def test_capabilities_from_the_models_api() -> None:
    from tui_chat.demo.server import ALWAYS_THINKS, LEGACY
    from tui_chat.session.model_catalog import read_capabilities

    always = read_capabilities(ALWAYS_THINKS.capabilities())
    assert always is not None and not always.thinking_disabled and "xhigh" in always.effort
    legacy = read_capabilities(LEGACY.capabilities())
    assert legacy is not None and not legacy.thinking_adaptive and legacy.effort == frozenset()
    assert legacy.web_search and not legacy.code_execution
    assert read_capabilities(None) is None


def test_the_demo_cache_reads_back_within_the_lookback_and_forgets_after_five_minutes() -> None:
    from tui_chat.demo.features import PromptCache

    now = [0.0]
    cache = PromptCache(clock=lambda: now[0])
    system = [{"type": "text", "text": "word " * 200, "cache_control": {"type": "ephemeral"}}]
    body: dict[str, Any] = {"model": "m", "system": system, "messages": [{"role": "user", "content": "hi"}]}
    first = cache.use(body)
    assert first.cache_creation_input_tokens and not first.cache_read_input_tokens
    second = cache.use(body)
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert second.total == first.total
    now[0] = 301.0
    assert cache.use(body).cache_read_input_tokens == 0
    assert cache.use({**body, "model": "other"}).cache_read_input_tokens == 0  # a cache per model


def test_attachment_types_come_from_the_bytes() -> None:
    from tui_chat.attachments import AttachmentError, attachment_from_bytes

    gif = b"GIF89a" + struct.pack("<HH", 30, 20) + b"\x00" * 20
    jpeg = (
        b"\xff\xd8\xff\xe0" + struct.pack(">H", 16) + b"\x00" * 14 + b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 600, 800)
    )
    webp = b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\x00" * 8 + (639).to_bytes(3, "little") + (479).to_bytes(3, "little")
    for data, media_type, detail in (
        (gif, "image/gif", "30×20 px"),
        (jpeg + b"\x00" * 20, "image/jpeg", "800×600 px"),
        (webp, "image/webp", "640×480 px"),
        (PDF, "application/pdf", "1 page"),
        ("日本語\n".encode(), "text/plain", "1 line"),
    ):
        attachment = attachment_from_bytes("f", data)
        assert (attachment.media_type, attachment.detail) == (media_type, detail)
    named_png = attachment_from_bytes("photo.txt", png(3, 2))  # the name says text; the bytes say PNG
    assert named_png.media_type == "image/png" and named_png.block()["type"] == "image"
    with pytest.raises(AttachmentError, match="not a file type the API takes"):
        attachment_from_bytes("latin1.txt", "café".encode("latin-1"))


def test_the_flags_set_the_controls_of_new_conversations() -> None:
    from tui_chat.cli import build_parser, controls_from

    parser = build_parser()
    args = parser.parse_args(["--thinking", "omitted", "--effort", "low", "--search", "--code-exec", "--no-cache"])
    assert controls_from(args) == RequestControls("omitted", "low", True, True, False)
    assert controls_from(parser.parse_args([])) == RequestControls()
    with pytest.raises(SystemExit):
        parser.parse_args(["--effort", "extreme"])


async def test_closing_mid_answer_reports_no_context_after_the_end() -> None:
    """Quitting while an answer streams ends it; the screen is being taken down then, so nothing more is reported."""
    async with driver(pace=1) as d:
        await d.controller.send("long")
        answer = d.controller.conversation.turns[-1]
        await d.until(lambda: bool(answer.answer_text))
        await d.controller.aclose()
        ended = d.log.index(d.of(reports.AnswerEnded)[-1])
        assert not [r for r in d.log[ended:] if isinstance(r, reports.ContextChanged)]


def test_server_tool_blocks_are_explained() -> None:
    from tui_chat.session.inspect import explain_wire
    from tui_chat.stream.wire import WireEvent

    def start(block: dict[str, Any]) -> WireEvent:
        payload = {"type": "content_block_start", "index": 1, "content_block": block}
        return WireEvent.from_frame(0, 0.0, f"event: content_block_start\ndata: {json.dumps(payload)}\n\n".encode())

    assert "A server tool call" in explain_wire(start({"type": "server_tool_use", "id": "s", "name": "web_search"}))
    assert "encrypted_content" in explain_wire(start({"type": "web_search_tool_result", "content": []}))
    assert "sandbox" in explain_wire(start({"type": "bash_code_execution_tool_result", "content": {}}))
    assert "display: omitted" in explain_wire(start({"type": "thinking", "thinking": "", "signature": ""}))
    citation = {"type": "content_block_delta", "index": 3, "delta": {"type": "citations_delta", "citation": {}}}
    delta = WireEvent.from_frame(0, 0.0, f"event: content_block_delta\ndata: {json.dumps(citation)}\n\n".encode())
    assert "A citation" in explain_wire(delta)
