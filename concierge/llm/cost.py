"""Model call cost from a price table file (US dollars per million tokens, per provider:model; cache hits apart)."""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULT_PRICES = Path(__file__).parent / "prices.toml"


@dataclass(frozen=True)
class Price:
    input: float  # USD per million input tokens
    output: float  # USD per million output tokens
    cached_input: float | None = None  # USD per million input tokens read from the prompt cache (None: as input)


@dataclass(frozen=True)
class PriceTable:
    prices: dict[str, Price]

    def price(self, provider: str, model: str) -> tuple[Price, bool]:
        """The price of provider:model and whether it is listed; unlisted models get the dearest price."""
        found = self.prices.get(f"{provider}:{model}") or self.prices.get(f"{provider}:*")
        if found is not None:
            return found, True
        dearest = max(self.prices.values(), key=lambda p: p.input + p.output, default=Price(0.0, 0.0))
        return dearest, False

    def cost(
        self, provider: str, model: str, *, input_tokens: int, output_tokens: int, cached_tokens: int = 0
    ) -> tuple[float, bool]:
        """(USD, listed) of one call; `cached_tokens` of the input were prompt-cache hits."""
        price, listed = self.price(provider, model)
        cached = min(max(cached_tokens, 0), input_tokens)
        cached_price = price.input if price.cached_input is None else price.cached_input
        usd = ((input_tokens - cached) * price.input + cached * cached_price + output_tokens * price.output) / 1_000_000
        return round(usd, 8), listed

    def usage(self, provider: str, model: str, usage: Mapping[str, Any] | None) -> dict[str, Any]:
        """One call's tokens (prompt-cache hits apart) and cost, from a LangChain message's usage metadata."""
        tokens_in = int(usage["input_tokens"]) if usage else 0
        tokens_out = int(usage["output_tokens"]) if usage else 0
        details = (usage.get("input_token_details") or {}) if usage else {}
        cached = min(tokens_in, int(details.get("cache_read") or 0))
        usd, listed = self.cost(provider, model, input_tokens=tokens_in, output_tokens=tokens_out, cached_tokens=cached)
        return {
            "input_tokens": tokens_in,
            "cached_tokens": cached,
            "output_tokens": tokens_out,
            "cost_usd": usd,
            "priced": listed,
        }


@lru_cache
def load_prices(path: str | None = None) -> PriceTable:
    """Read a price table file; `None` reads the one shipped with the package."""
    data = tomllib.loads(Path(path or DEFAULT_PRICES).read_text(encoding="utf-8"))
    return PriceTable(
        {
            key: Price(
                float(v.get("input", 0.0)),
                float(v.get("output", 0.0)),
                float(v["cached_input"]) if "cached_input" in v else None,
            )
            for key, v in data["prices"].items()
        }
    )
