"""A dated price table for cost *estimates*. Prices change: the date says when these were read.

Source: the public model overview and pricing pages as summarized in docs/PROTOCOL.md §10
(November 2026). Cache prices use the usual multipliers of the input price (writes 1.25×, reads
0.1×); they are an assumption, which is one more reason every figure is labelled an estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

PRICES_AS_OF = "2026-11"
CACHE_WRITE_MULTIPLIER = 1.25
CACHE_READ_MULTIPLIER = 0.1


@dataclass(frozen=True)
class Price:
    input_per_mtok: float
    output_per_mtok: float


PRICES: dict[str, Price] = {
    "claude-fable-5-2": Price(8.0, 40.0),
    "claude-opus-5-5": Price(4.0, 20.0),
    "claude-sonnet-5-5": Price(2.0, 10.0),
    "claude-haiku-5-5": Price(0.10, 0.50),
}


def price_for(model: str) -> Price | None:
    """The price of `model`, also for dated ids like `claude-sonnet-5-5-20261001`."""
    if model in PRICES:
        return PRICES[model]
    for known, price in PRICES.items():
        if model.startswith(known + "-"):
            return price
    return None


def estimate_cost(
    model: str,
    *,
    input_tokens: int | None,
    output_tokens: int | None,
    cache_creation_input_tokens: int | None = None,
    cache_read_input_tokens: int | None = None,
) -> float | None:
    """Dollars for one request, or None when the model's price is not in the table."""
    price = price_for(model)
    if price is None or (input_tokens is None and output_tokens is None):
        return None
    per_token_in = price.input_per_mtok / 1_000_000
    cost = (input_tokens or 0) * per_token_in
    cost += (cache_creation_input_tokens or 0) * per_token_in * CACHE_WRITE_MULTIPLIER
    cost += (cache_read_input_tokens or 0) * per_token_in * CACHE_READ_MULTIPLIER
    cost += (output_tokens or 0) * price.output_per_mtok / 1_000_000
    return cost


def format_cost(dollars: float | None) -> str:
    if dollars is None:
        return "—"
    if dollars < 0.01:
        return f"≈${dollars:.4f}"
    return f"≈${dollars:.2f}"
