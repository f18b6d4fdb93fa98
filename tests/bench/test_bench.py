"""`python -m tui_chat.bench --quick` runs end to end and reports every figure with its target, the SSH rows run
on a private sshd (no timings asserted), and its hostile answers are what they say."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    "rss_hour",
    *(
        f"hostile_{kind}_{figure}"
        for kind in ("line", "answer", "event", "error")
        for figure in ("seconds", "stall", "peak")
    ),
    "hostile_keystroke_max",
    "pipe_first_byte",
    "search_p50",
    "search_p95",
    "open_list",
    "typed_search",
}


def test_hostile_answers_are_what_they_say() -> None:
    from tui_chat.bench.hostile import hostile_answer, hostile_prompt, hostile_text, parse_hostile_prompt
    from tui_chat.stream.wire import split_recording

    assert parse_hostile_prompt(hostile_prompt("line", 5000, delta=300)) == ("line", 5000, 300)
    assert parse_hostile_prompt("bench prose 20") is None
    line = hostile_text("line", 5000)
    assert len(line) == 5000 and "\n" not in line
    frames = split_recording(hostile_answer("line", 5000, 300).body)
    assert sum(1 for frame in frames if b"text_delta" in frame) == 17  # 5,000 characters, 300 a delta
    answer = hostile_text("answer", 50_000)
    assert len(answer) == 50_000 and answer.count("\n") > 100
    event = hostile_answer("event", 100_000, 1000)
    assert event.status == 200 and max(map(len, split_recording(event.body))) > 100_000
    error = hostile_answer("error", 10_000, 1000)
    assert error.status == 400 and len(error.body) > 10_000


def test_quick_benchmark_reports_every_figure_with_its_target(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "tui_chat.bench", "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=400,
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


def test_openssh_bench_quick_rows(tmp_path: Path) -> None:
    """The benchmark's SSH part runs (a short version): every row has its figures."""
    from tui_chat.bench import ssh
    from tui_chat.bench.server import ServerProcess

    missing = ssh.openssh_missing()
    if missing is not None:
        if os.environ.get("CLAUDE_TUI_REQUIRE_SSH") == "1":
            pytest.fail(missing + "; CLAUDE_TUI_REQUIRE_SSH=1 requires it")
        pytest.skip(missing)
    with ServerProcess() as server:
        results = ssh.measure(server.base_url, quick=True)
    rows = results["rows"]
    assert [(row["rate"], row["what"]) for row in rows] == [
        (rate, what) for rate in ssh.RATES for what in ("print loop", "closed", "open")
    ]
    for row in rows:
        assert row["lag"] is not None and row["bytes_per_token"] is not None
        if row["what"] != "print loop":
            assert row["echoes"] and row["stop"] is not None
