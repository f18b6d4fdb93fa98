"""The layers stay importable without the ones above them, and start-up does not import the SDK."""

from __future__ import annotations

import subprocess
import sys

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
        "tui_chat.commands",
        "tui_chat.preferences",
        "tui_chat.demo.server",
        "tui_chat.session.approval",
        "tui_chat.tools.toolbox",
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
        "tui_chat.session.approval",
        "tui_chat.tools.toolbox",
    ],
)
def test_pure_modules_do_not_import_the_sdk(module: str) -> None:
    assert "anthropic" not in loaded_after(f"import {module}")


def test_the_app_module_does_not_import_the_sdk_or_aiohttp() -> None:
    """The UI draws its first frame before the SDK (slow to import) is loaded; the MCP SDK waits until a
    server is first needed."""
    modules = loaded_after("import tui_chat.app, tui_chat.cli")
    assert "anthropic" not in modules
    assert "aiohttp" not in modules
    assert "mcp" not in modules
