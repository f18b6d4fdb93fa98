"""What every client tool is: a name, a description and a JSON schema for the model, and a way to run it."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tui_chat.safety import redact, sanitize

BUILT_IN = "built-in"
"""`ToolSpec.source` of claude-tui's own tools (an MCP tool's source is its server's name)."""

RESULT_MAX_CHARACTERS = 100_000
"""A result longer than this is cut before it is sent (and the model told so)."""

KEY_LIKE = re.compile(r"sk-ant-[A-Za-z0-9_-]{8,}")
"""An Anthropic key, wherever it comes from: never part of a tool result."""


class ToolError(Exception):
    """A tool could not do what it was asked; the message goes to the model as an `is_error` result."""


@dataclass(frozen=True)
class ToolSpec:
    """A tool as the model sees it (`definition()`), and where it comes from."""

    name: str
    description: str
    input_schema: dict[str, Any]
    source: str = BUILT_IN
    """`built-in`, or the name of the MCP server that has it."""
    original_name: str = ""
    """The server's own name for an MCP tool (`name` is prefixed to keep servers apart)."""

    def definition(self) -> dict[str, Any]:
        """The entry of the request's `tools` array."""
        return {"name": self.name, "description": self.description, "input_schema": self.input_schema}

    @property
    def where(self) -> str:
        return "built-in" if self.source == BUILT_IN else f"MCP server {self.source}"


@dataclass(frozen=True)
class ToolOutput:
    """What a run returned: the `tool_result` content as sent, whether it is an error, and a display text."""

    content: str | list[dict[str, Any]]
    is_error: bool = False

    @property
    def text(self) -> str:
        """The result as plain text (images named, not shown)."""
        if isinstance(self.content, str):
            return self.content
        parts = []
        for block in self.content:
            if block.get("type") == "text":
                parts.append(str(block.get("text", "")))
            else:
                parts.append(f"[{block.get('type', 'block')}]")
        return "\n".join(parts)


@dataclass(frozen=True)
class Tool:
    """A tool that runs in claude-tui (a built-in, or one a program adds): its spec and its function."""

    spec: ToolSpec
    run: Callable[[dict[str, Any]], Awaitable[str]]
    """Given the model's input; returns the result text, raises `ToolError` (or anything) on failure."""


def clean_output(output: ToolOutput, secrets: list[str]) -> ToolOutput:
    """A result fit to send: every secret and key-shaped string redacted, control characters out,
    cut at `RESULT_MAX_CHARACTERS`. Tool output is hostile input like model output."""

    def text(value: str) -> str:
        value = KEY_LIKE.sub("[REDACTED]", redact(sanitize(value), secrets))
        if len(value) > RESULT_MAX_CHARACTERS:
            cut = len(value) - RESULT_MAX_CHARACTERS
            value = f"{value[:RESULT_MAX_CHARACTERS]}\n[… {cut:,} more characters cut by claude-tui]"
        return value

    if isinstance(output.content, str):
        return ToolOutput(text(output.content), output.is_error)
    blocks: list[dict[str, Any]] = []
    for block in output.content:
        if block.get("type") == "text":
            blocks.append({"type": "text", "text": text(str(block.get("text", "")))})
        elif block.get("type") == "image":
            blocks.append(block)
        else:
            blocks.append({"type": "text", "text": text(json.dumps(block, ensure_ascii=False)[:2000])})
    return ToolOutput(blocks or "(no output)", output.is_error)
