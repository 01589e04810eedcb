"""Grounding: a listing topic answers only when its entry names what the guest asked about, in the same words or,
asked as nearby or in a language the entry is not written in, as the same thing in another language."""

from knowledge.grounding import grounded, place_of_unknown, thing_decides
from knowledge.index import build_index
from knowledge.retrieval import Candidate

INDEX = build_index(
    [
        {
            "topic": "local_tips",
            "title": "Tips",
            "content": {"en": "Las Arenas beach is a 3-minute walk. The market is open on Saturdays."},
        },
        {"topic": "pool", "title": "Pool", "content": {"en": "The rooftop pool is open 10:00 to 21:00."}},
    ]
)
TIPS = Candidate("local_tips", 0.9, matched="strand", source="lexicon")


def test_a_thing_asked_as_nearby_grounds_the_tips_in_another_language() -> None:
    assert grounded(INDEX, TIPS, "is er een strand in de buurt?", nearby=True)
    assert grounded(INDEX, TIPS, "附近有市场吗？", nearby=True)


def test_a_thing_asked_in_a_language_the_entry_is_not_written_in_grounds_the_tips() -> None:
    assert grounded(INDEX, TIPS, "周六有集市吗", language="zh")  # the tips' "market", said in Chinese
    assert not grounded(INDEX, TIPS, "周六有集市吗", language="en")  # written in English: its own words must name it
    assert not grounded(INDEX, TIPS, "附近有超市吗", language="zh")  # a thing the tips do not name


def test_a_thing_named_as_the_place_of_something_else_grounds_nothing() -> None:
    assert not grounded(INDEX, TIPS, "on peut louer des cerfs-volants pour la plage ?")
    assert not grounded(INDEX, TIPS, "is er een sportschool in de buurt?", nearby=True)  # nothing it names


def test_the_same_word_and_other_topics_are_grounded() -> None:
    assert grounded(INDEX, TIPS, "is the beach far?")
    assert grounded(INDEX, Candidate("pool", 0.9, matched="pool", source="lexicon"), "a gym?")


BIKES = build_index(
    [
        {"topic": "transport", "title": "Bus", "content": {"en": "Bus 81 stops at the end of the street."}},
        {"topic": "custom:bike-storage", "title": "Bike shed", "content": {"en": "The shed has 4 bikes for guests."}},
        {"topic": "pool", "title": "Pool", "content": {"en": "The pool is open 10:00 to 21:00."}},
        {"topic": "access", "title": "Keys", "content": {"en": "The keys are in the key box."}},
    ]
)


def test_the_entry_that_names_the_thing_breaks_a_tie_on_one_word() -> None:
    tied = [
        Candidate("transport", 0.64, matched="bicicleta", source="lexicon"),
        Candidate("custom:bike-storage", 0.64, matched="bicicleta", source="lexicon"),
    ]
    ranked = thing_decides(BIKES, tied, "tem bicicleta pra gente usar?", margin=0.1)
    assert ranked[0].topic == "custom:bike-storage" and ranked[1].score < 0.54


def test_two_words_naming_two_topics_are_no_tie_to_break() -> None:
    tied = [
        Candidate("pool", 0.9, matched="piscina", source="lexicon"),
        Candidate("access", 0.9, matched="llave", source="lexicon"),
    ]
    assert thing_decides(BIKES, tied, "la llave de la piscina", margin=0.1) == tied


def tips_score(message: str) -> float:
    beach = Candidate("local_tips", 0.8, matched="beach", source="lexicon")
    near = frozenset({"near", "on"})
    places = frozenset({"beach"}) if "near the beach" in message or "on the beach" in message else frozenset()
    return place_of_unknown(INDEX, [beach], message, places, near, floor=0.45)[0].score


def test_a_listing_named_only_as_where_an_unknown_thing_is_answers_nothing() -> None:
    # The tips name the beach, not a surf school near it; "market" is a word the tips' text says.
    assert tips_score("any good surf schools near the beach?") < 0.45
    assert tips_score("is there a market near the beach?") == 0.8
    assert tips_score("how far is the beach?") == 0.8  # the beach itself is asked
