"""Exception requests told as a story (concierge/guard/screening.py with data/classes.yaml and categories/): a
visitor staying the night without a headcount, a pet that "comes along", money back asked sideways; and the near
misses that stay plain questions (exceptions15, issue #17 point 7)."""

import pytest

from concierge.guard.policy import policy_from
from concierge.guard.screening import Screener
from knowledge.policy import Category

POLICY = policy_from(None)


def category(text: str, language: str) -> Category | None:
    return Screener().screen(text, language=language, history=(), policy=POLICY).category


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "en",
            "my parents are flying in on thursday, it would be so lovely if they could spend one night with us",
            Category.extra_guests,
        ),
        (
            "en",
            "our friends are camping nearby and want to spend the last two nights with us in the house",
            Category.extra_guests,
        ),
        ("zh", "我男朋友明天从巴塞罗那过来看我，他能在这里住一晚吗？", Category.extra_guests),
        (
            "nl",
            "Vrienden van ons zijn ook in Berlijn, mogen ze de laatste nacht bij ons op de bank slapen?",
            Category.extra_guests,
        ),
        (
            "de",
            "Unsere Katze kann leider nicht bei der Nachbarin bleiben, wäre es okay, wenn sie mitkommt?",
            Category.pet_exception,
        ),
        ("nl", "Onze zoon heeft waterpokken, we kunnen niet komen. Krijgen we nog iets terug?", Category.refund),
        ("de", "Wir müssen die Reise absagen. Bekommen wir trotzdem etwas zurück?", Category.refund),
        ("en", "I'm not paying for the last night unless you sort out some kind of refund", Category.refund),
    ],
)
def test_a_request_told_as_a_story_is_screened(language: str, text: str, expected: Category) -> None:
    assert category(text, language) is expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "my girlfriend is coming with me, is there a hairdryer?"),
        ("en", "my friends recommended your place, we spent the night in Madrid before"),
        ("en", "what is the cancellation policy?"),
        ("fr", "les animaux sont acceptés ?"),
    ],
)
def test_a_plain_question_is_no_request(language: str, text: str) -> None:
    assert category(text, language) is None
