"""The top line: app name, model, endpoint, and a DEMO badge when the demo server is answering."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static


class TopBar(Horizontal):
    DEFAULT_CSS = """
    TopBar {
        dock: top;
        height: 1;
        background: $panel;
    }
    TopBar > #top-title { width: 1fr; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    TopBar > #top-controls { width: auto; padding: 0 1; color: $accent; text-wrap: nowrap; }
    TopBar > #top-badge { width: auto; padding: 0 1; text-style: bold; }
    TopBar > #top-badge.-demo { background: $warning; color: $background; }
    TopBar > #top-badge.-live { background: $success; color: $background; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._title = Static(id="top-title", markup=False)
        self._controls = Static(id="top-controls", markup=False)
        self._badge = Static(id="top-badge", markup=False)

    def compose(self) -> ComposeResult:
        yield self._title
        yield self._controls
        yield self._badge

    def show(self, *, model: str, endpoint: str, demo: bool, controls: list[str] | None = None) -> None:
        """`controls`: the request controls not at their default (`thinking omitted`, `cache off`, ...)."""
        self._title.update(
            Content.from_markup("[b]claude-tui[/b] · $model · [dim]$endpoint[/dim]", model=model, endpoint=endpoint)
        )
        self._controls.update(Content(" · ".join(controls or [])))
        self._controls.display = bool(controls)
        self._badge.update(Content("DEMO · no API key" if demo else "LIVE"))
        self._badge.set_class(demo, "-demo")
        self._badge.set_class(not demo, "-live")
