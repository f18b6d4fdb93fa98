"""The layers stay importable without the ones above them, and start-up does not import the SDK."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return set(result.stdout.split())


@pytest.mark.parametrize(
    "module",
    [
        "tui_chat.stream.wire",
        "tui_chat.stream.event_stream",
        "tui_chat.stream.sdk_objects",
        "tui_chat.stream.errors",
        "tui_chat.session.model",
        "tui_chat.session.recorder",
        "tui_chat.session.inspect",
        "tui_chat.session.backend",
        "tui_chat.session.store",
        "tui_chat.session.export",
        "tui_chat.session.clipboard",
        "tui_chat.session.recording",
        "tui_chat.session.ttft_runner",
        "tui_chat.session.controller",
        "tui_chat.session.history",
        "tui_chat.session.reports",
        "tui_chat.session.collector",
        "tui_chat.session.search",
        "tui_chat.session.figures",
        "tui_chat.pipe",
        "tui_chat.pipe_stream",
        "tui_chat.commands",
        "tui_chat.preferences",
        "tui_chat.demo.server",
    ],
)
def test_lower_layers_do_not_import_textual(module: str) -> None:
    assert "textual" not in loaded_after(f"import {module}")


@pytest.mark.parametrize(
    "module",
    [
        "tui_chat.stream.wire",
        "tui_chat.session.model",
        "tui_chat.session.inspect",
        "tui_chat.session.store",
        "tui_chat.session.export",
        "tui_chat.session.clipboard",
        "tui_chat.session.recording",
        "tui_chat.session.models",
        "tui_chat.session.pricing",
        "tui_chat.session.ttft",
        "tui_chat.session.search",
        "tui_chat.session.figures",
        "tui_chat.pipe",
    ],
)
def test_pure_modules_do_not_import_the_sdk(module: str) -> None:
    assert "anthropic" not in loaded_after(f"import {module}")


def test_the_app_module_does_not_import_the_sdk_or_aiohttp() -> None:
    """The UI draws its first frame before the SDK (slow to import) is loaded."""
    modules = loaded_after("import tui_chat.app, tui_chat.cli")
    assert "anthropic" not in modules
    assert "aiohttp" not in modules


def test_pipe_mode_runs_without_importing_textual(tmp_path: Path) -> None:
    """`claude-tui -p` streams an answer (markdown and metrics included) with no Textual module loaded."""
    code = (
        "import sys; from tui_chat.cli import main; "
        "status = main(['-p', 'hello', '--demo', '--output', 'markdown', '--metrics']); "
        "print('MODULES', status, ' '.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)"
    )
    env = {
        **os.environ,
        "CLAUDE_TUI_DATA_DIR": str(tmp_path),
        "CLAUDE_TUI_CONFIG_DIR": str(tmp_path),
        "CLAUDE_TUI_DEMO_PACE": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=120
    )
    line = next(line for line in result.stderr.splitlines() if line.startswith("MODULES"))
    _, status, *modules = line.split()
    assert status == "0" and "Welcome to claude-tui" in result.stdout
    assert "anthropic" in modules  # it did stream
    assert "textual" not in modules and "rich" not in modules
