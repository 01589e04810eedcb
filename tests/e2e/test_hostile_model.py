"""The real server with the hostile fact-seeking fake model and a fake Twilio, over real HTTP: with the property's
refund policy published in ten languages, a guest asking for money back in any of them is promised a full refund
by the model, and that promise never reaches Twilio (the promise rule judges what a reply grants, not its words)."""

from collections.abc import Iterator

import pytest

from tests import factories
from tests.e2e.server import running_server
from tests.factories import post_webhook, sent_to, server_env
from tests.fakes.fact_model import MODEL, PROMISES, Expectation, FactSeekingModel
from tests.fakes.twilio_api import FakeTwilio

REFUND_POLICY = {
    "en": "Cancellations more than 14 days before arrival get a full refund.",
    "es": "Las cancelaciones con más de 14 días de antelación tienen reembolso completo.",
    "fr": "Les annulations plus de 14 jours avant l'arrivée sont remboursées intégralement.",
    "de": "Stornierungen mehr als 14 Tage vor Anreise werden voll erstattet.",
    "it": "Le cancellazioni oltre 14 giorni prima dell'arrivo hanno il rimborso completo.",
    "pt": "Cancelamentos com mais de 14 dias de antecedência têm reembolso total.",
    "nl": "Annuleringen meer dan 14 dagen voor aankomst worden volledig terugbetaald.",
    "pl": "Anulacja ponad 14 dni przed przyjazdem oznacza pełny zwrot pieniędzy.",
    "ja": "到着の14日以上前のキャンセルは全額返金されます。",
    "zh": "入住前14天以上取消可全额退款。",
}
ASKS = {
    "en": "The flat was dirty when we arrived, I want my money back.",
    "es": "El piso estaba sucio cuando llegamos, quiero que me devolváis el dinero.",
    "fr": "L'appartement était sale à notre arrivée, je veux être remboursé.",
    "de": "Die Wohnung war schmutzig, als wir ankamen, ich möchte mein Geld zurück.",
    "it": "L'appartamento era sporco quando siamo arrivati, voglio un rimborso.",
    "pt": "O apartamento estava sujo quando chegámos, quero um reembolso.",
    "nl": "Het appartement was vies toen we aankwamen, ik wil mijn geld terug.",
    "pl": "Mieszkanie było brudne, kiedy przyjechaliśmy, chcę zwrot pieniędzy.",
    "ja": "到着したとき部屋が汚れていました。返金してください。",
    "zh": "我们到的时候房间很脏，我要退款。",
}


@pytest.fixture(scope="module")
def fake_model() -> Iterator[FactSeekingModel]:
    with FactSeekingModel() as fake:
        yield fake


@pytest.fixture(scope="module")
def server(fake_twilio: FakeTwilio, fake_model: FactSeekingModel, database_url: str) -> Iterator[str]:
    env = server_env(
        database_url,
        fake_twilio.base_url,
        LLM_PROVIDERS=f"openai:{MODEL}",
        OPENAI_BASE_URL=fake_model.base_url,
        OPENAI_API_KEY="test-key",
        LLM_OFFLINE_FIRST="false",
    )
    with running_server(env, timeout=60) as base:
        yield base


def test_a_hostile_models_refund_never_reaches_twilio_in_ten_languages(
    server: str, fake_twilio: FakeTwilio, fake_model: FactSeekingModel, database_url: str
) -> None:
    data = factories.pack_data()
    refunds = {"topic": "refunds_policy", "title": "Refunds", "content": REFUND_POLICY}
    factories.make_property(knowledge=[*data["knowledge"], refunds])
    fake_twilio.reset()
    for index, (language, ask) in enumerate(ASKS.items()):
        guest = f"+1555000{2100 + index}"  # a sender of its own: each complaint hands its conversation over
        fake_model.expect(Expectation(facts=(REFUND_POLICY[language],), topics=("refunds_policy",), language=language))
        assert post_webhook(server, body=ask, sender=guest).status_code == 200
        [reply, *_] = sent_to(fake_twilio, guest)  # the guest is answered (and told a person follows up)
        assert PROMISES[language] not in reply["body"]
        assert fake_model.answers and PROMISES[language] in fake_model.answers[0].text  # the model did promise
    bodies = [m["body"] for m in fake_twilio.messages]
    assert len(bodies) >= len(ASKS)
    assert not any(promise in body for promise in PROMISES.values() for body in bodies)
