"""Tokens per model call, prompt-cache share and cost per conversation, measured in the realistic suite.

    .venv/bin/python scripts/bench/model_tokens.py --split test

Plays the realistic cases in model mode (every turn to the fact-seeking fake model, as `concierge eval --mode
model` does) and reads the usage the fake reported for every call: prompt tokens (four characters a token),
the prompt-cache hits it reports like OpenAI (a system prompt sent before, of 1,024 tokens or more, in 128-token
steps) and completion tokens. A conversation is one case; its cost is priced at the list prices of
`concierge/llm/prices.toml` for each model named below, cache hits at the cached price.
"""

import argparse
import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from concierge.llm.cost import load_prices  # noqa: E402
from concierge.ops.evals import cases as eval_cases  # noqa: E402
from concierge.ops.evals import play as eval_play  # noqa: E402
from concierge.ops.evals.suites import select_split  # noqa: E402

MODELS = (("openai", "gpt-4o-mini"), ("anthropic", "claude-haiku-4-5"))


def percentile(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=["dev", "test", "all"])
    args = parser.parse_args()
    cases = select_split(eval_cases.load_cases(ROOT / "tests" / "evals" / "realistic"), args.split)
    fakes: list[Any] = []
    original = eval_play._fake_if

    @contextmanager
    def capture(mode: str) -> Iterator[Any]:
        with original(mode) as fake:
            fakes.append(fake)
            yield fake

    eval_play._fake_if = capture
    per_case: list[list[tuple[int, int, int]]] = []
    done = 0

    def progress(count: int, total: int) -> None:
        nonlocal done
        per_case.append(fakes[0].usage_log[done:])
        done = len(fakes[0].usage_log)

    eval_play.play(cases, mode="model", default_pack=eval_cases.DEFAULT_PACK, progress=progress)
    calls = [call for case in per_case for call in case]
    prompt = [c[0] for c in calls]
    completion = [c[2] for c in calls]
    cached = sum(c[1] for c in calls)
    print(f"{len(cases)} cases ({args.split}), {len(calls)} model calls")
    print(f"input tokens per call   p50 {percentile(prompt, 0.5)}   p95 {percentile(prompt, 0.95)}")
    print(f"output tokens per call  p50 {percentile(completion, 0.5)}   p95 {percentile(completion, 0.95)}")
    print(f"cached share of input   {cached / max(1, sum(prompt)):.1%}")
    prices = load_prices()
    for provider, model in MODELS:
        costs = [
            sum(prices.cost(provider, model, input_tokens=p, output_tokens=o, cached_tokens=c)[0] for p, c, o in case)
            for case in per_case
        ]
        uncached = [
            sum(prices.cost(provider, model, input_tokens=p, output_tokens=o)[0] for p, _c, o in case)
            for case in per_case
        ]
        print(
            f"cost per conversation at {provider}:{model}: mean ${statistics.fmean(costs):.5f}, "
            f"p50 ${statistics.median(costs):.5f}, p95 ${percentile([round(x * 1e8) for x in costs], 0.95) / 1e8:.5f}"
            f"; without cache hits mean ${statistics.fmean(uncached):.5f}"
        )


if __name__ == "__main__":
    main()
