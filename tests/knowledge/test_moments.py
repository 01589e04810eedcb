"""Moments: a topic's word that only says when ("after check-out") is no subject beside another topic ranked alike."""

import pytest

from knowledge.moments import is_moment, subject
from knowledge.retrieval import Candidate


@pytest.mark.parametrize(
    ("message", "matched", "language"),
    [
        ("where can we leave the bags after check-out?", "check-out", "en"),
        ("onde posso deixar as malas depois do check-out?", "check-out", "pt"),
        ("waar kan ik mijn koffers laten na het uitchecken?", "uitchecken", "nl"),
        ("possiamo lasciare le valigie dopo il check-out?", "check-out", "it"),
        ("退房以后行李可以寄存吗？", "退房", "zh"),
        ("チェックアウト後の荷物", "チェックアウト", "ja"),
    ],
)
def test_a_word_after_before_or_after_says_when(message: str, matched: str, language: str) -> None:
    assert is_moment(message, matched, language)


@pytest.mark.parametrize(
    ("message", "matched", "language"),
    [
        ("what time is check-out?", "check-out", "en"),
        ("onde posso deixar as malas depois do check-out?", "malas", "pt"),
        ("can we check out late?", "check out", "en"),
        ("a que horas é o check-out?", "(follow-up)", "pt"),
    ],
)
def test_a_word_asked_about_is_no_moment(message: str, matched: str, language: str) -> None:
    assert not is_moment(message, matched, language)


def test_the_other_topic_is_asked_when_exactly_one_is_a_moment() -> None:
    check_out = Candidate("check_out", 0.9, matched="check-out", source="lexicon")
    luggage = Candidate("luggage", 0.9, matched="malas", source="lexicon")
    message = "onde posso deixar as malas depois do check-out?"
    assert subject([check_out, luggage], message, "pt") == luggage
    assert subject([check_out, luggage], "check-out e malas?", "pt") is None  # neither says when: we ask
    thin = Candidate("luggage", 0.5, matched="malas", source="content")
    assert subject([check_out, thin], message, "pt") is None  # a word only an entry's text uses is no subject
    assert subject([check_out], message, "pt") is None


def test_an_inflected_ending_is_still_a_moment() -> None:
    # "przed zameldowaniem": the check-in's "zameldowanie" inflected after "before" only says when.
    assert is_moment("czy możemy gdzieś zostawić bagaże przed zameldowaniem?", "zameldowanie", "pl")
    assert not is_moment("czy możemy zostawić bagaże przed zameldowaniemxyzw?", "zameldowanie", "pl")


def test_who_may_stand_between_the_moment_word_and_the_topic() -> None:
    assert is_moment("is there anywhere we can drop the bags after we check out", "check out", "en")
    assert not is_moment("after the beach we check out", "check out", "en")  # "the beach" is no one who acts
