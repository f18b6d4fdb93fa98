"""The context gauge: the draft counted with count_tokens after a pause in typing, estimated without it."""

from __future__ import annotations

from tests.support.controller import answer_to, driver, server_of
from tui_chat.demo.server import MODELS, DemoModel
from tui_chat.session import reports


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


async def test_closing_mid_answer_reports_no_context_after_the_end() -> None:
    """Quitting while an answer streams ends it; the screen is being taken down then, so nothing more is reported."""
    async with driver(pace=1) as d:
        await d.controller.send("long")
        answer = d.controller.conversation.turns[-1]
        await d.until(lambda: bool(answer.answer_text))
        await d.controller.aclose()
        ended = d.log.index(d.of(reports.AnswerEnded)[-1])
        assert not [r for r in d.log[ended:] if isinstance(r, reports.ContextChanged)]
