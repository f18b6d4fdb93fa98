"""Slash commands typed in the prompt: one table says what each does, the help text comes from it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SlashCommand:
    names: tuple[str, ...]
    usage: str
    help: str
    action: str
    """The chat screen's action to run; its argument (if any) is the rest of the line."""
    takes_argument: bool = False


COMMANDS: list[SlashCommand] = [
    SlashCommand(("/help",), "/help", "this list", "slash_help"),
    SlashCommand(("/quit", "/exit", "/q"), "/quit, /exit", "quit (also ctrl+q)", "app.quit"),
    SlashCommand(("/new", "/clear"), "/new, /clear", "start a new conversation (ctrl+n)", "new_conversation"),
    SlashCommand(("/conversations", "/list"), "/conversations", "saved conversations (ctrl+l)", "conversations"),
    SlashCommand(("/inspector",), "/inspector", "show or hide the event inspector (F2)", "toggle_inspector"),
    SlashCommand(("/retry", "/regenerate"), "/retry", "a new answer to the last message (ctrl+r)", "retry"),
    SlashCommand(("/edit",), "/edit", "edit and resend your last message (F5)", "edit_last"),
    SlashCommand(("/copy",), "/copy [code]", "copy the last answer, or its last code block (F4: choose)", "copy", True),
    SlashCommand(
        ("/export",), "/export [--no-metrics] [PATH]", "save the transcript as markdown (ctrl+s)", "export", True
    ),
    SlashCommand(("/export-json",), "/export-json [PATH]", "save the API-ready messages as JSON", "export_json", True),
    SlashCommand(
        ("/save-sse",), "/save-sse [PATH]", "save the last answer's wire stream (.sse + timing)", "save_recording", True
    ),
    SlashCommand(("/replay",), "/replay [NAME|FILE]", "replay a recorded stream (no name: pick one)", "replay", True),
    SlashCommand(("/ttft",), "/ttft [PROMPT]", "the TTFT experiment: streamed vs not streamed", "ttft", True),
    SlashCommand(("/model",), "/model [NAME]", "the model for the next turns (no name: pick, ctrl+o)", "model", True),
    SlashCommand(("/system",), "/system [TEXT]", "set the system prompt (no text: clear it)", "system", True),
]

HELP = "Slash commands:\n" + "\n".join(f"  {c.usage:<30} {c.help}" for c in COMMANDS)


def parse(line: str) -> tuple[SlashCommand | None, str, str]:
    """(command or None, the name typed, the argument) for a line starting with `/`."""
    name, _, argument = line.strip().partition(" ")
    name = name.lower()
    for command in COMMANDS:
        if name in command.names:
            return command, name, argument.strip()
    return None, name, argument.strip()
