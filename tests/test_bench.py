"""`python -m tui_chat.bench --quick` runs end to end and reports every figure with its target (no timings asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tui_chat.demo.bench_content import KINDS, bench_prompt, bench_text, parse_bench_prompt
from tui_chat.demo.scenarios import SCENARIOS
from tui_chat.demo.script import count_tokens

EXPECTED = {
    "startup_first_frame",
    "throughput_prose_2000",
    "throughput_markdown_2000",
    "throughput_prose_10000",
    "throughput_markdown_10000",
    "throughput_code_8000",
    "stall_prose_2000",
    "stall_markdown_2000",
    "stall_prose_10000",
    "stall_markdown_10000",
    "stall_code_8000",
    "cpu_share_100tps",
    "cpu_share_pty",
    "first_token_lag",
    "keystroke_p50",
    "keystroke_p95",
    "rss_10k",
    "rss_200_turns",
    "open_200_turns",
    "bytes_per_token",
    "pipe_first_byte",
    "search_p50",
    "search_p95",
    "open_list",
    "typed_search",
}


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


def test_quick_benchmark_reports_every_figure_with_its_target(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "tui_chat.bench", "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "claude-tui" in result.stdout and "raw loop" in result.stdout
    data = json.loads(out.read_text())
    figures = data["figures"]
    assert set(figures) >= EXPECTED
    for key, figure in figures.items():
        assert {"app", "raw", "ratio", "target", "target_kind", "met", "unit", "label"} <= set(figure), key
        assert figure["app"] is not None or figure["note"], key  # measured, or says why not
        if figure["target"] is not None:
            assert figure["target_kind"] in ("ratio", "max"), key
    for key in (
        "startup_first_frame",
        "throughput_prose_2000",
        "cpu_share_100tps",
        "first_token_lag",
        "rss_10k",
        "pipe_first_byte",
    ):
        assert figures[key]["raw"] is not None and figures[key]["ratio"] is not None, key
    assert data["machine"]["cpus"]
