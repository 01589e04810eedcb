"""Between close topics: the conversation, the clause that asks, or the entry that says more decides
(knowledge/choice.py)."""

from knowledge.choice import said_more
from knowledge.index import build_index
from knowledge.pack import load_pack_file
from knowledge.questions import decide
from knowledge.retrieval import Candidate
from tests.factories import ROOT

CASA = build_index(load_pack_file(ROOT / "examples" / "casa-azul.yaml").model_dump(mode="json")["knowledge"])
LOFT = build_index(load_pack_file(ROOT / "examples" / "city-loft.yaml").model_dump(mode="json")["knowledge"])


def _sure(topic: str, matched: str) -> Candidate:
    return Candidate(topic=topic, score=0.8, matched=matched, source="lexicon")


def test_the_entry_that_holds_clearly_more_of_the_message_decides() -> None:
    message = "where do i empty the little bin under the kitchen sink, its full"
    close = [_sure("kitchen", "kitchen"), _sure("trash", "bin")]
    winner, rest = said_more(CASA, message, close, threshold=0.7, language="en")
    assert winner is not None and winner.topic == "trash" and rest == []
    decision = decide(CASA, message, language="en", threshold=0.7)
    assert [c.topic for c in decision.selected] == ["trash"]


def test_a_keypad_that_does_nothing_is_the_door_not_the_bags() -> None:
    message = "standing at the street door with all our bags, the keypad isn't doing anything when I type the code"
    decision = decide(LOFT, message + ". what am I doing wrong", language="en", threshold=0.7)
    assert [c.topic for c in decision.selected] == ["access"]


def test_entries_that_hold_about_as_much_are_still_asked_about() -> None:
    close = [_sure("amenities", "beach towels"), _sure("laundry", "tumble dry")]
    message = "can we tumble dry the beach towels or do they have to hang outside"
    assert said_more(CASA, message, close, threshold=0.7, language="en") == (None, close)


def test_thin_or_unsure_evidence_never_decides() -> None:
    thin = [Candidate(topic="kitchen", score=0.5, matched="kitchen", source="content"), _sure("trash", "bin")]
    message = "where do i empty the little bin under the kitchen sink"
    assert said_more(CASA, message, thin, threshold=0.7, language="en") == (None, thin)


def test_topics_named_in_different_clauses_are_not_decided_by_counting() -> None:
    message = "our train leaves late on sunday, is that luggage place on carrer de la reina open on sundays"
    close = [_sure("luggage", "luggage"), _sure("transport", "train")]
    assert said_more(CASA, message, close, threshold=0.7, language="en") == (None, close)
