"""The models a user can pick: from the Models API when reachable, else a dated offline list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui_chat.controls import EFFORT_LEVELS
from tui_chat.safety import sanitize_line

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic


@dataclass(frozen=True)
class Capabilities:
    """What a model accepts, from the Models API's `capabilities` (only the parts claude-tui sends)."""

    thinking_adaptive: bool = True
    """`thinking: {"type": "adaptive"}` is accepted."""
    thinking_disabled: bool = True
    """`thinking: {"type": "disabled"}` is accepted (False: the model always thinks)."""
    effort: frozenset[str] = frozenset(EFFORT_LEVELS)
    """The `output_config.effort` levels it takes (empty: no effort parameter at all)."""
    web_search: bool = True
    """The web search server tool (claude-tui sends web fetch with it: it has no capability of its own)."""
    code_execution: bool = True
    """The code execution server tool."""
    image_input: bool = True
    pdf_input: bool = True


@dataclass(frozen=True)
class ModelChoice:
    id: str
    display_name: str
    max_input_tokens: int | None
    max_tokens: int | None
    capabilities: Capabilities | None = None
    """None when unknown (the model was not listed, or the list had no capabilities)."""


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
        display_name=display_name[:MAX_NAME] or model_id,  # (the picker shows an id once)
        max_input_tokens=_token_limit(getattr(info, "max_input_tokens", None)),
        max_tokens=_token_limit(getattr(info, "max_tokens", None)),
        capabilities=read_capabilities(getattr(info, "capabilities", None)),
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


def read_capabilities(capabilities: Any) -> Capabilities | None:
    """The SDK's `ModelCapabilities` (or its dict) as `Capabilities`; None when absent or unreadable."""
    if capabilities is None:
        return None

    def supported(*path: str) -> bool | None:
        node = capabilities
        for name in path:
            node = node.get(name) if isinstance(node, dict) else getattr(node, name, None)
            if node is None:
                return None
        value = node.get("supported") if isinstance(node, dict) else getattr(node, "supported", None)
        return value if isinstance(value, bool) else None

    def known(value: bool | None, default: bool) -> bool:
        return default if value is None else value

    effort: frozenset[str] = frozenset()
    if supported("effort"):
        effort = frozenset(level for level in EFFORT_LEVELS if supported("effort", level))
    return Capabilities(
        thinking_adaptive=known(supported("thinking", "types", "adaptive"), True),
        thinking_disabled=known(supported("thinking", "types", "disabled"), True),
        effort=effort,
        web_search=known(supported("server_tools", "web_search"), False),
        code_execution=known(supported("server_tools", "code_execution"), False),
        image_input=known(supported("image_input"), True),
        pdf_input=known(supported("pdf_input"), True),
    )


def find_model(model: str, known: list[ModelChoice]) -> ModelChoice | None:
    """The listed model `model` is (dated ids such as `claude-sonnet-5-5-20261001` included)."""
    for choice in known:
        if model == choice.id or model.startswith(choice.id + "-"):
            return choice
    return None


def context_window(model: str, known: list[ModelChoice]) -> int | None:
    """The model's input limit: from the Models API if it was listed, else the public table."""
    choice = find_model(model, known) or find_model(model, FALLBACK_MODELS)
    return None if choice is None else choice.max_input_tokens


_WIDE_RUNS = re.compile("[\u3000-\U0010ffff]+")


def estimate_tokens(text: str) -> int:
    """A rough token count without a request: ~4 characters a token, one per CJK character."""
    if text.isascii():  # (at C speed: a long history is mostly ASCII)
        return len(text) // 4
    wide = sum(map(len, _WIDE_RUNS.findall(text)))
    return (len(text) - wide) // 4 + wide


def describe_capabilities(capabilities: Capabilities | None) -> str:
    """`thinking · effort low–max · web search · code · images · PDFs`: what the model takes."""
    if capabilities is None:
        return ""
    parts: list[str] = []
    if capabilities.thinking_adaptive:
        parts.append("thinking" + ("" if capabilities.thinking_disabled else " (always on)"))
    levels = [level for level in EFFORT_LEVELS if level in capabilities.effort]
    if levels:
        parts.append(f"effort {levels[0]}–{levels[-1]}" if len(levels) > 1 else f"effort {levels[0]}")
    for supported, name in (
        (capabilities.web_search, "web search"),
        (capabilities.code_execution, "code"),
        (capabilities.image_input, "images"),
        (capabilities.pdf_input, "PDFs"),
    ):
        if supported:
            parts.append(name)
    return " · ".join(parts)


def describe_limits(choice: ModelChoice) -> str:
    def size(value: int | None) -> str:
        if value is None:
            return "?"
        return f"{value // 1_000_000}M" if value >= 1_000_000 and value % 1_000_000 == 0 else f"{value // 1000}K"

    return f"input {size(choice.max_input_tokens)} · output {size(choice.max_tokens)}"
