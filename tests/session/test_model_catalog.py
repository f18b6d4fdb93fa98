"""The model catalog: the Models API's list and the capabilities it gives."""

from __future__ import annotations

from anthropic import AsyncAnthropic

from tui_chat.demo.server import MODELS
from tui_chat.session.model_catalog import FALLBACK_MODELS, describe_limits, fetch_models


async def test_models_from_the_api(client: AsyncAnthropic) -> None:
    models = await fetch_models(client)
    assert [m.id for m in models] == [m.id for m in MODELS]
    assert describe_limits(models[0]) == "input 1M · output 128K"
    assert describe_limits(FALLBACK_MODELS[-1]) == "input 200K · output 64K"


def test_capabilities_from_the_models_api() -> None:
    from tui_chat.demo.server import ALWAYS_THINKS, LEGACY
    from tui_chat.session.model_catalog import read_capabilities

    always = read_capabilities(ALWAYS_THINKS.capabilities())
    assert always is not None and not always.thinking_disabled and "xhigh" in always.effort
    legacy = read_capabilities(LEGACY.capabilities())
    assert legacy is not None and not legacy.thinking_adaptive and legacy.effort == frozenset()
    assert legacy.web_search and not legacy.code_execution
    assert read_capabilities(None) is None
