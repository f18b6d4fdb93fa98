"""A conversation's request controls: what its requests ask for beyond the model, the limit and the messages.

Pure Python (no SDK, no Textual). One `RequestControls` per conversation, saved with it; the request
builder (`session.request`) turns it into parameters, and `refusals` says what a model does not take.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

THINKING_CHOICES = ("default", "summarized", "omitted", "off")
"""`default` sends no `thinking` (the model decides); `summarized` and `omitted` send adaptive thinking
with that display; `off` sends `{"type": "disabled"}`."""

EFFORT_LEVELS = ("low", "medium", "high", "xhigh", "max")
"""`output_config.effort` values, least to most."""

ON_WORDS = frozenset({"on", "yes", "true", "1"})
OFF_WORDS = frozenset({"off", "no", "false", "0"})


@dataclass
class RequestControls:
    """The knobs of a conversation's requests. The defaults send nothing but the cache marks."""

    thinking: str = "default"
    """One of `THINKING_CHOICES`."""
    effort: str | None = None
    """One of `EFFORT_LEVELS`; None sends no `output_config` (the model's default effort)."""
    web: bool = False
    """The web search and web fetch server tools."""
    code_execution: bool = False
    """The code execution server tool."""
    cache: bool = True
    """`cache_control` marks on the system prompt and the last two user messages."""
    tools: bool = False
    """claude-tui's client tools (the built-ins and the MCP servers' tools), run after the user approves."""

    def copy(self) -> RequestControls:
        return RequestControls(**asdict(self))

    @property
    def is_default(self) -> bool:
        return self == RequestControls()

    def changed(self) -> list[str]:
        """Short words for each control that is not at its default (the top bar shows them)."""
        words: list[str] = []
        if self.thinking != "default":
            words.append(f"thinking {self.thinking}")
        if self.effort is not None:
            words.append(f"effort {self.effort}")
        if self.web:
            words.append("web")
        if self.code_execution:
            words.append("code-exec")
        if not self.cache:
            words.append("cache off")
        if self.tools:
            words.append("tools")
        return words

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> RequestControls:
        """Controls as saved; anything missing, unknown or invalid is left at its default."""
        try:
            data: Any = json.loads(text) if text else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        controls = cls()
        if data.get("thinking") in THINKING_CHOICES:
            controls.thinking = str(data["thinking"])
        if data.get("effort") in EFFORT_LEVELS:
            controls.effort = str(data["effort"])
        for item in fields(cls):
            if item.type == "bool" and isinstance(data.get(item.name), bool):
                setattr(controls, item.name, data[item.name])
        return controls


def parse_switch(argument: str) -> bool | None:
    """`on`/`off` (and yes/no, true/false, 1/0) as a bool; None for anything else."""
    word = argument.strip().lower()
    if word in ON_WORDS:
        return True
    if word in OFF_WORDS:
        return False
    return None
