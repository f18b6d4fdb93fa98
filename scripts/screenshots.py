"""Regenerate `screenshots/` from the real app in demo mode: SVG always, PNG when rsvg-convert exists.

    python scripts/screenshots.py             # all of them
    python scripts/screenshots.py main light  # only some

The screens are the ones in `tests/support/scenes.py` (the snapshot tests use the same scripts with a frozen
clock); here the clock is real and the demo server streams at 400 tokens/s, as a person would see it.
Data and config go to a temporary directory: your own conversations and settings are not touched.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.scenes import SCENES, Scene, home_environment  # noqa: E402

OUT = REPO / "screenshots"


async def shoot(scene: Scene) -> Path:
    app = scene.make_app(pace=1.0)
    async with app.run_test(size=scene.size) as pilot:
        await scene.script(pilot)
        svg = app.export_screenshot(title=f"claude-tui — {scene.title}")
    # Textual writes spaces as no-break spaces; without this, librsvg drops those that start a text run
    # (an indent, the gap after a bar) and the PNG shows text where the terminal shows space.
    svg = svg.replace("<svg ", '<svg xml:space="preserve" ', 1)
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{scene.name}.svg"
    path.write_text(svg, encoding="utf-8", newline="\n")
    return path


def to_png(svg: Path) -> Path | None:
    if shutil.which("rsvg-convert") is None:
        return None
    png = svg.with_suffix(".png")
    subprocess.run(["rsvg-convert", "-z", "1.5", str(svg), "-o", str(png)], check=True)
    return png


def main(names: list[str]) -> None:
    chosen = [scene for scene in SCENES if not names or scene.name in names]
    os.environ.pop("ANTHROPIC_API_KEY", None)
    for scene in chosen:
        with tempfile.TemporaryDirectory() as home:
            environment, work = home_environment(Path(home))
            os.environ.update(environment)
            os.chdir(work)
            svg = asyncio.run(shoot(scene))
        png = to_png(svg)
        print(f"{svg.relative_to(REPO)}  {png.relative_to(REPO) if png else '(no rsvg-convert: no PNG)'}")


if __name__ == "__main__":
    main(sys.argv[1:])
