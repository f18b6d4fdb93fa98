"""Regenerate `screenshots/` from the real app in demo mode: SVG always, PNG when rsvg-convert exists.

python scripts/screenshots.py            # all of them
python scripts/screenshots.py main       # only some
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tui_chat.app import ClaudeTUI
from tui_chat.config import Settings
from tui_chat.demo.server import DemoServer
from tui_chat.screens.chat import ChatScreen
from tui_chat.session.backend import Backend

OUT = Path(__file__).resolve().parent.parent / "screenshots"


async def wait_for_answers(pilot: Pilot[Any], count: int) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, ChatScreen)
    async with asyncio.timeout(30):
        while screen.settled_answers < count:
            await pilot.pause(0.05)
    await pilot.pause(0.3)


async def ask(pilot: Pilot[Any], text: str, count: int) -> None:
    await pilot.press(*text)
    await pilot.press("enter")
    await wait_for_answers(pilot, count)


async def main_screen(pilot: Pilot[Any]) -> None:
    await pilot.press("f2")
    await ask(pilot, "Show me some code", 1)


SHOTS: dict[str, tuple[tuple[int, int], Callable[[Pilot[Any]], Awaitable[None]]]] = {
    "main": ((140, 42), main_screen),
}


async def shoot(name: str) -> Path:
    size, script = SHOTS[name]
    server = DemoServer(pace=1.0, tokens_per_second=400)
    settings = Settings(demo=True)
    app = ClaudeTUI(settings, backend=Backend(settings, demo_server=server))
    async with app.run_test(size=size) as pilot:
        await script(pilot)
        svg = app.export_screenshot(title=f"claude-tui — {name}")
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.svg"
    path.write_text(svg, encoding="utf-8", newline="\n")
    return path


def to_png(svg: Path) -> Path | None:
    if shutil.which("rsvg-convert") is None:
        return None
    png = svg.with_suffix(".png")
    subprocess.run(["rsvg-convert", "-z", "1.5", str(svg), "-o", str(png)], check=True)
    return png


def main(names: list[str]) -> None:
    for name in names or list(SHOTS):
        svg = asyncio.run(shoot(name))
        png = to_png(svg)
        print(svg, png or "(no rsvg-convert: PNG skipped)")


if __name__ == "__main__":
    main(sys.argv[1:])
