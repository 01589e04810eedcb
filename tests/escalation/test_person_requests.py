"""A guest asking for a person: the plain requests and the sideways ones of escalation/data/person_requests.yaml."""

from pathlib import Path

import pytest

from concierge.guard.phrases import normalize
from escalation.person_requests import asks_for_person, phrases_pattern
from knowledge.lexicon import SUPPORTED_LANGUAGES


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


def test_a_phrase_file_without_phrases_is_refused(tmp_path: Path) -> None:
    """An empty alternation would match every message: each guest would be handed to a person."""
    empty = tmp_path / "person_requests.yaml"
    empty.write_text("".join(f"{language}: []\n" for language in SUPPORTED_LANGUAGES), encoding="utf-8")
    with pytest.raises(ValueError, match="holds no phrases"):
        phrases_pattern(empty)


def test_a_phrase_file_matches_its_phrases_only(tmp_path: Path) -> None:
    one = tmp_path / "person_requests.yaml"
    one.write_text(
        "".join(f"{language}: [{'ring me back' if language == 'en' else ''}]\n" for language in SUPPORTED_LANGUAGES),
        encoding="utf-8",
    )
    pattern = phrases_pattern(one)
    assert pattern.search(normalize("could you ring me back later?"))
    assert not pattern.search(normalize("where is the parking?"))
