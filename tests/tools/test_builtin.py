"""The built-in tools: the calculator never runs code, the file tools never leave the start folder, never read
a .env (directly, through `..` or a symlink), claude-tui's own folders or a file holding the key; and no tool
result ever carries the key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui_chat.tools.base import ToolOutput, clean_output
from tui_chat.tools.builtin import current_time
from tui_chat.tools.calculator import CalculatorError, calculate, format_number
from tui_chat.tools.files import FileGuard, FileToolError
from tui_chat.tools.toolbox import Toolbox, ToolSettings, parse_tool_settings

KEY = "sk-ant-api03-" + "k" * 40


@pytest.mark.parametrize(
    "expression,value",
    [
        ("(17 * 23) + 2 ** 10", "1415"),
        ("0.1 + 0.2", "0.3"),
        ("-3 ** 2", "-9"),
        ("7 // 2 + 7 % 2", "4"),
        ("2^10", "1024"),
        ("1e3 / 8", "125"),
    ],
)
def test_the_calculator_computes_arithmetic(expression: str, value: str) -> None:
    assert format_number(calculate(expression)) == value


@pytest.mark.parametrize(
    "expression,why",
    [
        ("__import__('os').system('true')", "function call"),
        ("open('x')", "function call"),
        ("x + 1", "name"),
        ("(1).__class__", "Attribute"),
        ("[1, 2][0]", "Subscript"),
        ("'a' * 3", "value"),
        ("1 / 0", "Division by zero"),
        ("9 ** 9 ** 9", "Exponents above"),
        ("10 ** 999", "more than 400 digits"),
        ("2 ** 0.5 ** -2000", "Exponents above"),
        ("1e308 * 10", "not a finite number"),
        ("True + 1", "value"),
        ("(-8) ** 0.5", "not a real number"),
        ("lambda: 1", "Lambda"),
        ("", "empty"),
    ],
)
def test_the_calculator_refuses_everything_but_bounded_arithmetic(expression: str, why: str) -> None:
    with pytest.raises(CalculatorError, match=why):
        calculate(expression)


def test_the_time_has_its_zone() -> None:
    text = current_time("Asia/Tokyo")
    assert "(UTC+09:00), time zone Asia/Tokyo" in text and "JST" in text
    with pytest.raises(Exception, match="Unknown time zone"):
        current_time("Mars/Olympus")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """root/ (the start folder) with notes, a .env, a private data folder and a key file; a secret outside it."""
    root = tmp_path / "root"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "notes.md").write_text("hello notes\n")
    (root / ".env").write_text(f"ANTHROPIC_API_KEY={KEY}\n")
    (root / "config" / ".env.local").parent.mkdir()
    (root / "config" / ".env.local").write_text("X=1\n")
    (root / "data").mkdir()
    (root / "data" / "conversations.sqlite3").write_text("private")
    (root / "keys.txt").write_text(f"my key: {KEY}\n")
    (root / "gateway.json").write_text('{"api_key": "abcdefghijklmnopqrstuvwxyz012345"}')
    (root / "mentions.sh").write_text("export ANTHROPIC_API_KEY=$KEY  # from your shell\n")
    (tmp_path / "outside.txt").write_text("outside the root")
    (root / "env-link").symlink_to(root / ".env")
    (root / "outside-link").symlink_to(tmp_path / "outside.txt")
    (root / "up-link").symlink_to(tmp_path)
    return root


def guard(root: Path) -> FileGuard:
    return FileGuard(root, private=[root / "data"], secrets=[KEY])


def test_files_under_the_root_are_read_and_listed(tree: Path) -> None:
    files = guard(tree)
    assert files.read_file("docs/notes.md") == "hello notes\n"
    assert files.read_file("docs/../docs/notes.md", offset=6) == "notes\n\n[bytes 6–12 of 12]"
    assert files.read_file("mentions.sh").startswith("export ANTHROPIC_API_KEY=$KEY")
    listing = files.list_files(".")
    assert "docs/" in listing and "keys.txt" in listing
    assert ".env" not in listing.replace("refused entries not shown (.env files", "") and "data/" not in listing


@pytest.mark.parametrize(
    "path,why",
    [
        ("../outside.txt", "outside the folder"),
        ("outside-link", "outside the folder"),
        ("up-link/outside.txt", "outside the folder"),
        ("/etc/passwd", "outside the folder"),
        (".env", ".env files"),
        ("docs/../.env", ".env files"),
        ("env-link", ".env files"),
        ("config/.env.local", ".env files"),
        ("data/conversations.sqlite3", "claude-tui's own config and data"),
        ("keys.txt", "holds an API key"),
        ("gateway.json", "holds an API key"),
        ("missing.txt", "does not exist"),
        ("docs", "is a folder"),
    ],
)
def test_paths_that_leave_the_root_or_hold_secrets_are_refused(tree: Path, path: str, why: str) -> None:
    with pytest.raises(FileToolError, match=why):
        guard(tree).read_file(path)


def test_the_root_itself_cannot_be_left_by_listing(tree: Path) -> None:
    with pytest.raises(FileToolError, match="outside the folder"):
        guard(tree).list_files("..")
    with pytest.raises(FileToolError, match="claude-tui's own"):
        guard(tree).list_files("data")


def test_a_tool_result_never_carries_the_key() -> None:
    leaky = ToolOutput(f"here: {KEY} and sk-ant-other-{'z' * 20}\x1b]0;title\x07")
    cleaned = clean_output(leaky, [KEY])
    assert KEY not in str(cleaned.content) and "sk-ant-" not in str(cleaned.content)
    assert "\x1b" not in str(cleaned.content)
    blocks = clean_output(ToolOutput([{"type": "text", "text": KEY}, {"type": "resource", "uri": KEY}]), [KEY])
    assert KEY not in str(blocks.content)


async def test_the_toolbox_runs_the_file_tools_and_never_leaks(tree: Path) -> None:
    toolbox = Toolbox(tree, secrets=[KEY], private=[tree / "data"])
    assert (await toolbox.run("read_file", {"path": "docs/notes.md"})).content == "hello notes\n"
    for path in (".env", "../outside.txt", "env-link", "keys.txt"):
        output = await toolbox.run("read_file", {"path": path})
        assert output.is_error and KEY not in str(output.content)
    assert (await toolbox.run("read_file", {"path": 3})).is_error
    assert (await toolbox.run("nope", {})).is_error
    assert (await toolbox.run("calculator", "not an object")).is_error


def test_tool_settings_are_read_and_bad_values_said() -> None:
    settings, problems = parse_tool_settings({"timeout": 5, "max_rounds": 3})
    assert (settings.timeout, settings.max_rounds, problems) == (5.0, 3, [])
    settings, problems = parse_tool_settings({"timeout": "soon", "max_rounds": 0})
    assert settings == ToolSettings() and len(problems) == 2


def test_the_start_folder_is_where_claude_tui_started(tmp_path: Path) -> None:
    assert FileGuard(Path(os.curdir)).resolve(".") == Path.cwd().resolve()
