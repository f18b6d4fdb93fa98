"""The command table: one declaration per command, and everything generated from it."""

from __future__ import annotations

import re

from tests.support.paths import REPO
from tui_chat.app import ClaudeTUI
from tui_chat.commands import (
    BY_ID,
    COMMANDS,
    KeyMap,
    Scope,
    find_slash,
    key_label,
    parse_key_overrides,
    readme_key_table,
    slash_commands,
    valid_key,
)
from tui_chat.screens.approval import ApprovalScreen
from tui_chat.screens.chat import ChatScreen
from tui_chat.screens.conversation_list import ConversationListScreen
from tui_chat.widgets.conversation_view import ConversationView
from tui_chat.widgets.event_inspector import EventInspector
from tui_chat.widgets.find_bar import FindInput
from tui_chat.widgets.prompt_input import PromptInput

README = REPO / "README.md"
TARGETS: dict[Scope, type] = {
    Scope.APP: ClaudeTUI,
    Scope.CHAT: ChatScreen,
    Scope.STEP: ChatScreen,
    Scope.CONVERSATION: ConversationView,
    Scope.INSPECTOR: EventInspector,
    Scope.PROMPT: PromptInput,
    Scope.FIND: FindInput,
    Scope.LIST: ConversationListScreen,
    Scope.APPROVAL: ApprovalScreen,
}


def test_the_readme_key_table_is_the_generated_one() -> None:
    text = README.read_text(encoding="utf-8")
    table = re.search(r"<!-- keys:start -->\n(.*?)\n<!-- keys:end -->", text, re.S)
    assert table is not None, "README lost its keys markers"
    assert table.group(1) == readme_key_table(), "run: python -m tui_chat.commands, and paste it into README.md"


def test_each_command_is_declared_once_and_runs_an_action_that_exists() -> None:
    assert len(BY_ID) == len(COMMANDS)
    slash_names = [name for command in slash_commands() for name in command.slash]
    assert len(slash_names) == len(set(slash_names))
    for command in COMMANDS:
        if command.id == "command_palette":
            continue
        target = TARGETS[command.scope]
        action = command.binding_action.split("(")[0]
        if command.keys or command.title or (command.slash and not command.takes_argument):
            assert hasattr(target, f"action_{action}"), (command.id, target.__name__, action)
        if command.takes_argument:
            assert hasattr(ChatScreen, f"action_{command.slash_action}"), command.id


def test_the_bindings_come_from_the_table() -> None:
    for scope, target in TARGETS.items():
        ids = {binding.id for binding in target.BINDINGS if not isinstance(binding, tuple)}
        expected = {c.id for c in COMMANDS if c.scope in (scope, Scope.STEP if scope is Scope.CHAT else scope)}
        expected = {i for i in expected if BY_ID[i].keys and i != "command_palette"}
        assert expected <= ids, (scope, expected - ids)


def test_slash_commands_are_found_with_their_argument() -> None:
    command, name, argument = find_slash("/EXPORT --no-metrics notes.md")
    assert command is BY_ID["export"] and name == "/export" and argument == "--no-metrics notes.md"
    assert find_slash("/regenerate")[0] is BY_ID["retry"]
    assert find_slash("/nope")[0] is None


def test_keys_are_validated_and_labelled() -> None:
    assert valid_key("f6") and valid_key("ctrl+t") and valid_key("ctrl+shift+up") and valid_key("x")
    assert not valid_key("ctrl+") and not valid_key("hyperspace") and not valid_key("ctrl+ctrl+a")
    assert key_label("escape") == "Esc" and key_label("f2") == "F2" and key_label("ctrl+r") == "ctrl+r"


def test_user_keys_apply_and_bad_ones_are_refused_with_a_reason() -> None:
    keymap, problems = parse_key_overrides(
        {
            "toggle_inspector": "F6",
            "retry": ["ctrl+r", "alt+r"],
            "toggle_inspectr": "f7",
            "stop": "spaceship",
            "submit": "ctrl+enter",
            "export": "f3",  # F3 is the metrics table's key in the same place
        }
    )
    assert keymap.keys("toggle_inspector") == ("f6",)
    assert keymap.keys("retry") == ("ctrl+r", "alt+r")
    assert keymap.keys("stop") == ("escape",) and keymap.keys("export") == ("ctrl+s",)
    assert keymap.label("toggle_inspector") == "F6"
    text = "\n".join(problems)
    assert "toggle_inspectr: no such command (did you mean toggle_inspector?)" in text
    assert "'spaceship' is not a key" in text
    assert "submit: this key cannot be changed" in text
    assert "export: f3 is also the key of session_metrics" in text
    assert keymap.textual_keymap() == {"toggle_inspector": "f6", "retry": "ctrl+r,alt+r"}
    assert KeyMap().keys("toggle_inspector") == ("f2",)
