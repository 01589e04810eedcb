"""Tokens per model call and per turn, prompt-cache share and cost per conversation, measured in the realistic suite.

    .venv/bin/python -m scripts.bench.model_tokens --split test
    .venv/bin/python -m scripts.bench.model_tokens --split all --pack casa-azul     # the demo property only

(As a module: run as a file, scripts/bench/queue.py would shadow the standard library's queue.)

Plays the realistic cases in model mode (every turn to the fact-seeking fake model, as `concierge eval --mode
model` does) and reads the usage the fake reported for every call: prompt tokens (four characters a token),
the prompt-cache hits it reports like OpenAI (a system prompt sent before, of 1,024 tokens or more, in 128-token
steps) and completion tokens. A turn is one guest message (its calls: the answer, and a regeneration when the
output check rejected the first); a conversation is one case; its cost is priced at the list prices of
`concierge/llm/prices.toml` for each model named below, cache hits at the cached price. Turns that call no model
(screened, greetings, access policy) are left out of the per-turn figures.
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
    parser.add_argument("--pack", help="only the cases of this pack (examples/<pack>.yaml), e.g. casa-azul")
    args = parser.parse_args()
    cases = select_split(eval_cases.load_cases(ROOT / "tests" / "evals" / "realistic"), args.split)
    if args.pack:
        cases = [c for c in cases if (c.spec and c.spec.pack or eval_cases.DEFAULT_PACK).stem == args.pack]
    fakes: list[Any] = []
    original = eval_play._fake_if

    turn_starts: list[int] = []  # the usage log's length before each turn (the runner tells the fake each turn)

    @contextmanager
    def capture(mode: str) -> Iterator[Any]:
        with original(mode) as fake:
            fakes.append(fake)
            expect = fake.expect

            def expect_turn(expectation: Any) -> None:
                turn_starts.append(len(fake.usage_log))
                expect(expectation)

            fake.expect = expect_turn
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
    log = fakes[0].usage_log
    bounds = [*turn_starts, len(log)]
    turns = [log[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
    turn_in = [sum(c[0] for c in t) for t in turns]
    turn_out = [sum(c[2] for c in t) for t in turns]
    print(f"{len(cases)} cases ({args.split}{', ' + args.pack if args.pack else ''}), {len(calls)} model calls")
    print(f"turns that called a model {len(turns)} (of {len(turn_starts)})")
    print(f"input tokens per turn   p50 {percentile(turn_in, 0.5)}   p95 {percentile(turn_in, 0.95)}")
    print(f"output tokens per turn  p50 {percentile(turn_out, 0.5)}   p95 {percentile(turn_out, 0.95)}")
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
