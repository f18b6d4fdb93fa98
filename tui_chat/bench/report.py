"""Figures, their targets and ratios: built from the workers' results, printed as a table and JSON.

Every figure has `app` (claude-tui), `raw` (the tutorial's loop in the same process on the same
stream, where one exists), `ratio` (app/raw), a `target` with its `target_kind` (`ratio`: on the
ratio; `max`: on the app's value) and `met`. A figure that could not be measured has `app: null`
and a `note`.
"""

from __future__ import annotations

import json
import platform
import statistics
from dataclasses import asdict, dataclass
from typing import Any, Literal


@dataclass
class Figure:
    key: str
    label: str
    unit: str
    app: float | None
    raw: float | None
    target: float | None
    target_kind: Literal["ratio", "max", "none"]
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.app is None or self.raw is None or self.raw <= 0:
            return None
        return self.app / self.raw

    @property
    def met(self) -> bool | None:
        if self.target is None or self.app is None:
            return None
        value = self.ratio if self.target_kind == "ratio" else self.app
        return None if value is None else value <= self.target

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio, "met": self.met}


THROUGHPUT_TARGETS = {
    "prose_2000": 2.0,
    "markdown_2000": 2.0,
    "prose_10000": 2.0,
    "markdown_10000": 2.0,
    "code_8000": 2.0,
}
"""Ratio targets: every full-speed case within twice the raw loop."""

BYTES_TARGETS = {"closed": 40.0, "open": 60.0}
"""Terminal bytes per streamed token at 100 tok/s, by the inspector's state."""


def _p(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def build_figures(results: dict[str, Any]) -> list[Figure]:
    """The figures, in the table's order, from the merged worker and pty results."""
    figures: list[Figure] = []
    startup = results.get("startup", {})
    figures.append(
        Figure(
            "startup_first_frame",
            "start-up: first frame (vs `import anthropic`)",
            "s",
            startup.get("first_frame"),
            startup.get("import_anthropic"),
            0.5,
            "ratio",
            f"best of {startup.get('runs', 0)} runs each, in a pty",
        )
    )
    pipe = results.get("pipe_startup", {})
    figures.append(
        Figure(
            "pipe_first_byte",
            "pipe mode (-p): spawn → first answer byte (vs the raw loop as a script)",
            "s",
            pipe.get("pipe_first_byte"),
            pipe.get("raw_first_byte"),
            1.25,
            "ratio",
            f"best of {pipe.get('runs', 0)} runs each, fresh processes: nothing but the SDK ahead of the first token",
        )
    )
    for key, case in results.get("throughput", {}).items():
        kind, tokens = key.rsplit("_", 1)
        figures.append(
            Figure(
                f"throughput_{key}",
                f"{int(tokens):,} {kind} tokens, full speed: fully rendered",
                "s",
                case["app_seconds"],
                case["raw_seconds"],
                THROUGHPUT_TARGETS.get(key),
                "ratio",
                f"{case['tokens']:,} tokens streamed",
            )
        )
    for key, case in results.get("throughput", {}).items():
        kind, tokens = key.rsplit("_", 1)
        figures.append(
            Figure(
                f"stall_{key}",
                f"longest loop stall: {int(tokens):,} {kind}",
                "ms",
                case["app_max_stall"] * 1000,
                case["raw_max_stall"] * 1000,
                100.0,
                "max",
            )
        )
    cpu = results.get("cpu", {})
    figures.append(
        Figure(
            "cpu_share_100tps",
            "CPU share of a core at 100 tok/s (headless)",
            "%",
            _scaled(cpu.get("app_share"), 100),
            _scaled(cpu.get("raw_share"), 100),
            2.5,
            "ratio",
            f"{cpu.get('tokens', 0):,} markdown tokens",
        )
    )
    if "paced_share" in cpu:
        figures.append(
            Figure(
                "cpu_share_100tps_paced",
                "… with the paced_reads preference (headless)",
                "%",
                _scaled(cpu.get("paced_share"), 100),
                _scaled(cpu.get("raw_share"), 100),
                15.0,
                "max",
                "reads of a flowing answer every 50 ms: event times in 50 ms steps",
            )
        )
    if "idle_share" in cpu:
        figures.append(
            Figure(
                "cpu_share_idle",
                "CPU share, idle: the app waiting / a bare event loop",
                "%",
                _scaled(cpu.get("app_idle_share"), 100),
                _scaled(cpu.get("idle_share"), 100),
                None,
                "none",
                "both with the stall monitor (100 wake-ups a second): the floor under the CPU figures",
            )
        )
    if "max_stall" not in cpu and "app_max_stall" in cpu:
        figures.append(
            Figure(
                "stall_cpu",
                "longest loop stall: 100 tok/s",
                "ms",
                cpu["app_max_stall"] * 1000,
                cpu["raw_max_stall"] * 1000,
                100.0,
                "max",
            )
        )
    terminal = results.get("terminal", {})
    figures.append(
        Figure(
            "cpu_share_pty",
            "CPU share of a core at 100 tok/s (real pty)",
            "%",
            _scaled(terminal.get("cpu_share"), 100),
            _scaled(cpu.get("raw_share"), 100),
            15.0,
            "max",
            "the whole app process on a pseudo-terminal",
        )
    )
    latency = results.get("latency", {})
    figures.append(
        Figure(
            "first_token_lag",
            "first-token lag: server write → on screen",
            "ms",
            _scaled(latency.get("first_token_app"), 1000),
            _scaled(latency.get("first_token_raw"), 1000),
            50.0,
            "max",
            "median",
        )
    )
    keys = [k * 1000 for k in latency.get("keystrokes", [])]
    figures.append(
        Figure(
            "keystroke_p50",
            "keystroke echo p50 (1,000 tok/s stream)",
            "ms",
            _p(keys, 0.5),
            None,
            None,
            "none",
            f"{len(keys)} keystrokes",
        )
    )
    figures.append(
        Figure(
            "keystroke_p95",
            "keystroke echo p95 (1,000 tok/s stream)",
            "ms",
            _p(keys, 0.95),
            None,
            50.0,
            "max",
            f"{len(keys)} keystrokes",
        )
    )
    if "keystroke_stream_max_stall" in latency:
        figures.append(
            Figure(
                "stall_keystroke_stream",
                "longest loop stall: 1,000 tok/s stream",
                "ms",
                latency["keystroke_stream_max_stall"] * 1000,
                None,
                100.0,
                "max",
            )
        )
    rss = results.get("rss10k", {})
    figures.append(
        Figure(
            "rss_10k",
            f"peak RSS after a {rss.get('tokens', 0):,}-token answer",
            "MB",
            rss.get("app_peak_mb"),
            rss.get("raw_peak_mb"),
            150.0,
            "max",
        )
    )
    turns = results.get("turns200", {})
    figures.append(
        Figure(
            "rss_200_turns",
            f"peak RSS, {turns.get('turns', 0)}-turn conversation opened",
            "MB",
            turns.get("app_peak_mb"),
            turns.get("raw_peak_mb"),
            250.0,
            "max",
            turns.get("pending", ""),
        )
    )
    figures.append(
        Figure(
            "open_200_turns",
            f"open a saved {turns.get('turns', 0)}-turn conversation: its end on screen",
            "s",
            turns.get("open_seconds"),
            None,
            1.0,
            "max",
            "load + render the newest turns + painted",
        )
    )
    figures.append(
        Figure(
            "open_200_turns_all",
            "… and all of its recent turns rendered",
            "s",
            turns.get("all_rendered_seconds"),
            None,
            None,
            "none",
            "older turns are rendered a frame's worth at a time, above the view",
        )
    )
    if "open_max_stall" in turns:
        figures.append(
            Figure(
                "stall_open_200_turns",
                "longest loop stall: opening it",
                "ms",
                turns["open_max_stall"] * 1000,
                None,
                100.0,
                "max",
            )
        )
    search = results.get("search", {})
    searches = [seconds * 1000 for seconds in search.get("search_seconds", [])]
    saved = f"{search.get('conversations', 0):,} conversations, {search.get('messages', 0):,} messages"
    figures.append(
        Figure(
            "search_p50",
            f"search p50 ({saved})",
            "ms",
            _p(searches, 0.5),
            None,
            None,
            "none",
            f"{len(searches)} searches",
        )
    )
    figures.append(
        Figure(
            "search_p95",
            "search p95",
            "ms",
            _p(searches, 0.95),
            None,
            50.0,
            "max",
            "common and rare words, several words, a phrase, prefixes as typed",
        )
    )
    opened = search.get("open_list_seconds", [])
    figures.append(
        Figure(
            "open_list",
            "ctrl+l: the conversation list on screen",
            "s",
            max(opened) if opened else None,
            None,
            0.3,
            "max",
            f"worst of {len(opened)}",
        )
    )
    typed = [seconds * 1000 for seconds in search.get("typed_search_seconds", [])]
    figures.append(
        Figure(
            "typed_search",
            "… a search typed in its box: results on screen",
            "ms",
            max(typed) if typed else None,
            None,
            None,
            "none",
            "worst; after the box's 120 ms pause for more keys",
        )
    )
    figures += _hostile_figures(results)
    for state in ("closed", "open"):
        figures.append(
            Figure(
                f"bytes_per_token_{state}" if state == "closed" else "bytes_per_token",
                f"terminal bytes per streamed token (100 tok/s), inspector {state}",
                "B",
                terminal.get(f"bytes_per_token_{state}", terminal.get("bytes_per_token") if state == "open" else None),
                terminal.get("raw_bytes_per_token"),
                BYTES_TARGETS[state],
                "max",
                "raw = the text itself",
            )
        )
    return figures


def ssh_table(ssh: dict[str, Any], *, markdown: bool = False) -> str:
    """The SSH rows: per link rate, the print loop and the app with the inspector closed and open."""
    from tui_chat.bench.ssh import TARGETS

    if "skipped" in ssh:
        return f"SSH rows skipped: {ssh['skipped']}"
    header = ["link", "run", "bytes/token", "final text lag", "key echo p50 / p95", "Esc → stopped", "met"]
    rows = []
    for row in ssh.get("rows", []):
        lag_target, echo_target = TARGETS.get(row["rate"], (None, None))
        met: bool | None = None
        if row["what"] != "print loop" and lag_target is not None and echo_target is not None:
            met = (
                row["lag"] is not None
                and row["lag"] <= lag_target
                and row["echo_p95"] is not None
                and row["echo_p95"] <= echo_target
            )

        def seconds(value: float | None) -> str:
            return "—" if value is None else f"{value:.2f} s"

        echo = "—" if row["echo_p50"] is None else f"{row['echo_p50'] * 1000:.0f} / {row['echo_p95'] * 1000:.0f} ms"
        rows.append(
            [
                f"{row['rate'] // 1024} KB/s",
                row["what"] if row["what"] == "print loop" else f"inspector {row['what']}",
                "—" if row["bytes_per_token"] is None else f"{row['bytes_per_token']:.1f} B",
                seconds(row["lag"]),
                echo,
                seconds(row["stop"]),
                {True: "yes", False: "NO", None: "—"}[met],
            ]
        )
    note = (
        f"{ssh.get('tokens', 0):,} markdown tokens at 100 tok/s; targets: 32 KB/s lag ≤ 1 s, echo p95 ≤ 250 ms; "
        "8 KB/s lag ≤ 3 s, echo p95 ≤ 1 s"
    )
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines) + f"\n\n{note}"
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines) + f"\n{note}"


HOSTILE_LABELS = {
    "line": "{size} answer without a newline",
    "answer": "{size} answer (markdown)",
    "event": "{size} event (refused past 8 MB)",
    "error": "{size} HTTP error body",
}


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.0f} MB" if size >= 1_000_000 else f"{size / 1000:,.0f} kB"


def _hostile_figures(results: dict[str, Any]) -> list[Figure]:
    """Memory after an hour, and the hostile answers: time until ended and drawn, stalls, memory."""
    figures: list[Figure] = []
    hour = results.get("hour")
    if hour:
        figures.append(
            Figure(
                "rss_hour",
                f"RSS after an hour at 100 tok/s ({hour['events']:,} events, inspector open)",
                "MB",
                hour.get("rss_end_mb"),
                None,
                200.0,
                "max",
                f"{hour['turns']} answers of {hour['tokens'] // hour['turns']:,} tokens, at full speed with a pause "
                f"after each; {hour.get('rss_start_mb', 0):.0f} MB before the first",
            )
        )
    keys: list[float] = []
    for kind, label in HOSTILE_LABELS.items():
        case = results.get(f"hostile_{kind}")
        if not case:
            continue
        keys += case.get("keystrokes", [])
        name = label.format(size=_megabytes(case["size"]))
        outcome = case.get("error") or f"{case['status']}, {case['shown_chars']:,} characters drawn"
        figures.append(
            Figure(
                f"hostile_{kind}_seconds",
                f"{name}: ended and drawn",
                "s",
                case["seconds"],
                None,
                None,
                "none",
                str(outcome)[:100],
            )
        )
        figures.append(
            Figure(f"hostile_{kind}_stall", "… longest loop stall", "ms", case["max_stall"] * 1000, None, 100.0, "max")
        )
        figures.append(
            Figure(
                f"hostile_{kind}_peak",
                "… peak RSS",
                "MB",
                case["peak_mb"],
                None,
                None,
                "none",
                f"{case['rss_before_mb']:.0f} MB before it",
            )
        )
    if keys:
        figures.append(
            Figure(
                "hostile_keystroke_max",
                "keystroke echo, worst, while the hostile answers arrive",
                "ms",
                max(keys) * 1000,
                None,
                100.0,
                "max",
                f"{len(keys)} keystrokes",
            )
        )
    return figures


def _scaled(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def _format(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:,.0f} {unit}"


def _target(figure: Figure) -> str:
    if figure.target is None:
        return "—"
    if figure.target_kind == "ratio":
        return f"≤ {figure.target:g}×"
    return f"≤ {_format(figure.target, figure.unit)}"


def table(figures: list[Figure], *, markdown: bool = False) -> str:
    """The figures as a text table (or a markdown one)."""
    header = ["figure", "claude-tui", "raw loop", "ratio", "target", "met"]
    rows = []
    for figure in figures:
        met = {True: "yes", False: "NO", None: "—"}[figure.met]
        ratio = "—" if figure.ratio is None else f"{figure.ratio:.2f}×"
        rows.append(
            [
                figure.label,
                _format(figure.app, figure.unit),
                _format(figure.raw, figure.unit),
                ratio,
                _target(figure),
                met,
            ]
        )
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    import os

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def to_json(figures: list[Figure], results: dict[str, Any], *, quick: bool, seconds: float) -> str:
    data = {
        "quick": quick,
        "seconds": seconds,
        "machine": machine(),
        "figures": {figure.key: figure.as_dict() for figure in figures},
        "raw_results": results,
    }
    return json.dumps(data, indent=2)


__all__ = ["Figure", "build_figures", "ssh_table", "statistics", "table", "to_json"]
