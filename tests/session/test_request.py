"""The request a conversation makes: each control's parameters, the cache marks."""

from __future__ import annotations

from tui_chat.controls import RequestControls
from tui_chat.session.conversation import Conversation, TurnStatus


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
