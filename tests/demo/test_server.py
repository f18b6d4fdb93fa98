"""The demo server speaks the Messages API: through the real SDK, streaming and not."""

from __future__ import annotations

import json

import anthropic
import pytest
from anthropic import AsyncAnthropic

from tests.support.paths import REPO
from tui_chat.demo.scenarios import SCENARIOS
from tui_chat.demo.script import split_tokens
from tui_chat.demo.server import MODELS, DemoServer
from tui_chat.session.conversation import Block, Conversation
from tui_chat.session.recorder import TurnRecorder
from tui_chat.stream.event_stream import EventStream
from tui_chat.stream.retry import RetryPolicy
from tui_chat.stream.types import Outcome

ASK = {"model": "claude-sonnet-5-5", "max_tokens": 2048}


def ask(text: str) -> dict:
    return {**ASK, "messages": [{"role": "user", "content": text}]}


def test_tokens_join_back() -> None:
    for text in ("Hello, world!\n\n  code  ", "日本語のテキスト 🎉", ""):
        assert "".join(split_tokens(text)) == text


async def test_models_and_count_tokens(client: AsyncAnthropic) -> None:
    models = [m async for m in client.models.list()]
    assert [m.id for m in models] == [m.id for m in MODELS]
    assert all(m.max_input_tokens and m.max_tokens for m in models)
    count = await client.messages.count_tokens(model="claude-sonnet-5-5", messages=[{"role": "user", "content": "hi"}])
    assert count.input_tokens > 0


async def test_non_streaming_equals_streaming(client: AsyncAnthropic) -> None:
    message = await client.messages.create(**ask("markdown please"))
    stream = EventStream(client, **ask("markdown please"))
    assert await stream.run() is Outcome.COMPLETE
    assert stream.snapshot is not None
    assert message.content[0].text == stream.snapshot.content[0].text
    assert "```python" in message.content[0].text
    assert message.usage.output_tokens == stream.snapshot.usage.output_tokens


async def test_max_tokens_cuts_the_answer(client: AsyncAnthropic) -> None:
    stream = EventStream(client, **{**ask("long"), "max_tokens": 10})
    await stream.run()
    assert stream.snapshot is not None
    assert stream.snapshot.stop_reason == "max_tokens"
    assert stream.snapshot.usage.output_tokens == 10


async def test_api_errors(client: AsyncAnthropic) -> None:
    with pytest.raises(anthropic.NotFoundError):
        await client.messages.create(model="gpt-4", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    with pytest.raises(anthropic.BadRequestError, match="temperature"):
        await client.messages.create(**ask("x"), extra_body={"temperature": 0})
    with pytest.raises(anthropic.BadRequestError, match="tool_result"):
        await client.messages.create(
            **{
                **ASK,
                "messages": [
                    {"role": "user", "content": "x"},
                    {
                        "role": "assistant",
                        "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}],
                    },
                    {"role": "user", "content": "y"},
                ],
            }
        )


@pytest.mark.parametrize("word,status", [("429", 429), ("529", 529)])
async def test_retries_are_visible(word: str, status: int, client: AsyncAnthropic) -> None:
    notices = []

    class Watch(EventStream):
        async def on_retry(self, notice):  # type: ignore[no-untyped-def]
            notices.append(notice)

    stream = Watch(client, retry_policy=RetryPolicy(max_retries=2, max_backoff=0.05, initial_delay=0.01), **ask(word))
    assert await stream.run() is Outcome.COMPLETE
    assert notices and all(n.status == status for n in notices)
    assert [n.attempt for n in notices] == list(range(1, len(notices) + 1))
    if word == "429":
        assert notices[0].wait == pytest.approx(1.0)  # retry-after honoured
    assert stream.record.attempts == len(notices) + 1
    assert f"attempt {len(notices) + 1}" in stream.snapshot.content[0].text


async def test_no_retry_budget_fails_with_the_status(client: AsyncAnthropic) -> None:
    stream = EventStream(client, retry_policy=RetryPolicy(max_retries=0), **ask("429"))
    assert await stream.run() is Outcome.ERROR
    assert isinstance(stream.error, anthropic.RateLimitError)


@pytest.mark.parametrize(
    "word,outcome,error",
    [
        ("error", Outcome.ERROR, "APIStatusError"),
        ("drop", Outcome.ERROR, "RemoteProtocolError"),
        ("incomplete", Outcome.INCOMPLETE, "IncompleteStreamError"),
    ],
)
async def test_failure_scenarios_keep_the_partial_answer(
    word: str, outcome: Outcome, error: str, client: AsyncAnthropic
) -> None:
    stream = EventStream(client, **ask(word))
    assert await stream.run() is outcome
    assert type(stream.error).__name__ == error
    assert stream.snapshot is not None and stream.snapshot.content[0].text


async def test_stall_fires_the_read_timeout(demo_server: DemoServer) -> None:
    import httpx2

    timed = AsyncAnthropic(
        api_key="k", base_url=demo_server.base_url, max_retries=0, timeout=httpx2.Timeout(0.5, connect=2)
    )
    calls = []

    class Watch(EventStream):
        async def on_timeout(self) -> None:
            calls.append("timeout")

        async def on_exception(self, exception: BaseException) -> None:
            calls.append(type(exception).__name__)

        async def on_end(self) -> None:
            calls.append("end")

    stream = Watch(timed, **ask("stall"))
    assert await stream.run() is Outcome.TIMEOUT
    assert calls == ["timeout", "ReadTimeout", "end"]
    await timed.close()


async def test_the_tool_scenario_calls_an_offered_tool_then_answers_with_its_result(client: AsyncAnthropic) -> None:
    from tui_chat.tools.builtin import CALCULATOR, CURRENT_TIME

    offered = [CURRENT_TIME.definition(), CALCULATOR.definition()]
    conversation = Conversation(model="claude-sonnet-5-5")
    conversation.add_user("use a tool to calculate 6 * 7")
    turn = conversation.start_assistant()
    assert await TurnRecorder(client, conversation, turn, client_tools=offered).run() is Outcome.COMPLETE
    tool = next(b for b in turn.blocks if b.is_tool_use)
    assert tool.name == "calculator" and json.loads(tool.text) == {"expression": "6 * 7"}
    assert turn.metrics.stop_reason == "tool_use"
    (call,) = turn.tool_calls
    blocks = [Block(0, "tool_result", "6 * 7 = 42", "calculator", call["id"])]
    conversation.add_tool_results(blocks, [{"type": "tool_result", "tool_use_id": call["id"], "content": "6 * 7 = 42"}])
    follow = conversation.start_assistant()
    assert await TurnRecorder(client, conversation, follow, client_tools=offered).run() is Outcome.COMPLETE
    assert "`calculator`** returned: 6 * 7 = 42" in follow.answer_text and follow.request_index == 1


async def test_without_tools_offered_the_tool_scenario_says_how_to_turn_them_on(client: AsyncAnthropic) -> None:
    conversation = Conversation(model="claude-sonnet-5-5")
    conversation.add_user("use a tool")
    turn = conversation.start_assistant()
    assert await TurnRecorder(client, conversation, turn).run() is Outcome.COMPLETE
    assert not turn.tool_calls and "/tools on" in turn.answer_text


async def test_a_history_with_tool_calls_but_no_tools_is_refused_as_the_api_does(client: AsyncAnthropic) -> None:
    messages = [
        {"role": "user", "content": "x"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "y"}]},
    ]
    with pytest.raises(anthropic.BadRequestError, match="must define tools"):
        await client.messages.create(**{**ASK, "messages": messages})


async def test_thinking_scenario(client: AsyncAnthropic) -> None:
    conversation = Conversation(model="claude-sonnet-5-5")
    conversation.add_user("think first")
    turn = conversation.start_assistant()
    await TurnRecorder(client, conversation, turn).run()
    assert [b.kind for b in turn.blocks] == ["thinking", "text"]
    assert turn.api_content[0]["signature"]


def test_every_scenario_is_documented() -> None:

    readme = (REPO / "README.md").read_text()
    for scenario in SCENARIOS:
        assert f"`{scenario.word}`" in readme
