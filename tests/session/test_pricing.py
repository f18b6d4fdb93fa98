"""The price table and cost estimates."""

from __future__ import annotations

import pytest

from tui_chat.session.pricing import estimate_cost, price_for


def test_price_table() -> None:
    assert price_for("claude-opus-5-5-20261001") == price_for("claude-opus-5-5")
    assert price_for("gpt-4") is None
    cached = estimate_cost("claude-haiku-5-5", input_tokens=0, output_tokens=0, cache_read_input_tokens=1_000_000)
    assert cached == pytest.approx(0.01)
