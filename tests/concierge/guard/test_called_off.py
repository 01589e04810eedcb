"""An emergency told as the reason a stay is called off (concierge/guard/called_off.py): the refund is for a person
to decide, while an emergency happening now, or one asked about with a cry for help, still raises the alarm."""

import pytest

from concierge.guard.called_off import calls_off, pleads
from concierge.guard.phrases import normalize
from concierge.guard.policy import policy_from
from concierge.guard.screening import Screener
from knowledge.policy import Action, Category

POLICY = policy_from(None)


def screened(text: str, language: str) -> tuple[Category | None, Action]:
    screening = Screener().screen(text, language=language, history=(), policy=POLICY)
    return screening.category, screening.action


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "we had to cancel because of a medical emergency, my wife broke her leg. can we get a refund?"),
        ("es", "tenemos que cancelar por una emergencia familiar, mi padre esta en el hospital. nos devolveis algo?"),
        ("pt", "tivemos uma emergência médica na família e não vamos conseguir viajar, dá pra receber o reembolso?"),
        ("es", "no podemos ir, a mi marido le operaron de urgencia. hay forma de que nos devolváis el dinero?"),
    ],
)
def test_an_emergency_told_as_the_reason_for_cancelling_asks_for_a_refund(language: str, text: str) -> None:
    assert screened(text, language) == (Category.refund, Action.escalate)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "my father collapsed, he is not breathing"),
        ("es", "mi padre se ha desmayado y no respira, qué hago?? ayuda"),
        ("de", "Mein Vater ist zusammengebrochen und atmet nicht mehr, bitte helfen Sie!"),
        ("en", "my wife collapsed, help! we have to cancel and get a refund"),
        ("en", "my wife broke her leg in the shower, I want a refund for tonight"),  # no trip called off
    ],
)
def test_an_emergency_now_still_raises_the_alarm(language: str, text: str) -> None:
    assert screened(text, language)[1] is Action.emergency


def test_a_fire_is_never_a_reason_set_aside() -> None:
    assert screened("there is a fire in the kitchen, we will cancel and want a refund", "en")[0] is Category.fire


def test_the_wordings_are_read_in_the_message_language_and_english() -> None:
    assert calls_off(normalize("nous ne pourrons pas venir"), language="fr")
    assert calls_off(normalize("we can't make it"), language="fr")
    assert not calls_off(normalize("we are coming on friday"), language="en")
    assert pleads(normalize("ayuda por favor"), language="es")
    assert not pleads(normalize("can we get a refund?"), language="en")
