"""Request controls (`tui_chat/controls.py`): thinking, effort, web search and fetch, code execution, prompt
caching. The chat controller drives the real SDK over loopback against the demo server, and each request is
checked from the server's side; a control a model does not take is refused; a conversation keeps its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.controller import answer_to, driver, messages_bodies
from tui_chat.controls import RequestControls
from tui_chat.session import reports
from tui_chat.session.pricing import CACHE_READ_MULTIPLIER, CACHE_WRITE_MULTIPLIER, price_for
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


# ------------------------------------------------------------------------------------ saved as JSON
def test_controls_survive_bad_saved_json() -> None:
    assert RequestControls.from_json('{"thinking": "loud", "effort": 3, "web": "yes", "cache": false}') == (
        RequestControls(cache=False)
    )
    assert RequestControls.from_json("not json") == RequestControls()
    assert RequestControls.from_json(RequestControls("omitted", "max", True).to_json()) == RequestControls(
        "omitted", "max", True
    )
