"""The app's commands in the command palette (ctrl+p)."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

COMMANDS: list[tuple[str, str, str]] = [
    ("Toggle event inspector", "Show or hide the raw stream events (F2)", "toggle_inspector"),
    ("Stop generating", "Stop the answer that is streaming (Esc)", "stop"),
    ("Retry last answer", "Ask the last question again (ctrl+r)", "retry"),
    ("New conversation", "Start over with an empty conversation (ctrl+n)", "new_conversation"),
    ("Conversations…", "Saved conversations: open, rename, delete (ctrl+l)", "conversations"),
    ("Export transcript (markdown)", "Save the conversation as a markdown file here (ctrl+s)", "export"),
    ("Export messages (JSON)", "Save the API-ready messages array as JSON", "slash_export_json('')"),
    (
        "Save the last answer's recording (.sse)",
        "Exact wire bytes, plus timing beside it for replays",
        "slash_save_recording('')",
    ),
    ("Copy…", "Copy an answer, a message or a code block (F4)", "copy_picker"),
    ("Copy the last answer", "To the clipboard via OSC 52 (works over SSH)", "copy_last"),
    ("Edit the last message", "Put it back in the prompt; sending replaces it and its answer (F5)", "edit_last"),
    ("Slash commands", "List the commands you can type in the prompt (/help)", "slash_help"),
    ("TTFT experiment", "Send one prompt streaming and not streaming; compare time to first token", "ttft_experiment"),
    ("Choose model…", "Pick the model from the Models API, with its limits (ctrl+o)", "pick_model"),
    (
        "Metrics table",
        "Every turn's TTFT, tokens, tok/s, cost estimate, and the TTFT experiments (F3)",
        "session_metrics",
    ),
    ("Replay a recording…", "Play a recorded stream into the panes, with its timing or step by step", "replay_picker"),
    (
        "Thinking blocks: open / fold",
        "Open every thinking block of the conversation, or fold them again (ctrl+t)",
        "conversation('toggle_thinking')",
    ),
    (
        "Show earlier turns",
        "Render the older turns of a long saved conversation (ctrl+e in the conversation)",
        "conversation('show_earlier')",
    ),
    (
        "Inspector: pause / follow",
        "Stop scrolling with new events, or jump back to the newest (p)",
        "inspector('toggle_pause')",
    ),
    ("Inspector: show / hide pings", "Filter ping events (h)", "inspector('toggle_pings')"),
    ("Inspector: show / hide deltas", "Filter content_block_delta events (d)", "inspector('toggle_deltas')"),
    ("Inspector: errors only", "Show only error events and failed turns (e)", "inspector('toggle_errors')"),
    (
        "Inspector: SDK helper events",
        "Also list the events the SDK makes up (text, input_json, ...) (s)",
        "inspector('toggle_sdk')",
    ),
    (
        "Paced reads (less CPU) / exact event times",
        "Read a flowing answer every 50 ms (a fifth less CPU, times in 50 ms steps), or each frame as it lands",
        "toggle_paced_reads",
    ),
    (
        "Inspector: event details",
        "Open the highlighted event: bytes, JSON, SDK object, meaning (enter)",
        "inspector('open')",
    ),
]


class ChatCommands(Provider):
    """Commands of the chat screen, run as actions on it."""

    async def discover(self) -> Hits:
        for name, help_text, action in COMMANDS:
            yield DiscoveryHit(name, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in COMMANDS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._run, action), help=help_text)

    async def _run(self, action: str) -> None:
        await self.app.run_action(f"screen.{action}")
