"""Follow-ups opened with an acknowledgement ("ok and …", "great, and …"), and things named beside words the previous
entry happens to use: what the guest asks, not the words around it, decides whether the previous entry answers."""

from typing import Any

from knowledge.follow_ups import read_follow_up, refers_back, without_acknowledgement
from knowledge.index import build_index
from knowledge.questions import decide

ENTRIES: list[dict[str, Any]] = [
    {
        "topic": "check_out",
        "title": "Check-out",
        "content": {"en": "Check-out is by 10:00. Late check-out is not possible on Sundays; other days until 12:00."},
    },
    {
        "topic": "check_in",
        "title": "Check-in",
        "content": {"en": "Check-in is from 16:00. The door details are sent 48 hours before arrival."},
    },
    {"topic": "access", "title": "Door and smart lock", "content": {"en": "Street door: type 2580. Flat door: 9147."}},
    {"topic": "amenities", "title": "Included", "content": {"en": "Towels, one large and one small, board games."}},
    {"topic": "hot_tub", "title": "Hot tub", "content": {"en": "The hot tub is at 38 °C. Children under supervision."}},
    {"topic": "parking", "title": "Parking", "content": {"nl": "Oprit voor twee auto's. Een laadpaal bij de Zeeweg."}},
    {"topic": "garage", "title": "Parking", "content": {"en": "Parking Mediterrani, 14 € per 24 hours."}},
]
INDEX = build_index(ENTRIES)


def selected(message: str, *, language: str, previous: tuple[str, ...]) -> list[str]:
    decision = decide(INDEX, message, language=language, threshold=0.7, previous=previous)
    return [c.topic for c in decision.selected]


def test_an_acknowledgement_before_a_mark_another_or_and_is_no_part_of_the_question() -> None:
    assert without_acknowledgement("ok and what about sunday?", "en") == "and what about sunday?"
    assert without_acknowledgement("Great, and when?", "en") == "and when?"
    assert without_acknowledgement("ok thanks! and the code?", "en") == "and the code?"
    assert without_acknowledgement("vale, ¿y el domingo?", "es") == "y el domingo?"
    assert without_acknowledgement("好的，那周日呢？", "zh") == "那周日呢?"
    assert refers_back("cool. and the code?", "en") and refers_back("super, und wann?", "de")


def test_an_opening_word_that_is_the_question_or_a_whole_thank_you_stays() -> None:
    assert without_acknowledgement("perfect thanks 🙏", "en") == "perfect thanks 🙏"
    assert without_acknowledgement("good restaurants nearby?", "en") == "good restaurants nearby?"
    assert without_acknowledgement("okay where is it", "en") == "okay where is it"
    assert not refers_back("great restaurants and bars nearby?", "en")


def test_a_follow_up_after_an_acknowledgement_is_read_like_one_without() -> None:
    message = "ok and what about sunday, can we stay a bit longer?"  # 11 words, of which "ok" asks nothing
    assert selected(message, language="en", previous=("check_out",)) == ["check_out"]
    # The door details are what the check-in entry says: not the door codes.
    assert selected("great, and when do we get the door details?", language="en", previous=("check_in",)) == [
        "check_in"
    ]
    # An acknowledgement does not make a new subject a follow-up: the hot tub is not the check-out.
    assert selected("ok and is there a hot tub?", language="en", previous=("check_out",)) == ["hot_tub"]


def test_a_thing_the_entry_does_not_name_is_asked_whatever_other_word_it_shares() -> None:
    # "small" is in the entry (one small towel), the children are not: a new question, not the same entry again.
    assert read_follow_up(INDEX, "any for small kids?", ["amenities"], "en") is None
    assert read_follow_up(INDEX, "and for the kids?", ["amenities"], "en") is None
    # The hot tub names the children: it answers.
    assert read_follow_up(INDEX, "and for the kids?", ["hot_tub"], "en") == []


def test_a_charging_point_is_a_thing_the_parking_entry_names_in_any_language() -> None:
    assert read_follow_up(INDEX, "is there somewhere to charge our tesla?", ["parking"], "en") == []
    # An entry that names no charging point does not answer it.
    assert read_follow_up(INDEX, "is there somewhere to charge our tesla?", ["garage"], "en") != []


def test_whether_there_is_something_else_in_more_new_words_than_the_entrys_goes_to_a_person() -> None:
    bikes = build_index(
        [
            {"topic": "bikes", "title": "Bikes", "content": {"en": "The shed has 4 bikes, each with a lock."}},
            {"topic": "tips", "title": "Tips", "content": {"en": "Walking routes start at the end of the street."}},
        ]
    )
    message = "ok cool, and is there a bike repair shop in the village?"
    assert read_follow_up(bikes, message, ["bikes"], "en") == ["repair", "shop", "village"]
    decision = decide(bikes, message, language="en", threshold=0.7, previous=("bikes",))
    assert decision.selected == [] and decision.open_questions == 1
    # More about the entry's own thing stays a follow-up it answers.
    assert read_follow_up(bikes, "and is there a lock on the bikes?", ["bikes"], "en") == []
