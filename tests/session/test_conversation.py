"""Conversation state (`session/conversation.py`): the history sent back to the API on each turn, the session's
totals, and a turn's token counts."""

from __future__ import annotations

from tui_chat.session.conversation import NOT_RUN_MOVED_ON, Block, Conversation, TurnMetrics, TurnStatus


def answer(conversation: Conversation, content: list[dict], status: TurnStatus = TurnStatus.COMPLETE) -> None:
    turn = conversation.start_assistant()
    turn.api_content = content
    turn.status = status


def test_plain_two_turns() -> None:
    conversation = Conversation(model="m")
    conversation.add_user("hi")
    answer(conversation, [{"type": "text", "text": "hello"}])
    conversation.add_user("again")
    assert conversation.api_messages() == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [{"type": "text", "text": "hello"}]},
        {"role": "user", "content": "again"},
    ]


def test_streaming_turn_is_not_sent() -> None:
    conversation = Conversation(model="m")
    conversation.add_user("hi")
    conversation.start_assistant()
    assert conversation.api_messages() == [{"role": "user", "content": "hi"}]


def test_thinking_blocks_are_sent_back_unchanged() -> None:
    conversation = Conversation(model="m")
    conversation.add_user("q")
    blocks = [{"type": "thinking", "thinking": "hmm", "signature": "sig=="}, {"type": "text", "text": "a"}]
    answer(conversation, blocks)
    conversation.add_user("next")
    assert conversation.api_messages()[1]["content"] == blocks


def test_an_unanswered_tool_use_is_answered_not_run_when_the_user_writes_again() -> None:
    conversation = Conversation(model="m")
    conversation.add_user("weather?")
    answer(conversation, [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}])
    conversation.add_user("well?")
    last = conversation.api_messages()[-1]
    assert last["content"][0] == {
        "type": "tool_result",
        "tool_use_id": "toolu_1",
        "content": NOT_RUN_MOVED_ON,
        "is_error": True,
    }
    assert last["content"][1] == {"type": "text", "text": "well?"}


def tool_loop() -> Conversation:
    """An answer with two parallel calls, their results, and the continuation."""
    conversation = Conversation(model="m")
    conversation.add_user("time and sum?")
    calls = [
        {"type": "text", "text": "Checking."},
        {"type": "tool_use", "id": "t1", "name": "current_time", "input": {}},
        {"type": "tool_use", "id": "t2", "name": "calculator", "input": {"expression": "1+1"}},
    ]
    answer(conversation, calls)
    results = [
        {"type": "tool_result", "tool_use_id": "t1", "content": "noon"},
        {"type": "tool_result", "tool_use_id": "t2", "content": "The user refused.", "is_error": True},
    ]
    blocks = [Block(0, "tool_result", "noon", "current_time", "t1"), Block(1, "tool_result", "no", "calculator", "t2")]
    conversation.add_tool_results(blocks, results)
    answer(conversation, [{"type": "text", "text": "It is noon."}])
    return conversation


def test_a_tool_loop_is_sent_as_tool_use_then_one_user_message_of_tool_results() -> None:
    conversation = tool_loop()
    messages = conversation.api_messages()
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert [b["tool_use_id"] for b in messages[2]["content"]] == ["t1", "t2"]
    assert messages[2]["content"][1]["is_error"] is True
    assert [t.request_index for t in conversation.turns if t.role == "assistant"] == [0, 1]
    assert {t.number for t in conversation.turns if t.role == "assistant"} == {1}
    conversation.add_user("thanks")
    assert conversation.start_assistant().number == 2  # a new turn, not a third request of the loop


def test_a_loaded_loop_gets_its_request_indexes_back() -> None:
    conversation = tool_loop()
    for turn in conversation.turns:
        turn.request_index = 0
    conversation.link_requests()
    assert [t.request_index for t in conversation.turns if t.role == "assistant"] == [0, 1]
    assert len(conversation.loop_requests(conversation.turns[-1])) == 2


def test_a_stopped_loop_answers_its_calls_only_in_the_export() -> None:
    conversation = Conversation(model="m")
    conversation.add_user("time?")
    answer(conversation, [{"type": "tool_use", "id": "t1", "name": "current_time", "input": {}}])
    assert conversation.unanswered_tool_calls and conversation.api_messages()[-1]["role"] == "assistant"
    closed = conversation.api_messages(answer_pending=True)
    assert closed[-1]["role"] == "user" and closed[-1]["content"][0]["tool_use_id"] == "t1"


def test_partial_answers_keep_only_their_text() -> None:
    conversation = Conversation(model="m")
    conversation.add_user("q")
    partial = [
        {"type": "thinking", "thinking": "half", "signature": ""},
        {"type": "text", "text": "partial answer  \n"},
        {"type": "tool_use", "id": "t", "name": "x", "input": {}},
    ]
    answer(conversation, partial, TurnStatus.FAILED)
    conversation.add_user("go on")
    messages = conversation.api_messages()
    assert messages[1] == {"role": "assistant", "content": [{"type": "text", "text": "partial answer"}]}
    assert messages[2] == {"role": "user", "content": "go on"}


def test_empty_failed_turn_merges_user_messages() -> None:
    conversation = Conversation(model="m")
    conversation.add_user("first")
    answer(conversation, [], TurnStatus.FAILED)
    conversation.add_user("second")
    assert conversation.api_messages() == [
        {"role": "user", "content": [{"type": "text", "text": "first"}, {"type": "text", "text": "second"}]}
    ]


def test_display_text_is_sanitized_but_history_is_not_changed() -> None:
    conversation = Conversation(model="m")
    turn = conversation.add_user("a\x1b]0;title\x07b")
    assert turn.text == "a]0;titleb"
    assert conversation.api_messages()[0]["content"] == "a\x1b]0;title\x07b"


def test_totals() -> None:
    conversation = Conversation(model="m")
    conversation.add_user("q")
    answer(conversation, [])
    turn = conversation.turns[-1]
    turn.metrics.input_tokens, turn.metrics.output_tokens = 10, 20
    turn.metrics.cache_read_input_tokens = 1000
    totals = conversation.totals()
    assert (totals.turns, totals.input_tokens, totals.output_tokens) == (1, 10, 20)
    assert totals.total_input_tokens == 1010 == turn.metrics.total_input_tokens


def test_replayed_turns_are_not_in_the_session_totals() -> None:
    conversation = Conversation(model="m")
    conversation.add_user("q")
    answer(conversation, [])
    conversation.turns[-1].metrics.output_tokens = 20
    conversation.add_user("replay").replay = "a recording"
    answer(conversation, [])
    replayed = conversation.turns[-1]
    replayed.replay = "a recording"
    replayed.metrics.output_tokens = 500
    totals = conversation.totals()
    assert (totals.turns, totals.output_tokens) == (1, 20)


def test_a_streaming_answer_counts_its_estimate_in_the_totals() -> None:
    conversation = Conversation(model="m")
    conversation.add_user("q")
    turn = conversation.start_assistant()
    turn.metrics.output_tokens = 1  # what message_start reports
    turn.metrics.streamed_chars = 400
    totals = conversation.totals()
    assert (totals.output_tokens, totals.output_estimated) == (100, True)
    turn.metrics.output_tokens, turn.metrics.output_tokens_final = 98, True
    turn.status = TurnStatus.COMPLETE
    totals = conversation.totals()
    assert (totals.output_tokens, totals.output_estimated) == (98, False)


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
