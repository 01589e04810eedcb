"""A question asking a figure its entry does not give goes to a person (knowledge/measures.py)."""

from typing import Any

from knowledge.index import build_index
from knowledge.measures import PLACE_LISTS, gives_warmth, measures_asked, unheld, unplaced
from knowledge.questions import decide

ENTRIES: list[dict[str, Any]] = [
    {"topic": "pool", "title": "Pool", "content": {"en": "The rooftop pool is open from June to September, 10 to 21."}},
    {"topic": "parking", "title": "Parking", "content": {"en": "Parking Mar is 4 minutes on foot, 14 € a day."}},
    {"topic": "wifi", "title": "Wi-Fi", "content": {"en": "Network Sol-5G, password sol-y-mar."}},
    {"topic": "custom:desk", "title": "Desk", "content": {"en": "By the window. The internet is fibre at 250 Mbit/s."}},
    {"topic": "heating_cooling", "title": "Heating", "content": {"en": "Set the air conditioning to 24 °C in summer."}},
]
INDEX = build_index(ENTRIES)


def answered(message: str, *, language: str = "en") -> tuple[list[str], int]:
    decision = decide(INDEX, message, language=language, threshold=0.7)
    return [c.topic for c in decision.selected], decision.open_questions


def test_the_kinds_of_figure_a_question_asks_for() -> None:
    assert measures_asked("Wie tief ist der Pool?", "de") == ["depth"]
    assert measures_asked("how much is the parking a day?", "en") == ["price"]
    assert measures_asked("la plage est à combien de minutes à pied ?", "fr") == ["distance"]
    assert measures_asked("how do we turn up the temperature?", "en") == []  # a procedure, not a figure
    assert measures_asked("quick question, where is the router?", "en") == []


def test_an_entry_holds_a_figure_of_the_kind_asked_or_not() -> None:
    assert unheld("how much is the parking?", [INDEX.texts["parking"]], "en") == []
    assert unheld("how deep is the pool?", [INDEX.texts["pool"]], "en") == ["depth"]
    assert unheld("what temperature should we set?", [INDEX.texts["heating_cooling"]], "en") == []


def test_a_figure_the_entry_does_not_give_goes_to_a_person() -> None:
    assert answered("how deep is the pool?") == ([], 1)
    assert answered("wie tief ist der Pool?", language="de") == ([], 1)
    assert answered("is the wifi fast enough for video calls?") == ([], 1)


def test_a_figure_the_entry_gives_is_answered() -> None:
    assert answered("how much is the parking a day?") == (["parking"], 0)
    assert answered("how far is the parking?") == (["parking"], 0)
    assert answered("what temperature should the air conditioning be on?") == (["heating_cooling"], 0)


def test_the_one_entry_that_gives_the_figure_about_the_word_used_stands_in() -> None:
    assert answered("how fast is the internet?") == (["custom:desk"], 0)
    assert answered("how fast is the wifi?") == ([], 1)  # the desk entry does not say "wifi"


TIMES: list[dict[str, Any]] = [
    {"topic": "transport", "title": "Transport", "content": {"en": "Tram 4 stops 5 minutes away; the bus every hour."}},
    {"topic": "pool", "title": "Pool", "content": {"en": "The pool is open from 10:00 to 21:00."}},
    {"topic": "trash", "title": "Rubbish", "content": {"en": "Glass goes to the bottle bank (not on Sundays)."}},
]


def test_when_something_runs_is_asked_narrowly() -> None:
    assert measures_asked("does the tram run on sundays?", "en") == ["hours"]
    assert measures_asked("Fährt die Tram nachts?", "de") == ["hours"]
    assert measures_asked("we leave on sunday, what about the keys?", "en") == []  # one day is a circumstance
    # A question asking where names a time as its circumstance: "at night" is when the bikes stay, not hours asked.
    assert measures_asked("where do we put our own bikes at night?", "en") == []
    assert measures_asked("¿dónde dejamos el coche por la noche?", "es") == []
    assert measures_asked("what time does the pool close at night?", "en") == ["hours"]


def test_a_time_the_entry_does_not_give_goes_to_a_person() -> None:
    index = build_index(TIMES)

    def topics(message: str, language: str = "en") -> list[str]:
        return [c.topic for c in decide(index, message, language=language, threshold=0.7).selected]

    assert topics("does the tram run on sundays?") == []
    assert topics("what time is the last bus?") == []
    assert topics("Fährt die Tram auch nachts?", "de") == []  # split at "auch": the tail still asks about the tram
    assert topics("what time does the pool close?") == ["pool"]
    assert topics("can we take glass to the bottle bank on sundays?") == ["trash"]


def test_a_word_asking_how_warm_is_given_by_an_entry_with_a_temperature() -> None:
    assert gives_warmth("calda", ["the hot tub is kept at 38 °c."])
    assert not gives_warmth("heated", ["the pool is open from 10:00 to 21:00."])
    assert not gives_warmth("open", ["the hot tub is kept at 38 °c."])


TIPS: list[dict[str, Any]] = [
    {
        "topic": "local_tips",
        "title": "Tips",
        "content": {
            "en": "For paella, Casa Carmela on the seafront (book ahead). The market is open Monday to Saturday "
            "mornings. The beach is a 3-minute walk."
        },
    },
    {"topic": "kitchen", "title": "Kitchen", "content": {"en": "The kitchen has an oven, a kettle and a toaster."}},
    {"topic": "amenities", "title": "Amenities", "content": {"en": "Included: towels and a hair dryer."}},
]
TIPS_INDEX = build_index(TIPS)


def tips_answered(message: str, *, language: str = "en") -> tuple[list[str], int]:
    decision = decide(TIPS_INDEX, message, language=language, threshold=0.7)
    return [c.topic for c in decision.selected], decision.open_questions


def test_hours_of_a_place_a_listing_names_without_them_go_to_a_person() -> None:
    assert unplaced(TIPS_INDEX, "what time does casa carmela close?", ["local_tips"], "en") == ["hours"]
    assert unplaced(TIPS_INDEX, "what time is the market open?", ["local_tips"], "en") == []
    assert tips_answered("what time does the paella place casa carmela close?") == ([], 1)


def test_an_entry_about_one_thing_answers_hours_from_any_sentence() -> None:
    assert "local_tips" in PLACE_LISTS and "noise" not in PLACE_LISTS
    index = build_index(
        [
            {
                "topic": "noise",
                "title": "Noise",
                "content": {"en": "Quiet hours are 22:00 to 6:00. Close the windows if you play music."},
            }
        ]
    )
    assert unplaced(index, "until what time can we play music?", ["noise"], "en") == []


def test_the_make_of_a_thing_goes_to_a_person() -> None:
    assert measures_asked("what brand is the hair dryer?", "en") == ["brand"]
    assert measures_asked("吹风机是什么牌子的？", "zh") == ["brand"]
    assert measures_asked("コーヒーメーカーありますか？", "ja") == []  # a coffee maker, no make asked
    assert tips_answered("what brand is the hair dryer?") == ([], 1)
    assert tips_answered("is there a hair dryer?")[0] == ["amenities"]


def test_how_something_is_paid_goes_to_a_person_unless_the_entry_says() -> None:
    assert measures_asked("est-ce que le tram accepte la carte bancaire ?", "fr") == ["payment"]
    assert measures_asked("il taxi si può pagare con la carta?", "it") == ["payment"]
    assert measures_asked("ik stuur je straks een app", "nl") == []  # a message sent, no payment asked
    index = build_index(
        [{"topic": "transport", "title": "Transport", "content": {"en": "Tram 4 stops 5 minutes away."}}]
    )
    assert unheld("can we pay by card on tram 4?", [index.texts["transport"]], "en") == ["payment"]
    assert unheld("can we pay by card on tram 4?", ["tickets: card or cash on board."], "en") == []
