"""Every command of the app, declared once: its id, keys, slash names, palette title and help text.

Bindings, the command palette, the slash commands, the F1 help screen, the key bar and the README's key
table are all generated from `COMMANDS`. No Textual import: the table is data, and `python -m
tui_chat.commands` prints the README table from it. A user rebinds a command in `config.toml`:

    [keys]
    toggle_inspector = "f6"          # a command's id = one key, or several: ["f6", "ctrl+t"]
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    """Where a command's keys work."""

    APP = "app"
    """Everywhere."""
    CHAT = "chat"
    """The chat screen (whatever has the focus there)."""
    PROMPT = "prompt"
    """The prompt has the focus."""
    CONVERSATION = "conversation"
    """The conversation pane has the focus."""
    INSPECTOR = "inspector"
    """The event inspector has the focus."""
    STEP = "step"
    """A replay in step mode (the chat screen, while a recording waits for keypresses)."""
    FIND = "find"
    """The find bar (ctrl+f) has the focus."""
    LIST = "list"
    """The conversation list (ctrl+l)."""
    APPROVAL = "approval"
    """A tool call waits for the user's decision (the approval prompt)."""


SCOPE_TITLES: dict[Scope, str] = {
    Scope.APP: "Anywhere",
    Scope.CHAT: "In the chat",
    Scope.PROMPT: "In the prompt",
    Scope.CONVERSATION: "In the conversation (click it or Tab to it)",
    Scope.INSPECTOR: "In the event inspector (click it or Tab to it)",
    Scope.STEP: "Replaying step by step (claude-tui replay --step)",
    Scope.FIND: "In the find bar (ctrl+f)",
    Scope.LIST: "In the conversation list (ctrl+l)",
    Scope.APPROVAL: "Claude asks to run a tool (the approval prompt)",
}


@dataclass(frozen=True)
class Command:
    """One command. `id` names it in `[keys]` of config.toml and is its binding id."""

    id: str
    help: str
    """What it does, one line (F1, the palette, the README)."""
    keys: tuple[str, ...] = ()
    """Default keys, as Textual names them (`ctrl+r`, `f2`, `escape`)."""
    scope: Scope = Scope.CHAT
    label: str = ""
    """The key bar's word for it (empty: not on the key bar)."""
    title: str = ""
    """The command palette's title (empty: not in the palette)."""
    action: str = ""
    """The Textual action run on the scope's widget (default: the id)."""
    slash: tuple[str, ...] = ()
    """Slash names, the first one shown (`/retry`, `/regenerate`)."""
    usage: str = ""
    """The slash command with its argument, e.g. `/export [--no-metrics] [PATH]` (default: the first name)."""
    slash_action: str = ""
    """The action a slash command runs with its argument (`slash_export`), if it takes one."""
    priority: bool = False
    """Runs before the focused widget sees the key (only for keys no widget needs)."""
    rebindable: bool = True

    @property
    def binding_action(self) -> str:
        return self.action or self.id

    @property
    def slash_usage(self) -> str:
        return self.usage or (self.slash[0] if self.slash else "")

    @property
    def takes_argument(self) -> bool:
        return bool(self.slash_action)


# fmt: off
COMMANDS: tuple[Command, ...] = (
    # --- anywhere
    Command("quit", "quit claude-tui", ("ctrl+q",), Scope.APP, "Quit", "Quit", slash=("/quit", "/exit", "/q"),
            priority=True),
    Command("help", "every key and command (this list)", ("f1",), Scope.APP, "Help", "Help: keys and commands",
            slash=("/keys",)),
    Command("command_palette", "the command palette: every command, themes included", ("ctrl+p",), Scope.APP,
            rebindable=False),
    # --- the prompt
    Command("submit", "send the prompt", ("enter",), Scope.PROMPT, "Send", rebindable=False),
    Command("newline", "a new line in the prompt (ctrl+j works over SSH, where shift+enter often does not)",
            ("ctrl+j", "shift+enter"), Scope.PROMPT, "Newline"),
    Command("history_previous", "the prompt you sent before (on the first line of the prompt)", ("up",),
            Scope.PROMPT, action="history(-1)", rebindable=False),
    Command("history_next", "the next prompt you sent (on the last line of the prompt)", ("down",), Scope.PROMPT,
            action="history(1)", rebindable=False),
    # --- the chat screen
    Command("stop", "stop the answer that is streaming (the partial answer is kept)", ("escape",), Scope.CHAT,
            "Stop", "Stop generating", slash=("/stop",)),
    Command("interrupt", "stop the answer; otherwise copy the prompt's selection", ("ctrl+c",), Scope.CHAT,
            priority=True, rebindable=False),
    Command("retry", "a new answer to the last message: after a failure, or to regenerate (replays a replay)",
            ("ctrl+r",), Scope.CHAT, "Retry", "Retry last answer", slash=("/retry", "/regenerate")),
    Command("toggle_inspector", "show or hide the event inspector", ("f2",), Scope.CHAT, "Inspector",
            "Toggle event inspector", slash=("/inspector",)),
    Command("session_metrics", "metrics table: every turn of the conversation, and the TTFT experiments",
            ("f3",), Scope.CHAT, "Metrics table", "Metrics table", slash=("/metrics",)),
    Command("copy_picker", "copy: an answer, one of your messages, or a code block", ("f4",), Scope.CHAT,
            "Copy", "Copy…"),
    Command("copy_last", "copy the last answer, or its last code block (OSC 52, works over SSH)", (), Scope.CHAT,
            title="Copy the last answer", slash=("/copy",), usage="/copy [code]", slash_action="slash_copy"),
    Command("edit_last", "edit your last message: it comes back into the prompt; sending replaces it and its "
            "answer", ("f5",), Scope.CHAT, title="Edit the last message", slash=("/edit",)),
    Command("export", "export the conversation as markdown, in the current directory", ("ctrl+s",), Scope.CHAT,
            "Export", "Export transcript (markdown)", slash=("/export",), usage="/export [--no-metrics] [PATH]",
            slash_action="slash_export"),
    Command("export_json", "save the API-ready messages array as JSON", (), Scope.CHAT,
            title="Export messages (JSON)", slash=("/export-json",), usage="/export-json [PATH]",
            slash_action="slash_export_json"),
    Command("save_recording", "save the last answer's exact wire bytes (.sse, with its timing beside it)", (),
            Scope.CHAT, title="Save the last answer's recording (.sse)", slash=("/save-sse",),
            usage="/save-sse [PATH]", slash_action="slash_save_recording"),
    Command("conversations", "saved conversations: search them all, open, rename, delete", ("ctrl+l",),
            Scope.CHAT, "Conversations", "Conversations…", slash=("/conversations", "/list")),
    Command("find", "find in the conversation: every match highlighted, the next and previous a key away",
            ("ctrl+f",), Scope.CHAT, "Find", "Find in the conversation…", slash=("/find",), usage="/find [WORDS]",
            slash_action="slash_find"),
    Command("pick_model", "choose the model (from the Models API, with each model's input/output limits)",
            ("ctrl+o",), Scope.CHAT, "Model", "Choose model…", slash=("/model",), usage="/model [NAME]",
            slash_action="slash_model"),
    Command("new_conversation", "new conversation", ("ctrl+n",), Scope.CHAT, "New chat", "New conversation",
            slash=("/new", "/clear")),
    Command("system_prompt", "set the system prompt (no text: clear it)", (), Scope.CHAT, slash=("/system",),
            usage="/system [TEXT]", slash_action="slash_system"),
    Command("ttft_experiment", "the TTFT experiment: one prompt streamed and not streamed, side by side", (),
            Scope.CHAT, title="TTFT experiment", slash=("/ttft",), usage="/ttft [PROMPT]",
            slash_action="slash_ttft"),
    Command("replay_picker", "replay a recorded stream with its timing, or step by step", (), Scope.CHAT,
            title="Replay a recording…", slash=("/replay",), usage="/replay [NAME|FILE]",
            slash_action="slash_replay"),
    # --- what each request asks for (saved with the conversation)
    Command("thinking", "adaptive thinking: summarized, omitted (only its signature comes back), off, or the "
            "model's default (nothing sent)", (), Scope.CHAT, title="Thinking: summarized / omitted / off…",
            slash=("/thinking",), usage="/thinking [summarized|omitted|off|default]", slash_action="slash_thinking"),
    Command("effort", "effort (output_config.effort): low, medium, high, xhigh, max, or the model's default", (),
            Scope.CHAT, title="Effort: low … max…", slash=("/effort",),
            usage="/effort [low|medium|high|xhigh|max|default]", slash_action="slash_effort"),
    Command("toggle_web", "web search and web fetch, run by the API (server tools), with cited sources", (),
            Scope.CHAT, title="Web search and fetch: on / off", slash=("/web",), usage="/web [on|off]",
            slash_action="slash_web"),
    Command("toggle_code_execution", "code execution in the API's sandbox (server tool)", (), Scope.CHAT,
            title="Code execution: on / off", slash=("/code-exec",), usage="/code-exec [on|off]",
            slash_action="slash_code_execution"),
    Command("toggle_cache", "prompt caching (on by default): cache_control marks on the system prompt and the "
            "history", (), Scope.CHAT, title="Prompt caching: on / off", slash=("/cache",), usage="/cache [on|off]",
            slash_action="slash_cache"),
    Command("toggle_tools", "claude-tui's tools on or off (time, calculator, read-only files, MCP servers'), each "
            "call approved by you; /tools alone lists them", (), Scope.CHAT, title="Tools: on / off", slash=("/tools",),
            usage="/tools [on|off]", slash_action="slash_tools"),
    Command("list_tools", "the tools Claude can call: built-ins and each MCP server's (starts the servers)", (),
            Scope.CHAT, title="Tools: list…"),
    Command("continue_tools", "go on with a tool loop that stopped (calls not answered, results not sent)", (),
            Scope.CHAT, title="Continue the stopped tool loop", slash=("/continue",)),
    Command("attach", "attach an image, a PDF or a text file to the next message (clear: remove them)", (),
            Scope.CHAT, title="Attach a file…", slash=("/attach",), usage="/attach PATH|clear",
            slash_action="slash_attach"),
    Command("toggle_paced_reads", "paced reads (a flowing answer read every 50 ms: less CPU, times in 50 ms "
            "steps) or exact event times", (), Scope.CHAT, title="Paced reads (less CPU) / exact event times"),
    Command("toggle_low_bandwidth", "low-bandwidth mode (on by default over SSH): fewer frames, each sent once the "
            "terminal has shown the last; no cursor blink", (), Scope.APP,
            title="Low-bandwidth mode: on / off", slash=("/low-bandwidth",)),
    Command("slash_help", "list the slash commands", (), Scope.CHAT, title="Slash commands", slash=("/help",)),
    # --- the conversation pane
    Command("toggle_thinking", "open or fold every thinking block of the conversation", ("ctrl+t",), Scope.CHAT,
            "Thinking", "Thinking blocks: open / fold", action="conversation('toggle_thinking')"),
    Command("show_earlier", "show the earlier turns of a long saved conversation", ("ctrl+e",), Scope.CONVERSATION,
            "Earlier turns", "Show earlier turns"),
    Command("find_next", "the next match of the find (ctrl+f)", ("n",), Scope.CONVERSATION, "Next match"),
    Command("find_previous", "the previous match of the find", ("N",), Scope.CONVERSATION, "Previous match"),
    # --- the event inspector
    Command("inspector_up", "select the event above", ("up",), Scope.INSPECTOR, action="cursor(-1)",
            rebindable=False),
    Command("inspector_down", "select the event below", ("down",), Scope.INSPECTOR, action="cursor(1)",
            rebindable=False),
    Command("inspector_page_up", "a page up", ("pageup",), Scope.INSPECTOR, action="cursor(-20)", rebindable=False),
    Command("inspector_page_down", "a page down", ("pagedown",), Scope.INSPECTOR, action="cursor(20)",
            rebindable=False),
    Command("inspector_first", "the first event", ("home",), Scope.INSPECTOR, action="first", rebindable=False),
    Command("inspector_last", "the newest event, following again", ("end",), Scope.INSPECTOR, action="follow",
            rebindable=False),
    Command("inspector_open", "the selected event's details: bytes, JSON, SDK object, meaning", ("enter",),
            Scope.INSPECTOR, "Details", "Inspector: event details", action="open"),
    Command("inspector_pause", "pause (stop scrolling with new events) or follow the newest", ("p",),
            Scope.INSPECTOR, "Pause/follow", "Inspector: pause / follow", action="toggle_pause"),
    Command("inspector_pings", "show or hide pings", ("h",), Scope.INSPECTOR, "Pings",
            "Inspector: show / hide pings", action="toggle_pings"),
    Command("inspector_deltas", "show or hide content_block_delta events", ("d",), Scope.INSPECTOR, "Deltas",
            "Inspector: show / hide deltas", action="toggle_deltas"),
    Command("inspector_errors", "show only error events and failed turns", ("e",), Scope.INSPECTOR,
            "Errors only", "Inspector: errors only", action="toggle_errors"),
    Command("inspector_sdk", "also list the events the SDK makes up (text, input_json, …)", ("s",),
            Scope.INSPECTOR, "SDK events", "Inspector: SDK helper events", action="toggle_sdk"),
    # --- replay step mode
    Command("step_next", "send the next event of the recording", ("n",), Scope.STEP, "Next event",
            action="step(1)"),
    Command("step_rest", "play the rest of the recording", ("c",), Scope.STEP, "Play the rest",
            action="step(1000000000)"),
    # --- the find bar
    Command("find_bar_next", "the next match", ("enter", "down"), Scope.FIND, "Next", action="step(1)"),
    Command("find_bar_previous", "the previous match", ("up", "shift+enter"), Scope.FIND, "Previous",
            action="step(-1)"),
    Command("find_bar_close", "close the find bar (the highlights go)", ("escape",), Scope.FIND, "Close",
            action="close"),
    # --- the conversation list
    Command("list_open", "open the conversation (at the match, when searching)", ("enter",), Scope.LIST, "Open",
            action="open", priority=True, rebindable=False),
    Command("list_next", "the next conversation (also while typing in the search box)", ("down",), Scope.LIST,
            action="cursor(1)", rebindable=False),
    Command("list_previous", "the previous conversation", ("up",), Scope.LIST, action="cursor(-1)",
            rebindable=False),
    Command("list_page_down", "a page down", ("pagedown",), Scope.LIST, action="cursor(10)", rebindable=False),
    Command("list_page_up", "a page up", ("pageup",), Scope.LIST, action="cursor(-10)", rebindable=False),
    Command("list_search", "search every message and answer: type words (Tab goes to the list)", ("slash",),
            Scope.LIST, "Search", action="search"),
    Command("list_rename", "rename the conversation (r in the list)", ("f2", "r"), Scope.LIST, "Rename",
            action="rename"),
    Command("list_delete", "delete the conversation, after a confirmation (d in the list)", ("delete", "d"),
            Scope.LIST, "Delete", action="delete"),
    Command("list_close", "close the list", ("escape",), Scope.LIST, "Close", action="cancel"),
    # --- the approval prompt
    Command("approve_run", "run this tool call", ("y",), Scope.APPROVAL, "Run", action="decide('run')",
            rebindable=False),
    Command("approve_always", "run it, and every later call of this tool in this conversation", ("a",),
            Scope.APPROVAL, "Always", action="decide('always')", rebindable=False),
    Command("approve_refuse", "refuse it, with a reason Claude reads (Enter sends the reason)", ("n",),
            Scope.APPROVAL, "Refuse…", action="decide('refuse')", rebindable=False),
    Command("approve_stop", "stop the turn here: nothing is run or sent (/continue asks again)", ("escape",),
            Scope.APPROVAL, "Stop", action="decide('stop')", rebindable=False),
)
# fmt: on

BY_ID: dict[str, Command] = {command.id: command for command in COMMANDS}

ON_KEY_BAR: frozenset[str] = frozenset(
    {
        "stop",
        "retry",
        "toggle_inspector",
        "session_metrics",
        "copy_picker",
        "export",
        "conversations",
        "pick_model",
        "new_conversation",
        "quit",
        "help",
        "inspector_open",
        "inspector_pause",
        "step_next",
        "step_rest",
        "approve_run",
        "approve_always",
        "approve_refuse",
        "approve_stop",
        "submit",
        "newline",
        "find_next",
        "find_previous",
        "find_bar_next",
        "find_bar_previous",
        "find_bar_close",
        "list_open",
        "list_search",
        "list_rename",
        "list_delete",
        "list_close",
    }
)
"""Commands whose key is shown on the key bar (when they can run). The rest are in F1 and the palette."""


# ------------------------------------------------------------------------------------------ keys
_NAMED_KEYS = frozenset(
    {
        "enter",
        "escape",
        "tab",
        "space",
        "backspace",
        "delete",
        "insert",
        "home",
        "end",
        "pageup",
        "pagedown",
        "up",
        "down",
        "left",
        "right",
        "slash",
        *(f"f{n}" for n in range(1, 25)),
    }
)
_MODIFIERS = ("ctrl", "shift", "alt", "super", "meta", "hyper")
_KEY_LABELS = {
    "escape": "Esc",
    "enter": "Enter",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "delete": "Del",
    "insert": "Ins",
    "tab": "Tab",
    "space": "Space",
    "backspace": "Backspace",
    "slash": "/",
}


def valid_key(key: str) -> bool:
    """A key as Textual names it: `a`, `N` (shift and n), `f2`, `ctrl+r`, `shift+enter`, `ctrl+shift+up`."""
    parts = key.split("+")
    *modifiers, base = parts
    if any(m not in _MODIFIERS for m in modifiers) or len(set(modifiers)) != len(modifiers):
        return False
    if not modifiers and re.fullmatch(r"[A-Z]", base):
        return True  # Textual names a capital letter by itself, not shift+letter
    return base in _NAMED_KEYS or bool(re.fullmatch(r"[a-z0-9]", base))


def key_label(key: str) -> str:
    """How a key is written for people: `F2`, `Esc`, `ctrl+r`, `↑`, `shift+enter`."""
    *modifiers, base = key.split("+")
    if re.fullmatch(r"f\d+", base):
        shown = base.upper()
    elif modifiers and base.isalpha():
        shown = base  # ctrl+r, shift+enter
    else:
        shown = _KEY_LABELS.get(base, base)
    return "+".join([*modifiers, shown])


class KeyMap:
    """The keys in effect: the defaults with the user's `[keys]` applied."""

    def __init__(self, overrides: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.overrides: dict[str, tuple[str, ...]] = dict(overrides or {})

    def keys(self, command_id: str) -> tuple[str, ...]:
        if command_id in self.overrides:
            return self.overrides[command_id]
        return BY_ID[command_id].keys

    def label(self, command_id: str) -> str:
        """The first key of a command as people write it, or its slash command when it has no key."""
        keys = self.keys(command_id)
        if keys:
            return key_label(keys[0])
        command = BY_ID[command_id]
        return command.slash[0] if command.slash else command.title

    def labels(self, command_id: str) -> str:
        """Every key of a command (`ctrl+j, shift+enter`)."""
        return ", ".join(key_label(key) for key in self.keys(command_id))

    def textual_keymap(self) -> dict[str, str]:
        """The overrides as Textual's `App.set_keymap` takes them (binding id → comma-separated keys)."""
        return {command_id: ",".join(keys) for command_id, keys in self.overrides.items()}


_active = KeyMap()


def active_keymap() -> KeyMap:
    """The keys in effect in this process (the defaults until the app applies the user's `[keys]`)."""
    return _active


def use_keymap(keymap: KeyMap) -> None:
    """Make `keymap` the one in effect (the app does this once at start, from config.toml)."""
    global _active
    _active = keymap


def parse_key_overrides(table: Mapping[str, object]) -> tuple[KeyMap, list[str]]:
    """Read `[keys]` of config.toml: a key map, and a sentence for each entry that was refused."""
    problems: list[str] = []
    overrides: dict[str, tuple[str, ...]] = {}
    for command_id, value in table.items():
        command = BY_ID.get(command_id)
        if command is None:
            close = difflib.get_close_matches(command_id, [c.id for c in COMMANDS if c.rebindable], n=2, cutoff=0.8)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            problems.append(f"[keys] {command_id}: no such command{hint}")
            continue
        if not command.rebindable:
            problems.append(f"[keys] {command_id}: this key cannot be changed")
            continue
        keys = (value,) if isinstance(value, str) else value
        if not isinstance(keys, list | tuple) or not keys or not all(isinstance(k, str) for k in keys):
            problems.append(f"[keys] {command_id}: give a key as a string, or a list of them")
            continue
        normalized = tuple(_normalized_key(str(k)) for k in keys)
        bad = [k for k in normalized if not valid_key(k)]
        if bad:
            named = ", ".join(repr(b) for b in bad)
            problems.append(f'[keys] {command_id}: {named} is not a key (write it as "f6", "ctrl+t", "alt+x")')
            continue
        overrides[command_id] = normalized
    clashes = _clashes(KeyMap(overrides), overrides)
    problems.extend(sentence for _, sentence in clashes)
    clashing = {command_id for command_id, _ in clashes}
    return KeyMap({c: keys for c, keys in overrides.items() if c not in clashing}), problems


def _normalized_key(key: str) -> str:
    """A key as written in config.toml, as Textual names it: lower case, except a capital letter alone."""
    key = key.strip()
    return key if re.fullmatch(r"[A-Z]", key) else key.lower()


def _clashes(keymap: KeyMap, changed: Iterable[str]) -> list[tuple[str, str]]:
    """(command id, sentence) for each changed key that another command answers where both are active: a
    rebinding that clashes is not applied (both commands keep their default keys)."""
    together = {
        Scope.APP: set(Scope),
        Scope.CHAT: set(Scope) - {Scope.LIST, Scope.APPROVAL},  # the chat screen's keys, whatever has the focus there
        Scope.STEP: {Scope.APP, Scope.CHAT, Scope.STEP},
        Scope.PROMPT: {Scope.APP, Scope.CHAT, Scope.PROMPT},
        Scope.CONVERSATION: {Scope.APP, Scope.CHAT, Scope.CONVERSATION},
        Scope.INSPECTOR: {Scope.APP, Scope.CHAT, Scope.INSPECTOR},
        Scope.FIND: {Scope.APP, Scope.CHAT, Scope.FIND},
        Scope.LIST: {Scope.APP, Scope.LIST},
        Scope.APPROVAL: {Scope.APP, Scope.APPROVAL},
    }
    problems: list[tuple[str, str]] = []
    for command_id in changed:
        command = BY_ID[command_id]
        for key in keymap.keys(command_id):
            for other in COMMANDS:
                if other.id != command_id and other.scope in together[command.scope] and key in keymap.keys(other.id):
                    sentence = f"[keys] {command_id}: {key} is also the key of {other.id}; not changed"
                    problems.append((command_id, sentence))
    return problems


# --------------------------------------------------------------------------------- generated text
def in_scope(scope: Scope) -> list[Command]:
    return [command for command in COMMANDS if command.scope is scope]


def slash_commands() -> list[Command]:
    return [command for command in COMMANDS if command.slash]


def find_slash(line: str) -> tuple[Command | None, str, str]:
    """(command or None, the name typed, the argument) for a line starting with `/`."""
    name, _, argument = line.strip().partition(" ")
    name = name.lower()
    for command in COMMANDS:
        if name in command.slash:
            return command, name, argument.strip()
    return None, name, argument.strip()


def slash_help() -> str:
    return "Slash commands:\n" + "\n".join(f"  {c.slash_usage:<30} {c.help}" for c in slash_commands())


def help_rows(scope: Scope, keymap: KeyMap) -> list[tuple[str, str]]:
    """(keys, what it does) for every command of `scope` that has a key."""
    rows = []
    for command in in_scope(scope):
        keys = keymap.labels(command.id)
        if keys:
            rows.append((keys, command.help))
    return rows


def readme_key_table(keymap: KeyMap | None = None) -> str:
    """The README's key table (between its `keys` markers), from this table."""
    keymap = keymap or KeyMap()
    lines = ["| key | what it does | slash command |", "|---|---|---|"]
    for scope in Scope:
        rows = [c for c in in_scope(scope) if keymap.keys(c.id) or c.slash]
        if not rows:
            continue
        lines.append(f"| **{SCOPE_TITLES[scope]}** | | |")
        for command in rows:
            keys = keymap.labels(command.id)
            slash = ", ".join(f"`{name}`" for name in command.slash)
            if command.usage and command.slash:
                slash = f"`{command.usage}`" + "".join(f", `{name}`" for name in command.slash[1:])
            slash = slash.replace("|", "\\|")  # a table cell ends at a bare pipe, even inside backticks
            lines.append(f"| {keys} | {command.help} | {slash} |")
    return "\n".join(lines)


def main(arguments: list[str]) -> int:
    """`python -m tui_chat.commands [--ids]`: the README's key table, or every command id with its keys."""
    if arguments == ["--ids"]:
        for command in COMMANDS:
            if command.rebindable:
                keys = ", ".join(command.keys) or "(no key)"
                print(f"{command.id:<22} {keys:<20} {command.help}")
        return 0
    print(readme_key_table())
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
