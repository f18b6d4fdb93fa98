"""The demo server's answers: deterministic, and written to explain what the user is looking at.

A scenario is chosen by a word in the user's latest message (see `SCENARIOS`); anything else gets
the welcome answer. Every answer notes how much history the request carried, so a newcomer can
see that a chat client re-sends the whole conversation on every turn.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tui_chat.demo import client_tools, features
from tui_chat.demo.bench_content import bench_text, parse_bench_prompt
from tui_chat.demo.features import Features
from tui_chat.demo.script import Block, Reply, count_tokens


@dataclass(frozen=True)
class HttpFailure:
    """An HTTP error to send instead of a stream (before any event)."""

    status: int
    error_type: str
    message: str
    retry_after: float | None = None
    should_retry: bool | None = None


@dataclass(frozen=True)
class RequestView:
    """What a scenario needs to know about the request."""

    text: str
    """The latest user message's text."""
    turn: int
    """How many user turns the conversation has (this one included)."""
    message_count: int
    input_tokens: int
    attempt: int
    """0 for the first attempt; the SDK's `x-stainless-retry-count` otherwise."""
    model: str
    tool_results: int
    """Tool results in the latest user message."""
    features: Features = field(default_factory=Features)
    """Its controls: thinking, effort, server tools, attachments (see `demo.features`)."""
    client_tools: client_tools.ClientTools | None = None
    """The client tools offered and the tool results sent back (see `demo.client_tools`)."""


@dataclass(frozen=True)
class Scenario:
    word: str
    summary: str
    build: Callable[[RequestView], Reply | HttpFailure]
    pattern: re.Pattern[str]


def _history_note(view: RequestView) -> str:
    plural = "" if view.message_count == 1 else "s"
    return (
        f"\n\n_Turn {view.turn} of this conversation: your request carried {view.message_count} "
        f"message{plural} of history ({view.input_tokens:,} input tokens)._"
    )


WELCOME = """# Welcome to claude-tui

You are talking to the **demo server**: it runs inside claude-tui on `127.0.0.1`, needs no API key \
and sends the real Messages API streaming protocol, byte for byte. Everything you see here is what \
Claude would send.

## What you are looking at

- **This pane** shows the answer while it streams, rendered as markdown.
- **The inspector** (press **F2**) lists every server-sent event as it arrives: `message_start`, then \
for each content block a `content_block_start`, its `content_block_delta`s and a `content_block_stop`, \
then `message_delta` (stop reason, output tokens) and `message_stop`. A `ping` can come at any point.
- **Metrics** show the time to first token (TTFT), the total time, input tokens (from \
`message_start`), output tokens (from `message_delta`), tokens per second and the stop reason.

## Try a scenario

Put one of these words in a message:

| word | what the server does |
|---|---|
{table}

Press **Esc** to stop an answer, **ctrl+p** for commands and **ctrl+q** to quit."""


LONG_SECTIONS = [
    (
        "Why stream at all",
        "A model writes its answer one token at a time. Without streaming, the API waits until the last "
        "token exists and then sends everything at once, so the person at the keyboard stares at nothing "
        "for the whole generation. With streaming, each piece is sent the moment it exists. The total time "
        "does not change, but the time to first token drops from the length of the whole answer to the "
        "time it takes to read the prompt and produce one token. For a long answer that is the difference "
        "between waiting forty seconds and waiting one.",
    ),
    (
        "Server-sent events",
        "The Messages API streams with server-sent events, a very plain format on top of an ordinary HTTP "
        "response. The response is sent with chunked transfer encoding and the content type "
        "text/event-stream. Each event is a line that starts with event and a name, a line that starts "
        "with data and a JSON object, and a blank line. The name always matches the type field inside the "
        "JSON. Lines that start with a colon are comments, and a client must ignore fields it does not "
        "know. Nothing about the framing lines up with network packets: one read from the socket can hold "
        "half an event, or five of them, or split a multibyte character in two, so a client buffers bytes "
        "until it sees the blank line and only then decodes them.",
    ),
    (
        "The grammar of a response",
        "Every successful stream has the same shape. It opens with message_start, which carries the "
        "message id, the model, an empty content list and the usage so far, including the input tokens. "
        "Then come the content blocks, one after another. Each block opens with content_block_start, which "
        "says what kind of block it is and where it sits in the final content list, receives any number of "
        "content_block_delta events, and closes with content_block_stop. After the last block the server "
        "sends message_delta with the stop reason and the output token count, and finally message_stop, "
        "which is the only proof that nothing was lost on the way.",
    ),
    (
        "Deltas of different kinds",
        "A text block grows through text_delta events. A thinking block grows through thinking_delta "
        "events and ends with a signature_delta, an opaque value that has to be sent back unchanged on "
        "the next turn. A tool call grows through input_json_delta events whose fragments are pieces of a "
        "JSON document: they split keys and strings in the middle, so a client joins them and parses the "
        "whole only when the block stops. A text block can also receive citations_delta events that "
        "attach a source to the text around them.",
    ),
    (
        "Pings and errors",
        "Two more events can appear anywhere. A ping carries nothing; it keeps proxies and load balancers "
        "from closing a connection that has been quiet for a while, for example while a model thinks "
        "before its first token. An error event is different: it replaces the rest of the stream. The "
        "HTTP status was already two hundred when the stream began, so a server that runs into trouble "
        "halfway, such as an overloaded error, can only say so inside the stream. A good client keeps "
        "the partial answer, says plainly what happened and offers to try again.",
    ),
    (
        "Counting tokens",
        "Usage arrives in two places. The message_start event reports the input tokens, including any "
        "tokens written to or read from the prompt cache. The message_delta event reports the output "
        "tokens, and its counts are cumulative totals rather than increments, so a client overwrites "
        "its numbers instead of adding to them. Tokens per second is the output count divided by the "
        "time between the first and the last delta; the time to first token is measured from sending "
        "the request to the first content delta.",
    ),
    (
        "What the SDK adds",
        "The Python SDK turns each event into a typed object and, in its streaming helper, accumulates "
        "a snapshot of the message as it grows. It also makes up events of its own that are not on the "
        "wire: a text event after each text delta with the text so far, thinking and signature events, "
        "input_json events carrying the tool input parsed so far, and citation events. It silently drops "
        "pings. claude-tui reads the frames itself, so the inspector shows the protocol exactly as it "
        "crossed the network, and it hands the same bytes to the SDK so the accumulated message is "
        "exactly what the SDK would build.",
    ),
    (
        "When things go wrong",
        "Failures before the stream starts are ordinary HTTP errors: a 429 when a rate limit is hit, a "
        "529 when the service is overloaded, a 401 for a bad key. The SDK retries the transient ones with "
        "a growing pause, honouring a retry-after header when the server sends one. Once the stream has "
        "started nothing is retried. The connection can drop, the server can stall, or the body can end "
        "without message_stop; each of these has to be noticed by the client, because some of them raise "
        "no exception at all.",
    ),
]

CODE_ANSWER = """## Streaming with claude-tui's `EventStream`

The tutorial's handler API (`on_text`, `on_stream_event`, ...) was removed from the SDK. claude-tui \
brings it back on top of `messages.create(stream=True)`:

```python
import asyncio
from anthropic import AsyncAnthropic
from tui_chat.stream.event_stream import EventStream


class Printer(EventStream):
    async def on_stream_event(self, event):
        print(f"[{event.type}]")  # every wire event, pings included

    async def on_text(self, text, snapshot):
        print(text, end="", flush=True)


async def main() -> None:
    client = AsyncAnthropic()
    stream = Printer(
        client,
        model="claude-sonnet-5-5",
        max_tokens=1024,
        messages=[{"role": "user", "content": "Write a haiku about streams"}],
    )
    outcome = await stream.run()  # never raises; failures go to on_exception
    print("\\n", outcome, stream.snapshot.usage)


asyncio.run(main())
```

### The events of one answer

| event | carries | how many |
|---|---|---|
| `message_start` | id, model, input tokens | 1 |
| `content_block_start` | block type and index | 1 per block |
| `content_block_delta` | a piece of text, thinking or tool JSON | many |
| `content_block_stop` | the index | 1 per block |
| `message_delta` | stop reason, output tokens | 1 or more |
| `message_stop` | nothing: the stream is complete | 1 |
| `ping` | nothing: keep-alive | any |

### The same stream with `curl`

```bash
curl -N https://api.anthropic.com/v1/messages \\
  -H "x-api-key: $ANTHROPIC_API_KEY" -H "anthropic-version: 2023-06-01" \\
  -H "content-type: application/json" \\
  -d '{"model": "claude-sonnet-5-5", "max_tokens": 256, "stream": true,
       "messages": [{"role": "user", "content": "Hello"}]}'
```

> **Tip:** open the inspector (F2) and compare the `content_block_delta` lines with the text above."""

THINKING = (
    "The user wants to see extended thinking. I should explain what a thinking block is on the wire. "
    "It arrives as its own content block, before the text: content_block_start with type thinking, "
    "then thinking_delta events, then a single signature_delta just before content_block_stop. The "
    "signature is opaque and must be sent back with the block unchanged on the next turn, or the API "
    "rejects the request. Thinking tokens count as output tokens. In the inspector the block index of "
    "the thinking block is 0 and the answer text is block 1. Let me keep the answer short ≈ a few lines."
)

THINKING_ANSWER = (
    "I thought before answering, and the thinking arrived **first, as block 0** — it is folded away "
    "above this text (select it to expand).\n\n"
    "- It streamed as `thinking_delta` events, then one `signature_delta`.\n"
    "- The signature is opaque: claude-tui sends the block back unchanged with the next request.\n"
    "- This text is block 1, streamed as `text_delta` events.\n\n"
    "In the inspector, look for `content_block_start` with `thinking`, and for the signature just "
    "before its `content_block_stop`."
)

JAPANESE = (
    "## ストリーミングとは\n\n"
    "ストリーミングでは、モデルが生成したトークンを**一つずつ**すぐに送ります。"
    "回答全体の完成を待つ必要がないので、最初のトークンまでの時間(TTFT)が大きく短くなります。\n\n"
    "1. `message_start` — メッセージの開始と入力トークン数\n"
    "2. `content_block_delta` — テキストの断片(日本語の文字も途中で分割されることがあります)\n"
    "3. `message_delta` — 停止理由と出力トークン数\n"
    "4. `message_stop` — 完了の合図\n\n"
    "インスペクター(F2)で、各イベントが届く様子を見てください。絵文字も大丈夫です 🎉"
)

ERROR_TEXT = (
    "This answer starts normally and streams a few sentences, so there is something to keep. Then, "
    "halfway through, the server reports that it is overloaded with an error event inside the stream, "
    "and nothing else follows: no content_block_stop, no message_delta and no message_stop"
)

DROP_TEXT = (
    "This answer streams for a while and then the connection is cut in the middle of the body, the way "
    "a dropped Wi-Fi or a closed laptop lid would cut it. The HTTP client notices an incomplete chunked "
    "read; the partial text you see stays"
)

SLOW_TEXT = (
    "Sorry to keep you waiting! The server sent `message_start` and the first `content_block_start` at "
    "once, then only `ping` events for three seconds before this first token. Pings carry no data; they "
    "keep the connection alive while the model works. The SDK drops them — claude-tui shows them in the "
    "inspector. Look at the TTFT in the metrics."
)

STALL_TEXT = (
    "This answer streams a little and then the server goes quiet without closing the connection. Only a "
    "read timeout can notice that"
)

INCOMPLETE_TEXT = (
    "This answer ends cleanly at the HTTP level, but the stream never sends message_stop. The SDK raises "
    "nothing in this case; claude-tui checks for message_stop itself and marks the turn incomplete."
)

HOSTILE_TEXT = (
    "Model output is untrusted. This answer contains things a careless client would act on:\n\n"
    "- markup: [bold]not bold[/bold], [/], [@click=app.quit]click me[/], [link=https://example.com]link[/link]\n"
    "- a terminal title change: \x1b]0;PWNED\x07 and a clipboard write: \x1b]52;c;cm0gLXJmIH4=\x07\n"
    "- a screen clear: \x1b[2J\x1b[H and colour: \x1b[31mred\x1b[0m, a C1 CSI: \x9b31m\n"
    "- an OSC 8 hyperlink: \x1b]8;;https://evil.example\x1b\\innocent\x1b]8;;\x1b\\\n"
    "- bidi controls: \u202eevil\u202c, a zero-width space: a\u200bb, and tag characters (text a model reads but "
    "you do not see): \U000e0068\U000e0069\n\n"
    "claude-tui strips the control characters where text enters the app and shows hidden characters as marks, so "
    "all of it is inert and nothing hides."
)

RETRIED_TEXT = (
    "This answer arrived on attempt {attempt}. The first {failed} attempt{s} got HTTP {status} before any "
    "event was sent. claude-tui turns the SDK's hidden retries off and retries itself with the same policy "
    "(honouring `retry-after`), so each retry and its wait was shown while it happened."
)


def _long(view: RequestView) -> Reply:
    parts = ["# How streaming works, from the wire up\n"]
    for title, body in LONG_SECTIONS:
        parts.append(f"## {title}\n\n{body}\n")
    parts.append(
        "## In short\n\nStreaming changes when you see the answer, not how long it takes. Watch the "
        "metrics pane: the time to first token is a fraction of the total time." + _history_note(view)
    )
    return Reply([Block("text", "\n".join(parts))])


def _code(view: RequestView) -> Reply:
    return Reply([Block("text", CODE_ANSWER + _history_note(view))])


def _thinking(view: RequestView) -> Reply:
    signature = "ZGVtby1zaWduYXR1cmUtbm90LWEtcmVhbC1vbmU="
    return Reply(
        [
            Block("thinking", THINKING, extra={"signature": signature}),
            Block("text", THINKING_ANSWER + _history_note(view)),
        ]
    )


def _tool(view: RequestView) -> Reply:
    tools = view.client_tools or client_tools.ClientTools({}, [], {}, view.text, 0)
    return client_tools.ask_for_tools(tools, view.text, view.turn, parallel=False)


def _parallel_tools(view: RequestView) -> Reply:
    tools = view.client_tools or client_tools.ClientTools({}, [], {}, view.text, 0)
    return client_tools.ask_for_tools(tools, view.text, view.turn, parallel=True)


def _error(view: RequestView) -> Reply:
    return Reply(
        [Block("text", ERROR_TEXT + " and more text that never arrives.")],
        error_after=count_tokens(ERROR_TEXT),
    )


def _drop(view: RequestView) -> Reply:
    return Reply([Block("text", DROP_TEXT + ", and the rest never arrives.")], drop_after=count_tokens(DROP_TEXT))


def _slow(view: RequestView) -> Reply:
    return Reply([Block("text", SLOW_TEXT + _history_note(view))], slow_pings=6, first_token_delay=0.5)


def _stall(view: RequestView) -> Reply:
    return Reply([Block("text", STALL_TEXT + ", and then it waits forever.")], stall_after=count_tokens(STALL_TEXT))


def _incomplete(view: RequestView) -> Reply:
    return Reply([Block("text", INCOMPLETE_TEXT)], omit_message_stop=True)


def _japanese(view: RequestView) -> Reply:
    return Reply([Block("text", JAPANESE + _history_note(view))])


HOSTILE_ERROR = "Overloaded \x1b]0;PWNED-BY-ERROR\x07 [bold]markup[/] [@click=app.quit]quit[/] \x1b[2J"


def _hostile(view: RequestView) -> Reply:
    """Hostile text in the answer, then in an `error` event (notifications and notices show it too)."""
    shown = HOSTILE_TEXT + " The error event below carries some too."
    return Reply(
        [Block("text", shown + " (This sentence never arrives.)")],
        error_after=count_tokens(shown),
        error_message=HOSTILE_ERROR,
    )


def _retried(
    status: int, error_type: str, message: str, fail_times: int, retry_after: float | None
) -> Callable[[RequestView], Reply | HttpFailure]:
    def build(view: RequestView) -> Reply | HttpFailure:
        if view.attempt < fail_times:
            return HttpFailure(status, error_type, message, retry_after=retry_after, should_retry=True)
        text = RETRIED_TEXT.format(
            attempt=view.attempt + 1, failed=fail_times, s="" if fail_times == 1 else "s", status=status
        )
        return Reply([Block("text", text + _history_note(view))])

    return build


def _welcome(view: RequestView) -> Reply:
    if view.tool_results and view.client_tools is not None:
        return client_tools.answer_with_results(view.client_tools)
    table = "\n".join(f"| `{s.word}` | {s.summary} |" for s in SCENARIOS)
    return Reply([Block("text", WELCOME.format(table=table) + _history_note(view))])


def _scenario(word: str, summary: str, build: Callable[[RequestView], Reply | HttpFailure], regex: str) -> Scenario:
    return Scenario(word, summary, build, re.compile(regex, re.IGNORECASE))


SCENARIOS: list[Scenario] = [
    _scenario("long", "a long answer (about 1,500 tokens)", _long, r"\b(long|essay)\b"),
    _scenario("code", "markdown with headings, a table and code blocks", _code, r"\b(code|markdown)\b"),
    _scenario("think", "a thinking block before the answer", _thinking, r"\bthink(ing)?\b"),
    _scenario(
        "parallel",
        "two tool calls in one answer, run together after your approval (with /tools on)",
        _parallel_tools,
        r"\bparallel\b",
    ),
    _scenario(
        "tool",
        "a tool call (time, calc, list, read FILE; with /tools on): approve it, and its result is used",
        _tool,
        r"\btools?\b",
    ),
    _scenario("error", "an `overloaded_error` event in the middle of the stream", _error, r"\b(error|overloaded)\b"),
    _scenario("drop", "the connection drops mid-answer", _drop, r"\b(drop|disconnect)\b"),
    _scenario("slow", "a slow first token (pings keep the connection alive)", _slow, r"\bslow\b"),
    _scenario(
        "429",
        "HTTP 429 rate limit twice, then success: watch the retries",
        _retried(
            429,
            "rate_limit_error",
            "Number of request tokens has exceeded your per-minute rate limit",
            2,
            1.0,
        ),
        r"\b429\b",
    ),
    _scenario(
        "529",
        "HTTP 529 overloaded once, then success",
        _retried(529, "overloaded_error", "Overloaded", 1, None),
        r"\b529\b",
    ),
    _scenario("stall", "the server goes quiet mid-answer (the read timeout fires)", _stall, r"\bstall\b"),
    _scenario("incomplete", "the body ends without `message_stop`", _incomplete, r"\bincomplete\b"),
    _scenario("日本語", "a Japanese answer (CJK text and emoji)", _japanese, r"日本語|japanese"),
    _scenario(
        "hostile", "escape sequences and markup in the answer and an error, made harmless", _hostile, r"\bhostile\b"
    ),
]


def _bench(view: RequestView) -> Reply | None:
    """For the benchmark only (not in `SCENARIOS`): `bench prose 2000 [rate=100] [first=0.05]`."""
    request = parse_bench_prompt(view.text)
    if request is None:
        return None
    return Reply(
        [Block("text", bench_text(request.kind, request.tokens))],
        first_token_delay=request.first_token_delay,
        tokens_per_second=request.tokens_per_second,
        ping_every=256,
        fixed_pace=True,
    )


def choose(view: RequestView) -> Reply | HttpFailure:
    """The reply for this request: the first scenario whose word is in the message, else the welcome
    (after a tool call with no scenario word: what became of the call) — every turn, the one after a
    tool call included; then as its controls ask (thinking, effort, server tools, attachments: see
    `demo.features`).

    A benchmark prompt (`bench KIND TOKENS ...`, see `bench_content`) comes first; it is not listed.
    """
    bench = _bench(view)
    if bench is not None:
        return bench
    for scenario in SCENARIOS:
        if scenario.pattern.search(view.text):
            reply = scenario.build(view)
            if isinstance(reply, HttpFailure):
                return reply
            return features.apply(reply, view.features, view.text, view.turn, plain=False)
    return features.apply(_welcome(view), view.features, view.text, view.turn, plain=not view.tool_results)


def request_view(body: dict[str, Any], attempt: int, units: list[features.PromptUnit] | None = None) -> RequestView:
    """Summarize a Messages API request body for the scenarios (`units`: its `prompt_units`, if made)."""
    messages = body.get("messages") or []
    last = messages[-1] if messages else {}
    text, tool_results = _user_text(last.get("content", ""))
    return RequestView(
        text=text,
        turn=sum(1 for m in messages if m.get("role") == "user"),
        message_count=len(messages),
        input_tokens=features.total_tokens(body, units),
        attempt=attempt,
        model=str(body.get("model", "")),
        tool_results=tool_results,
        features=features.read_features(body),
        client_tools=client_tools.read_client_tools(body),
    )


def _user_text(content: Any) -> tuple[str, int]:
    if isinstance(content, str):
        return content, 0
    texts: list[str] = []
    tool_results = 0
    for block in content if isinstance(content, list) else []:
        if isinstance(block, dict):
            if block.get("type") == "text":
                texts.append(str(block.get("text", "")))
            elif block.get("type") == "tool_result":
                tool_results += 1
    return "\n".join(texts), tool_results
