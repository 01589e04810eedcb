"""Router overhead benchmark: time spent in our code per model call, with the provider taken out.

    .venv/bin/python -m scripts.bench.router --turns 2000

Runs `Router.respond` on the test property's Wi-Fi question with a model that answers instantly in-process,
so every microsecond measured is ours: prompt rendering (prompt v2: the whole knowledge base), the call pool and
deadline bookkeeping, reading the structured answer (JSON in text), the output check, cost accounting and the
offline answer computed as the fallback. For scale it also times the offline
fast path, the output check alone, and one real `ChatOpenAI` call to a loopback fake (client stack + HTTP).
"""

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from concierge.core.settings import Settings  # noqa: E402
from concierge.guard.output import check_reply  # noqa: E402
from concierge.guard.secrets import Access  # noqa: E402
from concierge.llm.prompting import output_context  # noqa: E402
from concierge.llm.providers import ProviderSpec, build_chat_model  # noqa: E402
from concierge.llm.router import Router, RouterConfig  # noqa: E402
from concierge.llm.types import ResponseRequest  # noqa: E402
from tests.factories import pack_data  # noqa: E402
from tests.fakes.openai_api import FakeModelAPI  # noqa: E402

REPLY = "The Wi-Fi network is CasaTest-5G and the password is sol-y-mar-2024."


ANSWER = json.dumps({"reply": REPLY, "topics": ["wifi"], "intent": "answer", "reason": "", "language": "en"})


class InstantModel:
    """A chat model with no provider behind it: the same structured answer (JSON in its text) at once."""

    def invoke(self, messages: list[BaseMessage]) -> AIMessage:
        usage: Any = {"input_tokens": 1400, "output_tokens": 60, "total_tokens": 1460}
        return AIMessage(ANSWER, usage_metadata=usage)


def request() -> ResponseRequest:
    entries: list[dict[str, Any]] = [{"sensitive": False, **e} for e in pack_data()["knowledge"]]
    by_topic = {e["topic"]: e for e in entries}
    return ResponseRequest(
        text="what is the wifi password?",
        language="en",
        entries=[by_topic["wifi"]],
        property_name="Casa Test",
        access=Access.too_early,
        access_window_hours=24,
        confidence=0.8,
        related=[by_topic["parking"]],
        knowledge=entries,
        reservation={"check-in date": "2026-12-01", "check-out date": "2026-12-05", "guests": "2"},
    )


def timed(label: str, turns: int, step: Callable[[], object]) -> dict[str, float]:
    for _ in range(min(50, turns)):  # warm caches (prompt file, price table, lexicon)
        step()
    samples = []
    for _ in range(turns):
        started = time.perf_counter()
        step()
        samples.append((time.perf_counter() - started) * 1e6)
    samples.sort()
    figures = {
        "p50": statistics.median(samples),
        "p99": samples[min(len(samples) - 1, int(len(samples) * 0.99))],
        "mean": statistics.fmean(samples),
    }
    print(f"{label:<52} p50 {figures['p50']:8.0f} µs   p99 {figures['p99']:8.0f} µs   mean {figures['mean']:8.0f} µs")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=2000)
    args = parser.parse_args()
    print(f"{platform.machine()}, {platform.python_version()}, {args.turns} turns per line")
    req = request()
    spec = ProviderSpec("openai", "gpt-4o-mini")
    config = RouterConfig(offline_first=False)
    model_router = Router([spec.name], config=config, models={spec.name: InstantModel()})
    assert model_router.respond(req).route == "model"
    timed("router, model path (instant in-process model)", args.turns, lambda: model_router.respond(req))
    offline_router = Router([spec.name], config=RouterConfig(), models={spec.name: InstantModel()})
    confident = ResponseRequest(**{**req.__dict__, "confidence": 0.95, "related": []})  # one topic, a clear margin
    assert offline_router.respond(confident).route == "offline_first"
    timed("router, offline-first path (no model call)", args.turns, lambda: offline_router.respond(confident))
    context = output_context(req)
    timed("output check alone", args.turns, lambda: check_reply(REPLY, context))
    with FakeModelAPI(default=REPLY) as fake:
        settings = Settings(_env_file=None, openai_base_url=fake.openai_base_url)  # type: ignore[call-arg]
        chat = build_chat_model(spec, settings, timeout=5)
        http_router = Router([spec.name], config=config, models={spec.name: chat})
        assert http_router.respond(req).route == "model"
        timed(
            "router + ChatOpenAI + HTTP to a loopback fake",
            max(1, args.turns // 10),
            lambda: http_router.respond(req),
        )


if __name__ == "__main__":
    main()
