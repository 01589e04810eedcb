"""The offline-first path's wrong-answer rate: realistic cases in model mode with `LLM_OFFLINE_FIRST=true`.

    .venv/bin/python scripts/eval_offline_first.py --split test
    .venv/bin/python scripts/eval_offline_first.py --split dev --list    # dev only: the cases it got wrong

`concierge eval --mode model` turns offline-first off, so every turn reaches the fake model. This plays the same
cases with it on (the production default) and reports, over the cases whose last turn the offline matcher
answered without a model (route `offline_first`), how many were wrong answers (an entry quoted that does not
answer the case) and how many were not correct (also: a question left unanswered), beside the whole suite's
figures and the share of all turns the router sent offline-first. On the test split, figures only: `--list`
refuses it, so no test case is ever read one by one.
"""

import argparse
import os
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from concierge.llm.router import Router  # noqa: E402
from concierge.ops.evals import cases as eval_cases  # noqa: E402
from concierge.ops.evals import play as eval_play  # noqa: E402
from concierge.ops.evals.realistic import judge  # noqa: E402
from concierge.ops.evals.suites import select_split  # noqa: E402

_environment = eval_play._environment


@contextmanager
def _offline_first_on(values: dict[str, str]) -> Any:
    with _environment({**values, "LLM_OFFLINE_FIRST": "true"} if "LLM_PROVIDERS" in values else values):
        yield


def _count_routes(routes: Counter[str]) -> None:
    """Count the route of every turn that reached the router (greetings and screened turns do not)."""
    respond = Router.respond

    def counted(self: Router, request: Any) -> Any:
        response = respond(self, request)
        routes[response.route] += 1
        return response

    Router.respond = counted  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=["dev", "test", "all"])
    parser.add_argument("--list", action="store_true", help="dev only: print the offline-first cases not correct")
    parser.add_argument("path", nargs="?", default=str(ROOT / "tests" / "evals" / "realistic"))
    args = parser.parse_args()
    if args.list and args.split != "dev":
        parser.error("--list reads cases one by one: dev split only")
    cases = select_split(eval_cases.load_cases(Path(args.path)), args.split)
    eval_play._environment = _offline_first_on
    os.environ.setdefault("LLM_OFFLINE_FIRST", "true")
    routes: Counter[str] = Counter()
    _count_routes(routes)
    played = eval_play.play(cases, mode="model", default_pack=eval_cases.DEFAULT_PACK)
    verdicts = [judge(p) for p in played]
    fast = [v for v in verdicts if p_route(v) == "offline_first"]
    wrong = [v for v in fast if v.assessed and v.wrong]
    incorrect = [v for v in fast if not v.correct]
    correct = sum(1 for v in verdicts if v.correct)
    turns = sum(len(p.turn_ms) for p in played)
    routed = sum(routes.values())
    print(f"cases {len(verdicts)}, correct {correct / max(1, len(verdicts)):.1%}")
    print(f"last turn answered offline-first: {len(fast)} ({len(fast) / max(1, len(verdicts)):.1%} of cases)")
    print(f"wrong answers among them: {len(wrong)} ({len(wrong) / max(1, len(fast)):.1%})")
    print(f"not correct among them: {len(incorrect)} ({len(incorrect) / max(1, len(fast)):.1%})")
    print(
        f"turns {turns}, routed {routed}, offline-first {routes['offline_first']} "
        f"({routes['offline_first'] / max(1, turns):.1%} of turns, {routes['offline_first'] / max(1, routed):.1%} "
        f"of routed turns); model calls asked on {routes['model'] + routes['model_no_answer']} turns"
    )
    if args.list:
        for v in incorrect:
            print(f"- {v.played.case.id} {v.played.case.messages!r} → {v.problems}")


def p_route(verdict: Any) -> str | None:
    final = verdict.played.final
    return (final.trace.llm or {}).get("route") if final is not None else None


if __name__ == "__main__":
    main()
