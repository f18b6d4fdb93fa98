"""`TurnRecorder`: what a turn records of its stream: metrics, the request as sent, errors without the key."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import pytest
from anthropic import AsyncAnthropic

from tests.support.attachments import png
from tests.support.attacks import KEY_PIECES, LINE_BROKEN_KEY
from tests.support.hostile_server import HostileServer, RawReply, answer
from tui_chat.controls import RequestControls
from tui_chat.demo.server import DemoServer
from tui_chat.session.conversation import Conversation
from tui_chat.session.export import conversation_to_markdown
from tui_chat.session.recorder import TurnRecorder
from tui_chat.session.store import ConversationStore
from tui_chat.stream.retry import RetryPolicy


async def test_metrics_details(client: AsyncAnthropic) -> None:
    conversation = Conversation(model="claude-sonnet-5-5")
    conversation.add_user("think about it")
    turn = conversation.start_assistant()
    await TurnRecorder(client, conversation, turn).run()
    metrics = turn.metrics
    assert metrics.thinking_tokens and metrics.thinking_tokens > 0
    assert metrics.rate_limits["requests"] == "49"
    assert metrics.request_id and metrics.request_id.startswith("req_demo_")
    assert len(metrics.delta_times) == metrics.deltas
    assert len(metrics.inter_token_ms(10)) == 10
    assert metrics.cost("claude-sonnet-5-5") == pytest.approx(
        (metrics.input_tokens or 0) * 2 / 1e6 + (metrics.output_tokens or 0) * 10 / 1e6
    )


async def test_the_request_is_recorded_as_sent_with_the_key_redacted(demo_server: DemoServer) -> None:
    secret = "sk-ant-" + "api03-very-secret-key-0123456789"
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


async def test_an_error_never_shows_the_key_it_was_sent_with(tmp_path: Path) -> None:
    """Item 3 through the real SDK: httpx refuses a two-line key with an error quoting the whole header. The
    app refuses such a key at start; should one reach a client anyway, the turn's error (shown, stored,
    exported) has no piece of it."""
    with HostileServer() as server:
        server.always("/v1/messages", RawReply(answer("never sent")))
        client = AsyncAnthropic(api_key=LINE_BROKEN_KEY, base_url=server.base_url, max_retries=0)
        conversation = Conversation(model="m")
        user = conversation.add_user("q")
        turn = conversation.start_assistant()
        await TurnRecorder(client, conversation, turn, retry_policy=RetryPolicy(max_retries=1)).run()
        await client.close()
        assert server.requests == []  # (httpx refused to send it)
    assert turn.error is not None and "Illegal header value" in turn.error.summary
    assert turn.retries and "Illegal header value" in turn.retries[0].reason
    with ConversationStore(tmp_path) as store:
        store.save_turn(conversation, user)
        store.save_turn(conversation, turn)
        loaded = store.load(conversation.id)
    for text in (repr(turn.error), repr(turn.retries), repr(loaded.turns[1].error), conversation_to_markdown(loaded)):
        assert not any(piece.decode() in text for piece in KEY_PIECES), text
    with sqlite3.connect(tmp_path / "conversations.sqlite3") as db:
        dump = "\n".join(db.iterdump())
    assert not any(piece.decode() in dump for piece in KEY_PIECES)
