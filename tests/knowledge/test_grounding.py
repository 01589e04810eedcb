"""Grounding: a listing topic answers only when its entry names what the guest asked about, in the same words or,
asked as nearby, as the same thing in another language."""

from knowledge.grounding import grounded
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


def test_a_thing_named_as_the_place_of_something_else_grounds_nothing() -> None:
    assert not grounded(INDEX, TIPS, "on peut louer des cerfs-volants pour la plage ?")
    assert not grounded(INDEX, TIPS, "is er een sportschool in de buurt?", nearby=True)  # nothing it names


def test_the_same_word_and_other_topics_are_grounded() -> None:
    assert grounded(INDEX, TIPS, "is the beach far?")
    assert grounded(INDEX, Candidate("pool", 0.9, matched="pool", source="lexicon"), "a gym?")
