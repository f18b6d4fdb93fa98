"""The benchmark's content made by the demo server: exact and the same every run."""

from __future__ import annotations

from tui_chat.demo.bench_content import KINDS, bench_prompt, bench_text, parse_bench_prompt
from tui_chat.demo.scenarios import SCENARIOS
from tui_chat.demo.script import count_tokens


def test_bench_content_is_exact_and_deterministic() -> None:
    for kind in KINDS:
        for tokens in (2, 37, 500):
            text = bench_text(kind, tokens)
            assert count_tokens(text) == tokens
            assert text == bench_text(kind, tokens)
    code = bench_text("code", 300)
    assert code.startswith("```python\n") and code.endswith("\n```")
    request = parse_bench_prompt(bench_prompt("markdown", 120, rate=100, first=0.2))
    assert request is not None and (request.kind, request.tokens) == ("markdown", 120)
    assert (request.tokens_per_second, request.first_token_delay) == (100, 0.2)
    assert parse_bench_prompt("tell me about benchmarks") is None
    assert all("bench" not in scenario.word for scenario in SCENARIOS)  # not offered to users
