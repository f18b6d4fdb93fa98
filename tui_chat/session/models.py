"""The models a user can pick: from the Models API when reachable, else a dated offline list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui_chat.safety import sanitize_line

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic


@dataclass(frozen=True)
class ModelChoice:
    id: str
    display_name: str
    max_input_tokens: int | None
    max_tokens: int | None


FALLBACK_MODELS_AS_OF = "2026-11"
FALLBACK_MODELS = [
    ModelChoice("claude-fable-5-2", "Claude Fable 5.2", 1_000_000, 128_000),
    ModelChoice("claude-opus-5-5", "Claude Opus 5.5", 1_000_000, 128_000),
    ModelChoice("claude-sonnet-5-5", "Claude Sonnet 5.5", 1_000_000, 128_000),
    ModelChoice("claude-haiku-5-5", "Claude Haiku 5.5", 1_000_000, 128_000),
    ModelChoice("claude-haiku-4-5", "Claude Haiku 4.5", 200_000, 64_000),
]
"""The public docs' lineup (docs/PROTOCOL.md §10). Only used when the Models API cannot be reached."""


async def fetch_models(client: AsyncAnthropic, limit: int = 200) -> list[ModelChoice]:
    """Every model the API lists for this key (`client.models.list()`, all pages)."""
    found: list[ModelChoice] = []
    async for info in client.models.list(limit=100):
        found.append(
            ModelChoice(
                id=sanitize_line(info.id),
                display_name=sanitize_line(getattr(info, "display_name", "") or ""),
                max_input_tokens=getattr(info, "max_input_tokens", None),
                max_tokens=getattr(info, "max_tokens", None),
            )
        )
        if len(found) >= limit:
            break
    return found


def context_window(model: str, known: list[ModelChoice]) -> int | None:
    """The model's input limit: from the Models API if it was listed, else the public table."""
    for choice in [*known, *FALLBACK_MODELS]:
        if model == choice.id or model.startswith(choice.id + "-"):
            return choice.max_input_tokens
    return None


def estimate_tokens(text: str) -> int:
    """A rough token count without a request: ~4 characters a token, one per CJK character."""
    wide = sum(1 for character in text if ord(character) >= 0x3000)
    return (len(text) - wide) // 4 + wide


def describe_limits(choice: ModelChoice) -> str:
    def size(value: int | None) -> str:
        if value is None:
            return "?"
        return f"{value // 1_000_000}M" if value >= 1_000_000 and value % 1_000_000 == 0 else f"{value // 1000}K"

    return f"input {size(choice.max_input_tokens)} · output {size(choice.max_tokens)}"
