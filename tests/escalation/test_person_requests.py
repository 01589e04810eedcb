"""A guest asking for a person: the plain requests and the sideways ones of escalation/data/person_requests.yaml."""

import pytest

from escalation.person_requests import asks_for_person


@pytest.mark.parametrize(
    "text",
    [
        "can I talk to a real person please",
        "would it be possible for Marta to give me a quick call this afternoon?",
        "könnte Femke mich bitte heute Abend anrufen?",
        "est-ce que quelqu'un pourrait me rappeler ?",
        "kan iemand me straks even terugbellen?",
        "czy ktoś może do mnie oddzwonić?",
        "alguém me pode ligar amanhã?",
        "能不能请房东给我打电话？",
        "¿hay alguien del equipo con quien pueda hablar un momento?",
    ],
)
def test_a_person_asked_for_sideways(text: str) -> None:
    assert asks_for_person(text)


@pytest.mark.parametrize(
    "text",
    [
        "how do I call a taxi from the flat?",
        "call me picky but is there a hairdryer?",
        "what time is check-out?",
        "will someone from the team be there when we arrive?",
    ],
)
def test_questions_that_mention_a_call_are_questions(text: str) -> None:
    assert not asks_for_person(text)
