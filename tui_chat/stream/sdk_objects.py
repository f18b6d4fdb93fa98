"""The SDK's own objects for wire events, built the way the SDK builds them, for less.

For every event the SDK calls `construct_type(RawMessageStreamEvent, json.loads(data))`: pydantic
validation of the whole union behind layers of Python dispatch, then `build(TextEvent, ...)` for
the helper event. Validating the data against the one class its SSE name stands for, with that
class's own compiled validator, gives the same object (same class, same fields, extra fields kept):
the union's validation would pick that class too. Whenever the fast path does not validate (an
unknown event, a type that does not match its name, odd JSON), the SDK's own path decides, so every
quirk is the SDK's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from anthropic.lib.streaming import TextEvent
from anthropic.types import (
    RawContentBlockDeltaEvent,
    RawContentBlockStartEvent,
    RawContentBlockStopEvent,
    RawMessageDeltaEvent,
    RawMessageStartEvent,
    RawMessageStopEvent,
)
from pydantic import ValidationError

from tui_chat.adapters.sdk_private import ThinkingEvent, construct_event

_EVENT_CLASSES: dict[str, Any] = {
    "message_start": RawMessageStartEvent,
    "content_block_start": RawContentBlockStartEvent,
    "content_block_delta": RawContentBlockDeltaEvent,
    "content_block_stop": RawContentBlockStopEvent,
    "message_delta": RawMessageDeltaEvent,
    "message_stop": RawMessageStopEvent,
}


def _validator(model: Any) -> Any:
    """The model's pydantic validator, built now (pydantic defers it for models with forward references)."""
    model.model_rebuild()
    return model.__pydantic_validator__


_VALIDATORS: dict[str, Any] = {name: _validator(model) for name, model in _EVENT_CLASSES.items()}
_TEXT_EVENT = _validator(TextEvent)
_THINKING_EVENT = _validator(ThinkingEvent)

SlowPath = Callable[[Any], Any]
"""The SDK's own conversion of parsed JSON into an event (`sdk_private.event_converter`)."""


def raw_event(name: str | None, data: str, slow_path: SlowPath) -> Any:
    """The SDK's `RawMessageStreamEvent` for a frame named `name` with `data`.

    Raises what the SDK raises for data it cannot parse (`json.JSONDecodeError`).
    """
    validator = _VALIDATORS.get(name) if name is not None else None
    if validator is not None:
        try:
            return validator.validate_json(data)
        except (ValidationError, ValueError):
            pass
    return slow_path(json.loads(data))


def text_event(text: str, snapshot: str) -> TextEvent:
    """The SDK's `TextEvent` (as `build(TextEvent, ...)` makes it)."""
    event: TextEvent = _TEXT_EVENT.validate_python({"type": "text", "text": text, "snapshot": snapshot})
    return event


def thinking_event(thinking: str, snapshot: str) -> ThinkingEvent:
    """The SDK's `ThinkingEvent` (as `build(ThinkingEvent, ...)` makes it)."""
    event: ThinkingEvent = _THINKING_EVENT.validate_python(
        {"type": "thinking", "thinking": thinking, "snapshot": snapshot}
    )
    return event


def rebuild_raw_event(name: str | None, data: str) -> Any | None:
    """The SDK object for a stored frame (e.g. of a saved conversation), None if the SDK would skip it."""
    if name in (None, "ping", "error") or not data:
        return None
    try:
        return raw_event(name, data, construct_event)
    except ValueError:
        return None
