"""The demo server's features: its prompt cache."""

from __future__ import annotations

from typing import Any


def test_the_demo_cache_reads_back_within_the_lookback_and_forgets_after_five_minutes() -> None:
    from tui_chat.demo.features import PromptCache

    now = [0.0]
    cache = PromptCache(clock=lambda: now[0])
    system = [{"type": "text", "text": "word " * 200, "cache_control": {"type": "ephemeral"}}]
    body: dict[str, Any] = {"model": "m", "system": system, "messages": [{"role": "user", "content": "hi"}]}
    first = cache.use(body)
    assert first.cache_creation_input_tokens and not first.cache_read_input_tokens
    second = cache.use(body)
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert second.total == first.total
    now[0] = 301.0
    assert cache.use(body).cache_read_input_tokens == 0
    assert cache.use({**body, "model": "other"}).cache_read_input_tokens == 0  # a cache per model
