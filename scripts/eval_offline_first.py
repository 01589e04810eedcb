"""The offline-first path's wrong-answer rate: realistic cases in model mode with `LLM_OFFLINE_FIRST=true`.

    .venv/bin/python scripts/eval_offline_first.py --split test

`concierge eval --mode model` turns offline-first off, so every turn reaches the fake model. This plays the same
cases with it on (the production default) and reports, over the cases whose last turn the offline matcher
answered without a model (route `offline_first`), how many were wrong answers, beside the whole suite's
figures. Figures only: no case is listed.
"""

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from concierge.ops.evals import cases as eval_cases  # noqa: E402
from concierge.ops.evals import play as eval_play  # noqa: E402
from concierge.ops.evals.realistic import judge  # noqa: E402
from concierge.ops.evals.suites import select_split  # noqa: E402

_environment = eval_play._environment


@contextmanager
def _offline_first_on(values: dict[str, str]) -> Any:
    with _environment({**values, "LLM_OFFLINE_FIRST": "true"} if "LLM_PROVIDERS" in values else values):
        yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=["dev", "test", "all"])
    parser.add_argument("path", nargs="?", default=str(ROOT / "tests" / "evals" / "realistic"))
    args = parser.parse_args()
    cases = select_split(eval_cases.load_cases(Path(args.path)), args.split)
    eval_play._environment = _offline_first_on
    os.environ.setdefault("LLM_OFFLINE_FIRST", "true")
    played = eval_play.play(cases, mode="model", default_pack=eval_cases.DEFAULT_PACK)
    verdicts = [judge(p) for p in played]
    fast = [v for v in verdicts if p_route(v) == "offline_first"]
    wrong = [v for v in fast if v.assessed and v.wrong]
    correct = sum(1 for v in verdicts if v.correct)
    print(f"cases {len(verdicts)}, correct {correct / max(1, len(verdicts)):.1%}")
    print(f"last turn answered offline-first: {len(fast)} ({len(fast) / max(1, len(verdicts)):.1%} of cases)")
    print(f"wrong answers among them: {len(wrong)} ({len(wrong) / max(1, len(fast)):.1%})")


def p_route(verdict: Any) -> str | None:
    final = verdict.played.final
    return (final.trace.llm or {}).get("route") if final is not None else None


if __name__ == "__main__":
    main()
