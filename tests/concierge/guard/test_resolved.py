"""Problems said to be over (concierge/guard/resolved.py): no flood, fire or gas alarm for them, while a new problem
told beside the old one still raises it, and a person's health is never read as over."""

import pytest

from concierge.guard.phrases import normalize
from concierge.guard.policy import policy_from
from concierge.guard.resolved import is_over, without_resolved
from concierge.guard.screening import Screener
from knowledge.policy import Category

POLICY = policy_from(None)


def category(text: str, language: str) -> Category | None:
    return Screener().screen(text, language=language, history=(), policy=POLICY).category


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "la fuite du robinet d'hier est réparée merci ! par contre comment on règle les radiateurs ?"),
        ("en", "the leak under the sink is fixed, thanks! where are the towels?"),
        ("de", "Der Wasserschaden im Bad wurde behoben, danke. Wo ist der Föhn?"),
    ],
)
def test_a_problem_said_to_be_over_raises_no_alarm(language: str, text: str) -> None:
    assert category(text, language) not in {Category.flood, Category.fire, Category.gas}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the plumber fixed the sink but now water is pouring through the ceiling"),
        ("en", "the leak was fixed yesterday. water is everywhere again"),
        ("fr", "la fuite est réparée mais maintenant ça sent le gaz"),
        ("es", "han arreglado la tubería, pero sale agua por todas partes"),
    ],
)
def test_a_new_problem_beside_an_old_one_still_raises_the_alarm(language: str, text: str) -> None:
    assert category(text, language) in {Category.flood, Category.fire, Category.gas}


def test_a_sentence_that_says_now_or_again_is_not_over() -> None:
    assert is_over(normalize("the leak is fixed, thanks"))
    assert not is_over(normalize("the leak is fixed but it drips again"))
    assert is_over(normalize("all good now, the plumber came"))  # "now" inside "all good now" is part of it


def test_only_the_sentences_about_the_old_problem_are_left_out() -> None:
    text = normalize("The leak is fixed. Water is coming through the ceiling light!")
    assert without_resolved(text) == " water is coming through the ceiling light!"


def test_a_person_is_never_read_as_over() -> None:
    assert category("the leak is fixed. my husband fainted and is not responding", "en") is Category.medical
