"""Follow-ups on the index alone: a message with no topic of its own that refers back is about the previous answer,
in the guest's language or another, and a new subject is never answered with the same entry again."""

from typing import Any

from knowledge.follow_ups import (
    continues,
    details_asked,
    holds,
    points_back,
    read_follow_up,
    refers_back,
)
from knowledge.index import build_index
from knowledge.questions import decide
from knowledge.retrieval import rank_message

ENTRIES: list[dict[str, Any]] = [
    {
        "topic": "check_out",
        "title": "Check-out",
        "content": {"es": "Salida antes de las 11:00.", "en": "Check-out by 11:00. Put the keys back in the lockbox."},
    },
    {"topic": "access", "title": "Lockbox", "content": {"en": "The lockbox is left of the door. Code: 4821."}},
    {
        "topic": "parking",
        "title": "Parking",
        "content": {"en": "Parking Mediterrani, 4 minutes on foot, 14 € per 24 hours. On the street Sundays are free."},
    },
    {
        "topic": "pool",
        "title": "Pool",
        "content": {"en": "The rooftop pool is open 10:00 to 21:00. Please use the beach towels."},
    },
    {"topic": "local_tips", "title": "Tips", "content": {"en": "Las Arenas beach is a 3-minute walk."}},
    {"topic": "pets", "title": "Pets", "content": {"en": "One dog is welcome (15 € per stay), not on the beds."}},
    {
        "topic": "laundry",
        "title": "Laundry",
        "content": {"en": "The washing machine is in the utility room; detergent is on the shelf."},
    },
    {
        "topic": "heating_cooling",
        "title": "Heating",
        "content": {"en": "The radiators have knobs: the bedroom needs about 30 minutes to warm up."},
    },
    {"topic": "trash", "title": "Bins", "content": {"en": "Bins on the corner: green for glass, grey for the rest."}},
    {"topic": "wifi", "title": "Wi-Fi", "content": {"en": "Network Sol-5G, password sol-y-mar."}},
    {"topic": "amenities", "title": "Included", "content": {"en": "Towels, a hair dryer, shampoo."}},
]
INDEX = build_index(ENTRIES)


def selected(message: str, *, language: str, previous: tuple[str, ...]) -> list[str]:
    decision = decide(INDEX, message, language=language, threshold=0.7, previous=previous)
    return [c.topic for c in decision.selected]


def test_japanese_and_chinese_ask_and_the_at_the_end() -> None:
    assert refers_back("瓶は？", "ja")
    assert refers_back("玻璃呢？", "zh")
    assert refers_back("and the password?", "en")
    assert not refers_back("瓶はどこですか？", "ja")
    assert not refers_back("where is the glass bin?", "en")


def test_a_thing_the_previous_entry_names_in_another_language_continues_it() -> None:
    # The check-out entry is not written in Italian, but it names the keys: "e le chiavi?" is about check-out.
    assert selected("e le chiavi?", language="it", previous=("check_out",)) == ["check_out"]
    # Without that previous answer the keys are the lockbox's.
    assert selected("e le chiavi?", language="it", previous=()) == ["access"]
    # An entry that does not name the thing: the new topic answers.
    assert selected("e le chiavi?", language="it", previous=("pool",)) == ["access"]


def test_a_thing_continues_only_when_the_guest_refers_back() -> None:
    candidates = rank_message(INDEX, "dove sono le chiavi?", language="it")
    assert continues(INDEX, "dove sono le chiavi?", candidates, ["check_out"], "it") is None
    found = continues(INDEX, "e le chiavi?", rank_message(INDEX, "e le chiavi?", language="it"), ["check_out"], "it")
    assert found is not None and found.topic == "check_out" and found.source == "context"


def test_a_question_that_only_asks_more_is_about_the_previous_answer() -> None:
    assert selected("how much per day", language="en", previous=("parking",)) == ["parking"]  # no "?" needed
    assert selected("¿hasta qué hora se puede usar?", language="es", previous=("pool",)) == ["pool"]
    assert selected("一天多少钱？", language="zh", previous=("parking",)) == ["parking"]
    assert selected("何時まで使えますか？", language="ja", previous=("pool",)) == ["pool"]


def test_a_pronoun_or_a_preposition_is_no_subject_of_its_own() -> None:
    # "pro" is a function word: "costs per day?" names nothing but the previous answer, whose entry has a price.
    assert selected("Kosten pro Tag?", language="de", previous=("parking",)) == ["parking"]
    # "elle" is the pool, but its entry does not say whether it is heated: a person answers, not the hours again.
    assert selected("elle est chauffée ?", language="fr", previous=("pool",)) == []


def test_a_japanese_and_the_after_an_entry_in_english_is_about_it() -> None:
    assert selected("瓶は？", language="ja", previous=("trash",)) == ["trash"]


def test_a_new_subject_is_never_the_same_entry_again() -> None:
    assert read_follow_up(INDEX, "is there a gym?", ["pool"], "en") is None
    assert selected("is there a gym?", language="en", previous=("pool",)) == []
    assert read_follow_up(INDEX, "ジムはありますか？", ["pool"], "ja") is None
    assert selected("and the wifi password?", language="en", previous=("parking",)) == ["wifi"]
    assert read_follow_up(INDEX, "how much per day", [], "en") is None  # nothing to refer back to


def decision(message: str, *, language: str, previous: tuple[str, ...]) -> tuple[list[str], int]:
    found = decide(INDEX, message, language=language, threshold=0.7, previous=previous)
    return [c.topic for c in found.selected], found.open_questions


def test_a_conjunction_after_an_opening_mark_refers_back() -> None:
    assert refers_back("¿y para el coche?", "es")
    assert refers_back("- and the code?", "en")
    assert not refers_back("¿dónde aparco?", "es")


def test_pronouns_and_demonstratives_point_back_but_is_there_does_not() -> None:
    assert points_back("is it far?", "en")
    assert points_back("il est où ?", "fr")
    assert points_back("タオルはどうすればいいですか？", "ja")
    assert not points_back("is there a gym?", "en")
    assert not points_back("il y a une salle de sport ?", "fr")
    assert not points_back("Gibt es eine Sauna?", "de")


def test_details_asked_and_held() -> None:
    assert set(details_asked("how long does it take to walk there?", "en")) == {"duration"}
    assert set(details_asked("c'est payant le dimanche ?", "fr")) == {"price", "day"}
    assert set(details_asked("料金はかかりますか？", "ja")) == {"price"}
    assert holds("las arenas beach is a 3-minute walk.", "duration")
    assert holds("check-out by 11:00.", "time") and not holds("check-out by 11:00.", "price")
    assert holds("de vuilnis wordt dinsdag opgehaald.", "day")


def test_how_often_is_its_own_detail_and_a_longer_phrase_asks_its_kind_only() -> None:
    # "cada cuánto" asks how often, not how much: the tram stop "5 minutes away" with a taxi "25-30 €" does not say.
    assert details_asked("cada cuánto pasa?", "es") == {"frequency": ["cada cuanto"]}
    assert details_asked("il passe tous les combien ?", "fr") == {"frequency": ["tous les combien"]}
    assert set(details_asked("how often do they come?", "en")) == {"frequency"}
    assert holds("bus 81 runs every half hour to alkmaar.", "frequency")
    assert not holds("tram stop, 5 minutes away; a taxi costs 25 €.", "frequency")
    # "when" asks a time of day or a day: an entry that holds either answers it.
    assert set(details_asked("and when can we use it?", "en")) == {"time", "day"}


def test_a_question_about_the_previous_answer_it_holds_is_answered_with_it() -> None:
    assert selected("is it far?", language="en", previous=("parking",)) == ["parking"]
    assert selected("does it cost extra?", language="en", previous=("pets",)) == ["pets"]
    assert selected("料金はかかりますか？", language="ja", previous=("pets",)) == ["pets"]
    assert selected("c'est payant le dimanche ?", language="fr", previous=("parking",)) == ["parking"]
    # It asks a duration, not a time of day: "till" does not make it one.
    assert selected("how long till it's warm?", language="en", previous=("heating_cooling",)) == ["heating_cooling"]


def test_a_word_that_only_says_what_the_guest_does_is_no_new_subject() -> None:
    # "find", "bring", "own" name nothing: the thing named or pointed at is what is asked about.
    assert read_follow_up(INDEX, "y dónde lo encuentro?", ["pool"], "es") == []
    assert read_follow_up(INDEX, "do we need to bring our own towels?", ["pool"], "en") == []
    assert read_follow_up(INDEX, "and the gym, where do I find it?", ["pool"], "en") == ["gym"]  # a new subject


def test_a_follow_up_asking_what_the_entry_does_not_hold_goes_to_a_person() -> None:
    assert decision("und wie lange dauert ein Waschgang?", language="de", previous=("laundry",)) == ([], 1)
    assert read_follow_up(INDEX, "und wie lange dauert ein Waschgang?", ["laundry"], "de") == ["lange", "dauert"]
    assert decision("料金はかかりますか？", language="ja", previous=("pool",)) == ([], 1)
    assert decision("how deep is it?", language="en", previous=("pool",)) == ([], 1)
    # "is it heated?": the pool's entry does not say; the heating's entry is what "it" is after the heating answer.
    assert decision("is it heated?", language="en", previous=("pool",)) == ([], 1)
    assert selected("is it heated?", language="en", previous=("heating_cooling",)) == ["heating_cooling"]


def test_a_word_the_entry_uses_only_inside_another_things_name_is_a_new_subject() -> None:
    # The pool's text says "beach towels": "what about the beach?" asks about the beach, not about the pool.
    assert selected("what about the beach?", language="en", previous=("pool",)) == ["local_tips"]
    # Naming the towels themselves continues the pool answer.
    assert selected("can we take the bathroom towels up there?", language="en", previous=("pool",)) == ["pool"]


def test_a_longer_message_continues_only_pointing_at_a_thing_the_entry_names() -> None:
    long = "cool and is there soap for it or do i need to buy some"
    assert selected(long, language="en", previous=("laundry",)) == ["laundry"]
    assert (
        read_follow_up(INDEX, "we wondered whether you could tell us where to buy soap around here", ["laundry"], "en")
        is None
    )


COUNTED = build_index(
    [
        {"topic": "parking", "title": "Parking", "content": {"nl": "Op de oprit is plaats voor twee auto's."}},
        {"topic": "check_out", "title": "Check-out", "content": {"en": "Check-out is by 10:00."}},
        {"topic": "heating_cooling", "title": "Air", "content": {"en": "We suggest 21 °C in winter."}},
        {"topic": "laundry", "title": "Laundry", "content": {"en": "There is a washer-dryer in the bathroom."}},
        {"topic": "amenities", "title": "Included", "content": {"en": "Board games, towels, a hair dryer."}},
    ]
)


def test_how_many_is_a_detail_held_by_a_number_of_things_not_by_a_time() -> None:
    assert set(details_asked("何台とめられますか？", "ja")) == {"count"}
    assert set(details_asked("how many cars fit?", "en")) == {"count"}
    assert holds("op de oprit is plaats voor twee auto's.", "count")
    assert holds("4 bikes for guests", "count")
    assert not holds("check-out is by 10:00.", "count") and not holds("14 € per 24 hours", "count")
    assert read_follow_up(COUNTED, "何台とめられますか？", ["parking"], "ja") == []
    assert read_follow_up(COUNTED, "how many can we have?", ["check_out"], "en") == ["how many"]


def test_a_figure_of_measures_is_a_detail_a_follow_up_asks() -> None:
    assert read_follow_up(COUNTED, "冬は何度に設定すればいい？", ["heating_cooling"], "ja") == []
    assert read_follow_up(COUNTED, "水温多少度？", ["laundry"], "zh") == ["水温", "多少度"]  # the entry gives none


def test_late_at_night_asks_a_time_in_japanese_and_chinese() -> None:
    assert set(details_asked("夜遅くなっても大丈夫？", "ja")) == {"time"}
    assert set(details_asked("很晚到可以吗？", "zh")) == {"time"}


def test_and_in_a_language_the_entry_lacks_naming_a_thing_it_does_not_is_a_new_subject() -> None:
    # The laundry entry is in English only: "y …?" continues it ("y seca?"), not when it names the children.
    assert read_follow_up(COUNTED, "y seca?", ["laundry"], "es") == []
    assert read_follow_up(COUNTED, "y juegos de mesa para los niños?", ["laundry"], "es") is None


def test_open_or_closed_asks_a_time_and_la_is_no_pointer() -> None:
    assert set(details_asked("è aperto anche la domenica?", "it")) == {"time", "day"}
    assert not points_back("è aperto anche la domenica?", "it")


BIKES = build_index(
    [
        *ENTRIES,
        {"topic": "custom:bike-storage", "title": "Bikes", "content": {"en": "4 bikes, 2 with a child seat."}},
        {
            "topic": "dogs",
            "title": "Dogs",
            "content": {"en": "One dog is welcome. Dogs are not allowed on the beach by the pavilion."},
        },
        {"topic": "beach", "title": "Beach", "content": {"en": "The beach pavilion is a 3-minute walk."}},
    ]
)


def test_a_thing_of_the_entry_beside_a_new_one_asked_as_there_is_is_a_new_question() -> None:
    # The child seat names the children, but the helmets are what is asked: never the bikes again.
    assert read_follow_up(BIKES, "great! are there helmets for the kids?", ["custom:bike-storage"], "en") is None
    # "and …" still goes on about the bikes, and the entry's own thing asked as "is there" is its detail.
    assert read_follow_up(BIKES, "and the kids?", ["custom:bike-storage"], "en") == []
    assert read_follow_up(INDEX, "il y a un cendrier ?", ["laundry"], "fr") is None


def test_he_and_she_point_back_at_the_entry_just_answered() -> None:
    found = continues(
        BIKES,
        "is he allowed on the beach?",
        rank_message(BIKES, "is he allowed on the beach?", language="en"),
        ["dogs"],
        "en",
    )
    assert found is not None and found.topic == "dogs"


def test_words_that_only_say_how_or_per_what_name_no_subject() -> None:
    # "fica" (is it), "dobę" (per day): the parking entry, not written in Portuguese or Polish, holds the distance
    # and the price asked.
    assert selected("fica longe?", language="pt", previous=("parking",)) == ["parking"]
    assert selected("ile kosztuje za dobę?", language="pl", previous=("parking",)) == ["parking"]


def test_charging_a_car_asks_no_price() -> None:
    assert "price" not in details_asked("can we charge an electric car there?", "en")
    assert "price" in details_asked("is there a charge for it?", "en")
    assert read_follow_up(INDEX, "can we charge an electric car there?", ["parking"], "en") != []


def test_what_to_do_if_it_stops_working_is_held_by_an_entry_saying_what_to_do_if_it_drops() -> None:
    router = build_index(
        [{"topic": "wifi", "title": "Wi-Fi", "content": {"en": "If the connection drops, unplug the router."}}]
    )
    assert "trouble" in details_asked("and if it stops working?", "en")
    assert read_follow_up(router, "and if it stops working?", ["wifi"], "en") == []
    # The pool entry says nothing about trouble: a person answers.
    assert read_follow_up(INDEX, "and if it stops working?", ["pool"], "en") != []


def test_a_month_is_when_the_guest_comes_not_a_subject() -> None:
    assert "day" in details_asked("we zijn er begin oktober", "nl")
    assert "day" not in details_asked("may we use the grill?", "en")  # the modal, not the month
    message = "tot wanneer is het open? we zijn er begin oktober"
    assert selected(message, language="nl", previous=("pool",)) == ["pool"]


def test_the_words_asking_there_is_are_no_new_thing() -> None:
    stove = build_index(
        [{"topic": "heating_cooling", "title": "Heating", "content": {"en": "There is also a wood stove."}}]
    )
    assert read_follow_up(stove, "c'è anche una stufa a legna?", ["heating_cooling"], "it") == []
