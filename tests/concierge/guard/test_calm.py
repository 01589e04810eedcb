"""Messages about an emergency that is not happening (concierge/guard/calm.py and the `hypothetical` sentences of
concierge/guard/resolved.py): a question about what to do if, a problem that is over, a smoke alarm battery. They
raise no alarm and no retrieval alarm, while the same hazard told as happening now still does."""

import pytest

from concierge.guard.calm import asks_for_safety_information, without_problems_over
from concierge.guard.phrases import normalize
from concierge.guard.policy import policy_from
from concierge.guard.resolved import is_hypothetical
from concierge.guard.screening import Screener
from knowledge.policy import Action

POLICY = policy_from(None)


def action(text: str, language: str) -> Action:
    return Screener().screen(text, language=language, history=(), policy=POLICY).action


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "what should we do if the fire alarm goes off in the middle of the night?"),
        ("en", "if the carbon monoxide detector ever beeps, who do we ring?"),
        ("es", "¿qué hacemos si salta la alarma de humo mientras cocinamos?"),
        ("fr", "au cas où, qu'est-ce qu'on fait si ça sent le gaz ?"),
        ("de", "Was machen wir, wenn mal der Rauchmelder losgeht?"),
        ("nl", "stel dat er ooit brand is, waar is de brandblusser?"),
        ("zh", "万一有紧急情况，我们打给谁？"),
        ("en", "the smoke detector in the kitchen keeps chirping, i guess the battery is low"),
    ],
)
def test_a_question_about_what_to_do_if_raises_no_alarm(language: str, text: str) -> None:
    assert action(text, language) is not Action.emergency
    assert asks_for_safety_information(text)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "what do we do?? the smoke alarm is going off and the kitchen is full of smoke"),
        ("en", "what should we do if it's still leaking through the ceiling right now"),
        ("fr", "qu'est-ce qu'on fait, ça sent le gaz partout"),
        ("en", "the leak was fixed. but now there's smoke coming out of the socket"),
    ],
)
def test_a_hazard_happening_now_still_raises_the_alarm(language: str, text: str) -> None:
    assert action(text, language) is Action.emergency


def test_a_what_if_sentence_that_says_now_is_not_hypothetical() -> None:
    assert is_hypothetical(normalize("what do we do if the alarm goes off?"))
    assert not is_hypothetical(normalize("what do we do if the alarm is still going off now?"))


def test_nothing_serious_is_a_question_and_a_real_illness_is_not() -> None:
    assert asks_for_safety_information("my son has a bit of a cold, nothing serious. is there a pharmacy nearby?")
    assert not asks_for_safety_information("my husband has chest pain and is sweating")


def test_a_problem_that_is_over_is_left_out_of_what_the_message_asks() -> None:
    text = "the leak under the sink got fixed this morning, thanks! how do the radiators work?"
    assert without_problems_over(text) == "how do the radiators work?"
    assert without_problems_over("the leak is fixed, thanks") == "the leak is fixed, thanks"  # nothing else asked
    assert without_problems_over("the leak is fixed but water drips again. help") == (
        "the leak is fixed but water drips again. help"
    )
