"""A claude-tui that crashes on F12 with the API key in a local variable: for the crash-report test.

Run as a script (in a pseudo-terminal) by a pty test of the API key; not collected as a test.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import ClassVar

from textual.binding import Binding, BindingType

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tui_chat.app import ClaudeTUI
from tui_chat.config import data_dir, load_settings
from tui_chat.logs import setup_logging


class CrashingApp(ClaudeTUI):
    BINDINGS: ClassVar[list[BindingType]] = [*ClaudeTUI.BINDINGS, Binding("f12", "crash", "Crash")]

    def action_crash(self) -> None:
        api_key = self.settings.api_key.reveal() if self.settings.api_key else ""
        headers = {"x-api-key": api_key}
        raise RuntimeError(f"deliberate crash (headers has {len(headers)} entries)")


if __name__ == "__main__":
    settings = load_settings(demo=True)
    setup_logging(data_dir(), settings.secrets)
    CrashingApp(settings).run()
