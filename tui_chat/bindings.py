"""Textual bindings and the command palette, generated from the command table (`tui_chat.commands`)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui_chat.commands import BY_ID, COMMANDS, ON_KEY_BAR, Command, KeyMap, Scope, active_keymap, in_scope


def bindings(*scopes: Scope) -> list[BindingType]:
    """The bindings of the commands of `scopes` that have keys (each with its command's id, so a
    user's `[keys]` can rebind it through Textual's keymap)."""
    result: list[BindingType] = []
    for scope in scopes:
        for command in in_scope(scope):
            if command.keys and command.id != "command_palette":
                result.append(
                    Binding(
                        ",".join(command.keys),
                        command.binding_action,
                        command.label or command.title or command.help,
                        show=command.id in ON_KEY_BAR,
                        priority=command.priority,
                        id=command.id,
                        key_display="^j" if command.keys[0] == "ctrl+j" else None,
                    )
                )
    return result


def keys_taken_by_the_prompt(keymap: KeyMap) -> list[str]:
    """A sentence for each rebound key that the prompt's text editing answers first (the prompt has the
    focus most of the time, and a focused widget's keys win over the screen's)."""
    from textual.widgets import TextArea

    editing = {
        key.strip() for binding in TextArea.BINDINGS if isinstance(binding, Binding) for key in binding.key.split(",")
    }
    problems = []
    for command_id, keys in keymap.overrides.items():
        command = BY_ID[command_id]
        if command.scope in (Scope.CHAT, Scope.STEP) and not command.priority:
            for key in keys:
                if key in editing:
                    problems.append(f"[keys] {command_id}: {key} edits text in the prompt, so it works only outside it")
                elif len(key) == 1:
                    problems.append(f"[keys] {command_id}: {key} is typed into the prompt, so it works only outside it")
    return problems


def palette_action(command: Command) -> str:
    """The action the palette runs for `command`, addressed from the app."""
    action = command.binding_action
    if command.scope is Scope.APP:
        return f"app.{action}"
    if command.scope is Scope.CONVERSATION:
        return f"screen.conversation({action!r})"
    if command.scope is Scope.INSPECTOR:
        return f"screen.inspector({action!r})"
    return f"screen.{action}"


def palette_commands(keymap: KeyMap) -> Iterable[tuple[str, str, str]]:
    """(title, help with its key, action) of every command in the palette."""
    for command in COMMANDS:
        if command.title:
            keys = keymap.labels(command.id)
            help_text = command.help[0].upper() + command.help[1:]
            yield command.title, f"{help_text} ({keys})" if keys else help_text, palette_action(command)


class ChatCommands(Provider):
    """The command palette's entries: every command of the table that has a title."""

    def _commands(self) -> list[tuple[str, str, str]]:
        return list(palette_commands(active_keymap()))

    async def discover(self) -> Hits:
        for title, help_text, action in self._commands():
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self.app.run_action, action), help=help_text)
