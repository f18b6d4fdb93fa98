"""`python -m tui_chat.bench [--quick] [--json PATH]`: run every measurement, print the table.

One benchmark server process serves every stream. Worker processes run the raw loop and the app
side by side (one for the timings, one per peak-RSS figure); start-up and terminal bytes use a
pseudo-terminal. Runs take about seven minutes (`--quick`: well under a minute, tiny sizes). `--ssh`
measures the SSH rows instead: the app over a private sshd on loopback through a paced relay (about
three minutes; `--quick`: one).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tui_chat.bench import pty, ssh
from tui_chat.bench.report import build_figures, ssh_table, table, to_json
from tui_chat.bench.server import ServerProcess
from tui_chat.demo.bench_content import bench_prompt, bench_text
from tui_chat.demo.script import count_tokens


def run_worker(base_url: str, jobs: str, *, quick: bool) -> dict[str, Any]:
    """Run `tui_chat.bench.worker` in a fresh process (scratch config and data); return its JSON."""
    with tempfile.TemporaryDirectory(prefix="claude-tui-bench-") as home:
        env = {
            **os.environ,
            "CLAUDE_TUI_CONFIG_DIR": str(Path(home) / "config"),
            "CLAUDE_TUI_DATA_DIR": str(Path(home) / "data"),
        }
        env.pop("ANTHROPIC_API_KEY", None)
        command = [sys.executable, "-m", "tui_chat.bench.worker", base_url, jobs, *(["--quick"] if quick else [])]
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=home, timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f"benchmark worker {jobs} failed:\n{result.stderr[-4000:]}")
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def measure_startup(runs: int) -> dict[str, Any]:
    first = [pty.first_frame_seconds() for _ in range(runs)]
    imports = [pty.import_anthropic_seconds() for _ in range(runs)]
    return {"first_frame": min(first), "import_anthropic": min(imports), "runs": runs, "all": [first, imports]}


def first_byte_seconds(command: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning `command` to the first byte on its standard output (then it runs to its end)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env)
    assert process.stdout is not None
    first = os.read(process.stdout.fileno(), 1)
    seconds = time.perf_counter() - started
    process.communicate(timeout=120)
    if not first or process.returncode != 0:
        raise RuntimeError(f"{command[:3]} printed nothing (exit {process.returncode})")
    return seconds


def measure_pipe_startup(base_url: str, runs: int) -> dict[str, Any]:
    """`claude-tui -p` against the tutorial's loop as a script, both fresh processes on the same answer:
    from spawning to the answer's first byte on standard output (best of `runs`, alternating)."""
    from tui_chat.bench.raw import BENCH_KEY, MODEL, RAW_SCRIPT

    prompt = bench_prompt("prose", 40)
    pipe: list[float] = []
    raw: list[float] = []
    with tempfile.TemporaryDirectory(prefix="claude-tui-bench-") as home:
        env = {
            **os.environ,
            "CLAUDE_TUI_CONFIG_DIR": str(Path(home) / "config"),
            "CLAUDE_TUI_DATA_DIR": str(Path(home) / "data"),
            "ANTHROPIC_API_KEY": BENCH_KEY,
        }
        pipe_command = [sys.executable, "-m", "tui_chat", "-p", prompt, "--base-url", base_url, "--model", MODEL]
        raw_command = [sys.executable, "-c", RAW_SCRIPT, base_url, BENCH_KEY, MODEL, prompt]
        for _ in range(runs):
            raw.append(first_byte_seconds(raw_command, env))
            pipe.append(first_byte_seconds(pipe_command, env))
    return {"pipe_first_byte": min(pipe), "raw_first_byte": min(raw), "runs": runs, "all": [pipe, raw]}


def measure_terminal(base_url: str, *, quick: bool) -> dict[str, Any]:
    tokens = 100 if quick else 1000
    closed = pty.stream_bytes(base_url, bench_prompt("markdown", tokens, rate=100), tokens, inspector=False)
    result = pty.stream_bytes(base_url, bench_prompt("markdown", tokens, rate=100), tokens)
    text = bench_text("markdown", tokens)
    assert count_tokens(text) == tokens
    return {
        "tokens": tokens,
        "bytes": result.bytes,
        "bytes_per_token": result.bytes / tokens,
        "bytes_per_token_open": result.bytes / tokens,
        "bytes_per_token_closed": closed.bytes / tokens,
        "raw_bytes_per_token": len(text.encode()) / tokens,
        "cpu_share": result.cpu_seconds / result.seconds if result.seconds else None,
        "seconds": result.seconds,
    }


def run(*, quick: bool, progress: bool = True, only_ssh: bool = False) -> tuple[dict[str, Any], float]:
    """Every measurement (or only the SSH rows); returns the merged results and the seconds it took."""
    started = time.perf_counter()

    def say(what: str) -> None:
        if progress:
            print(f"[{time.perf_counter() - started:6.1f}s] {what}", file=sys.stderr, flush=True)

    results: dict[str, Any] = {}
    with ServerProcess() as server:
        say(f"benchmark server on {server.base_url}")
        if only_ssh:
            results["ssh"] = ssh.measure(server.base_url, quick=quick, say=say)
            return results, time.perf_counter() - started
        say("start-up (pty)")
        results["startup"] = measure_startup(1 if quick else 5)
        say("pipe mode: spawn to the answer's first byte")
        results["pipe_startup"] = measure_pipe_startup(server.base_url, 1 if quick else 5)
        say("throughput, latency, CPU (raw loop and app, one process)")
        results.update(run_worker(server.base_url, "throughput,latency,cpu", quick=quick))
        say("peak RSS after a 10,000-token answer")
        results.update(run_worker(server.base_url, "rss10k", quick=quick))
        say("opening a saved 200-turn conversation")
        results.update(run_worker(server.base_url, "turns200", quick=quick))
        say("memory after an hour at 100 tok/s (compressed in time)")
        results.update(run_worker(server.base_url, "hour", quick=quick))
        for kind in ("line", "answer", "event", "error"):
            say(f"hostile answer: {kind}")
            results.update(run_worker(server.base_url, f"hostile_{kind}", quick=quick))
        say("search: 2,000 saved conversations, 100,000 messages (building them takes a minute)")
        results.update(run_worker(server.base_url, "search", quick=quick))
        say("terminal bytes per token (pty)")
        results["terminal"] = measure_terminal(server.base_url, quick=quick)
    return results, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tui_chat.bench",
        description="claude-tui against the tutorial's raw SDK print loop, on the same demo-server streams.",
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks that everything runs")
    parser.add_argument("--json", metavar="PATH", help="also write the figures and raw results as JSON")
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")
    parser.add_argument(
        "--ssh",
        action="store_true",
        help="only the SSH rows: the app over OpenSSH on loopback, through a relay paced at 32 and 8 KB/s",
    )
    args = parser.parse_args(argv)
    results, seconds = run(quick=args.quick, only_ssh=args.ssh)
    figures = [] if args.ssh else build_figures(results)
    if figures:
        print(table(figures, markdown=args.markdown))
    if args.ssh:
        print(ssh_table(results.get("ssh", {}), markdown=args.markdown))
    if args.quick:
        print("\n(--quick: tiny sizes, the figures are not comparable with a full run)")
    if args.json:
        Path(args.json).write_text(to_json(figures, results, quick=args.quick, seconds=seconds) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
