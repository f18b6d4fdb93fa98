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
    """Every model the API lists for this key (`client.models.list()`, all pages), up to `limit`.

    The SDK does not check what a server sends: any field may be any JSON value. An entry without a
    usable id is left out; a name that is not text becomes the id; a limit that is not a positive
    whole number is unknown (None).
    """
    found: list[ModelChoice] = []
    async for info in client.models.list(limit=100):
        choice = model_choice(info)
        if choice is not None:
            found.append(choice)
        if len(found) >= limit:
            break
    return found


def model_choice(info: object) -> ModelChoice | None:
    """A `ModelInfo` as received, checked field by field (None if it has no usable id)."""
    model_id = getattr(info, "id", None)
    if not isinstance(model_id, str) or not sanitize_line(model_id).strip():
        return None
    model_id = sanitize_line(model_id).strip()
    name = getattr(info, "display_name", None)
    display_name = sanitize_line(name).strip() if isinstance(name, str) else ""
    return ModelChoice(
        id=model_id,
        display_name=display_name[:MAX_NAME],  # (none given: the picker shows the id once)
        max_input_tokens=_token_limit(getattr(info, "max_input_tokens", None)),
        max_tokens=_token_limit(getattr(info, "max_tokens", None)),
    )


MAX_NAME = 120
"""Characters of a model's display name shown (the id is kept whole: it is what is sent)."""


def _token_limit(value: object) -> int | None:
    """A positive whole number of tokens (`128000` or `128000.0`), else None."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


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
