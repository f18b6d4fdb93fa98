"""The key bar at the bottom: what it shows at each width, quit and the palette always last, a click presses the key."""

from __future__ import annotations

import re

from tests.support.app import demo_app
from tui_chat.widgets.key_bar import KeyBar


async def test_the_key_bar_shows_how_to_quit_and_only_whole_keys() -> None:
    for width in (80, 120):
        app, _server = demo_app()
        async with app.run_test(size=(width, 30)) as pilot:
            await pilot.pause(0.2)
            bar = str(app.screen.query_one(KeyBar).render())
            assert len(bar) <= width
            assert bar.rstrip().endswith("^p palette ^q quit"), bar
            assert not re.search(r"\S…", bar), bar  # no key cut short ("^o Mode…"); " …" says some are left out
