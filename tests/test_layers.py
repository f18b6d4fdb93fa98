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
        "tui_chat.adapters.sdk_private",
        "tui_chat.session.conversation",
        "tui_chat.session.recorder",
        "tui_chat.session.inspect",
        "tui_chat.session.backend",
        "tui_chat.session.store",
        "tui_chat.session.writer",
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
        "tui_chat.pipe.stream",
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
        "tui_chat.session.conversation",
        "tui_chat.session.inspect",
        "tui_chat.session.store",
        "tui_chat.session.writer",
        "tui_chat.session.export",
        "tui_chat.session.clipboard",
        "tui_chat.session.recording",
        "tui_chat.session.model_catalog",
        "tui_chat.session.pricing",
        "tui_chat.session.ttft",
        "tui_chat.session.search",
        "tui_chat.session.figures",
        "tui_chat.pipe",
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


def test_no_import_cycles() -> None:
    """No module imports itself back through others: not at run time, not lazily inside a function, not
    for type checking only (grimp reads every import statement)."""
    import grimp

    graph = grimp.build_graph("tui_chat", cache_dir=None)
    cycles = set()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                cycles.add(" → ".join((importer, *back)))
    assert not cycles, "import cycles:\n" + "\n".join(sorted(cycles))


STARTUP = """
import asyncio, sys
import tui_chat.cli
from tui_chat.app import ClaudeTUI
from tui_chat.config import Secret, Settings

async def main() -> None:
    app = ClaudeTUI(Settings(api_key=Secret("sk-not-used"), base_url="http://127.0.0.1:9"))
    async with app.run_test() as pilot:
        for _ in range(600):  # the SDK is imported and the client built in a thread, after the first frame
            await pilot.pause(0.05)
            if app.backend.ready:
                break
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.backend.ready and type(app.screen).__name__ == "ChatScreen", app.screen
    print(" ".join(sorted(name for name in sys.modules if name.startswith("tui_chat"))))

asyncio.run(main())
"""


def test_start_up_imports_neither_the_demo_nor_the_benchmark() -> None:
    """The app started with a key, up to its chat screen and a built client, has not imported `tui_chat.demo`
    or `tui_chat.bench`: the demo server is loaded only for --demo or a replay, lazily."""
    result = subprocess.run([sys.executable, "-c", STARTUP], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    modules = set(result.stdout.split())
    assert "tui_chat.screens.chat" in modules and "tui_chat.stream.event_stream" in modules
    assert not {name for name in modules if name.startswith(("tui_chat.demo", "tui_chat.bench"))}


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
