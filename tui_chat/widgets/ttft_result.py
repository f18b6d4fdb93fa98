"""The TTFT experiment's result: time to first token and to the whole answer, as bars."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from tui_chat.session.ttft import TtftExperiment, TtftRun

BAR_WIDTH = 22
EIGHTHS = " ▏▎▍▌▋▊▉█"


def bar(value: float | None, scale: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar `value/scale` of `width` cells, in eighths of a cell."""
    if value is None or scale <= 0:
        return " " * width
    eighths = max(1, round(min(value / scale, 1.0) * width * 8))
    full, rest = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[rest] if rest else "")).ljust(width)


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


class TtftResult(Static):
    """One experiment, kept in the conversation (never sent as history)."""

    DEFAULT_CSS = """
    TtftResult {
        margin: 1 0 0 0;
        padding: 0 1;
        border: round $success;
        height: auto;
    }
    """

    def __init__(self, experiment: TtftExperiment | None = None, *, model: str = "", prompt: str = "") -> None:
        super().__init__(markup=False)
        self.experiment = experiment
        self.border_title = "TTFT experiment"
        self._waiting = f"Running: the same prompt to {model}, streaming first, then not streaming…\n“{prompt}”"

    def on_mount(self) -> None:
        self.update(self.render_result() if self.experiment is not None else Content(self._waiting))

    def on_resize(self) -> None:
        if self.experiment is not None:
            self.update(self.render_result())

    def show(self, experiment: TtftExperiment) -> None:
        self.experiment = experiment
        self.update(self.render_result())

    @property
    def bar_width(self) -> int:
        """Two bars and their figures share the width: label 15, figures 29 cells."""
        width = self.content_region.width
        return BAR_WIDTH if width <= 0 else max(4, min(BAR_WIDTH, (width - 44) // 2))

    def render_result(self) -> Content:
        experiment = self.experiment
        assert experiment is not None
        runs = (experiment.streaming, experiment.non_streaming)
        scale = max((run.total or 0.0) for run in runs) or 1.0
        width = self.bar_width
        lines = [
            Content.assemble(
                (experiment.model, "bold"), f" · max_tokens {experiment.max_tokens} · “", experiment.prompt, "”"
            ),
            Content(""),
            Content.assemble(("".ljust(15), ""), ("first token".ljust(width + 11), "dim"), ("whole answer", "dim")),
        ]
        for label, run in (("streaming", experiment.streaming), ("not streaming", experiment.non_streaming)):
            lines.append(self._row(label, run, scale, width))
        lines.append(Content(""))
        lines.append(Content(self._verdict(experiment)))
        return Content("\n").join(lines)

    @staticmethod
    def _row(label: str, run: TtftRun, scale: float, width: int) -> Content:
        if run.error:
            return Content.assemble((label.ljust(15), "bold"), (f"failed: {run.error}", "$error"))
        tokens = "—" if run.output_tokens is None else f"{run.output_tokens:,} tokens"
        return Content.assemble(
            (label.ljust(15), "bold"),
            (bar(run.ttft, scale, width), "$success" if run.streaming else "$warning"),
            f" {seconds(run.ttft):>8}  ",
            (bar(run.total, scale, width), "$primary"),
            f" {seconds(run.total):>8}  {tokens}",
        )

    @staticmethod
    def _verdict(experiment: TtftExperiment) -> str:
        speedup = experiment.speedup
        if speedup is None:
            return "One of the requests failed, so there is nothing to compare."
        both = (experiment.streaming.total or 0.0, experiment.non_streaming.total or 0.0)
        similar = min(both) / max(both) > 0.8 if max(both) else True
        tail = (
            "The whole answer took about as long either way: streaming changes when you see it, not how long it takes."
            if similar
            else "The totals differ more than usual; run it again to see how much is noise."
        )
        return f"Streaming showed the first token {speedup:,.1f}× sooner. {tail}"
