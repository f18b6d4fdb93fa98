"""The command line: flags, `--version` and `--help`, `claude-tui export` and `list`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO
from tests.support.store import damaged_database, saved_conversation
from tui_chat import __version__
from tui_chat.cli import build_parser
from tui_chat.controls import RequestControls
from tui_chat.session.conversation import TurnStatus
from tui_chat.session.store import ConversationStore


def test_parser_flags() -> None:
    args = build_parser().parse_args(
        ["--demo", "--model", "x", "--max-tokens", "5", "--system", "s", "--base-url", "u"]
    )
    assert args.demo and args.model == "x" and args.max_tokens == 5 and args.system == "s" and args.base_url == "u"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--max-tokens", "0"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--temperature", "0"])


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "tui_chat", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_version_and_help_without_importing_the_sdk() -> None:
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"claude-tui {__version__}"
    help_text = run_cli("--help")
    assert help_text.returncode == 0
    for flag in ("--model", "--max-tokens", "--system", "--base-url", "--demo", "--version"):
        assert flag in help_text.stdout


def test_the_flags_set_the_controls_of_new_conversations() -> None:
    from tui_chat.cli import build_parser, controls_from

    parser = build_parser()
    args = parser.parse_args(["--thinking", "omitted", "--effort", "low", "--search", "--code-exec", "--no-cache"])
    assert controls_from(args) == RequestControls("omitted", "low", True, True, False)
    assert controls_from(parser.parse_args([])) == RequestControls()
    with pytest.raises(SystemExit):
        parser.parse_args(["--effort", "extreme"])


def test_cli_export_writes_markdown(tmp_path: Path) -> None:
    from tui_chat.session.conversation import Conversation

    conversation = Conversation(model="claude-sonnet-5-5")
    user = conversation.add_user("日本語 and emoji 🎉 and עברית")
    answer = conversation.start_assistant()
    answer.status = TurnStatus.COMPLETE
    answer.api_content = [{"type": "text", "text": "```python\nprint('hi')\n```"}]
    from tui_chat.session.conversation import Block

    answer.blocks = [Block(0, "text", "```python\nprint('hi')\n```", complete=True)]
    with ConversationStore(tmp_path) as store:
        store.save_turn(conversation, user)
        store.save_turn(conversation, answer)
    env = {**os.environ, "PYTHONPATH": str(REPO), "CLAUDE_TUI_DATA_DIR": str(tmp_path)}
    out = tmp_path / "out.md"
    result = subprocess.run(
        [sys.executable, "-m", "tui_chat", "export", conversation.id[:6], "-o", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "日本語 and emoji 🎉 and עברית" in text and "print('hi')" in text
    again = subprocess.run(
        [sys.executable, "-m", "tui_chat", "export", conversation.id, "-o", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 1 and "exists" in again.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "tui_chat", "export", "zzzz"], env=env, capture_output=True, text=True, timeout=60
    )
    assert missing.returncode == 1 and missing.stderr.strip()


def test_cli_export_with_a_name_too_long(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 8 for `claude-tui export ID -o NAME`: a readable error and exit status 1, no traceback."""
    monkeypatch.setenv("CLAUDE_TUI_DATA_DIR", str(tmp_path))
    conversation = saved_conversation(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "tui_chat", "export", conversation.id, "-o", str(tmp_path / ("b" * 300))],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 1, result.stderr
    assert "the name is too long" in result.stderr and "Traceback" not in result.stderr
    gone = tmp_path / "gone"
    gone.mkdir()
    command = f"cd {gone} && rmdir {gone} && exec {sys.executable} -m tui_chat export {conversation.id}"
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 1 and "current folder no longer exists" in result.stderr, result.stderr


def cli(*arguments: str, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui_chat", *arguments],
        env={**os.environ, "PYTHONPATH": str(REPO), "CLAUDE_TUI_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=data,
    )


def test_list_and_export_print_what_they_can_and_name_the_rest(tmp_path: Path) -> None:
    damaged_id, intact_id = damaged_database(tmp_path)
    listed = cli("list", data=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "Traceback" not in listed.stderr
    assert damaged_id in listed.stdout and intact_id in listed.stdout and "date unknown" in listed.stdout
    assert f"{damaged_id}: could not read its creation date" in listed.stderr

    exported = cli("export", damaged_id, "-o", str(tmp_path / "out.md"), data=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert "Traceback" not in exported.stderr and "could not read the creation date" in exported.stderr
    text = (tmp_path / "out.md").read_text()
    assert "Is 1009 prime?" in text and "Could not be read from the database" in text
