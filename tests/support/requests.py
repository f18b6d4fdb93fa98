"""What the demo server was sent, compared as a test needs it."""

from __future__ import annotations

from typing import Any


def unmarked(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages as sent without the prompt-cache marks claude-tui adds by default (`/cache off` sends none):
    no `cache_control`, and a user message of one text block written as a plain string again."""
    plain: list[dict[str, Any]] = []
    for message in messages:
        content = message["content"]
        if isinstance(content, list):
            content = [{k: v for k, v in block.items() if k != "cache_control"} for block in content]
            if message["role"] == "user" and len(content) == 1 and content[0].get("type") == "text":
                content = content[0]["text"]
        plain.append({**message, "content": content})
    return plain
