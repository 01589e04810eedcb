"""The real server with a model provider: a fake OpenAI-style API and a fake Twilio, both over real HTTP.

Bad model output (a wrong password, a leaked door code, an invented refund) must never reach Twilio; a
failing provider must still leave the guest with the correct offline answer.
"""

from collections.abc import Iterator
from typing import Any

import pytest

from knowledge.models import Property
from tests.e2e.server import running_server
from tests.factories import GOOD_WIFI, post_webhook, sent_to, server_env
from tests.fakes.openai_api import FakeModelAPI
from tests.fakes.twilio_api import FakeTwilio


@pytest.fixture(scope="module")
def fake_model() -> Iterator[FakeModelAPI]:
    with FakeModelAPI() as fake:
        yield fake


@pytest.fixture(scope="module")
def server(fake_twilio: FakeTwilio, fake_model: FakeModelAPI, database_url: str) -> Iterator[str]:
    env = server_env(
        database_url,
        fake_twilio.base_url,
        LLM_PROVIDERS="openai:gpt-4o-mini",
        OPENAI_BASE_URL=fake_model.openai_base_url,
        OPENAI_API_KEY="test-key",
        LLM_OFFLINE_FIRST="false",
        LLM_RETRY_BASE_SECONDS="0.01",
        LLM_BREAKER_FAILURES="100",  # tests share the server process: keep one test's 500s from the next
    )
    with running_server(env, timeout=60) as base:
        yield base


@pytest.fixture(autouse=True)
def fresh_fakes(fake_twilio: FakeTwilio, fake_model: FakeModelAPI) -> None:
    fake_twilio.reset()
    fake_model.reset()


def test_a_grounded_model_reply_is_delivered(
    server: str, fake_twilio: FakeTwilio, fake_model: FakeModelAPI, prop: Property
) -> None:
    fake_model.answer(GOOD_WIFI)
    assert post_webhook(server, body="what is the wifi password?", sender="+447700900123").status_code == 200
    [sent] = fake_twilio.wait_for(1)
    assert sent["body"] == GOOD_WIFI
    assert len(fake_model.requests) == 1


def reply_to(fake: FakeTwilio, guest: str) -> dict[str, Any]:
    """The first message the fake Twilio received for this guest (staff alerts may arrive too)."""
    return sent_to(fake, guest)[0]


@pytest.mark.parametrize(
    ("sender", "question", "bad_output", "expected"),
    [
        (
            "+447700900123",
            "what is the wifi password?",
            "The Wi-Fi password is sol-y-mar-2025.",
            "Network CasaTest-5G, password sol-y-mar-2024.",
        ),
        (
            "+15550001111",
            "where can I park?",
            "Use space 14 in the garage at Calle Mar 3; the door code is 4821.",
            "Space 14 in the garage at Calle Mar 3.",
        ),
        (
            "+447700900123",
            "where can I park? the last place was awful",
            "Space 14 in the garage at Calle Mar 3, and we will refund your last night.",
            "Space 14 in the garage at Calle Mar 3.",
        ),
    ],
    ids=["wrong-password", "code-to-stranger", "invented-refund"],
)
def test_bad_model_output_never_reaches_twilio(
    server: str,
    fake_twilio: FakeTwilio,
    fake_model: FakeModelAPI,
    prop: Property,
    sender: str,
    question: str,
    bad_output: str,
    expected: str,
) -> None:
    fake_model.default = bad_output  # the model misbehaves on every try, the regeneration included
    assert post_webhook(server, body=question, sender=sender).status_code == 200
    sent = reply_to(fake_twilio, sender)
    assert sent["body"].endswith(expected)  # a complaint is acknowledged first (guardrails), then answered
    assert len(fake_model.requests) == 2  # the answer and one regeneration, then the offline reply
    assert all(bad_output not in m["body"] for m in fake_twilio.messages)


def test_a_failing_provider_still_gets_the_guest_the_right_answer(
    server: str, fake_twilio: FakeTwilio, fake_model: FakeModelAPI, prop: Property
) -> None:
    fake_model.fail(500, times=3)
    assert post_webhook(server, body="what is the wifi password?", sender="+447700900123").status_code == 200
    [sent] = fake_twilio.wait_for(1)
    assert sent["body"] == "Network CasaTest-5G, password sol-y-mar-2024."
    assert len(fake_model.requests) == 3  # the call and two retries
