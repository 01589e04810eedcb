"""German and Dutch compounds read as their parts, separable verbs joined again, prefixed verbs kept apart."""

import pytest

from knowledge import compounds
from knowledge.index import build_index
from knowledge.pack import load_pack_file
from knowledge.questions import decide
from tests.factories import ROOT

KNOWN = frozenset("parkplatz waschmaschine afval container wlan kennwort auto ankommen abstellen binnenkomen".split())


def known(word: str) -> bool:
    return word in KNOWN


@pytest.mark.parametrize(
    ("token", "language", "expected"),
    [
        ("parkplatzgebuhr", "de", [("parkplatz", 1.0)]),  # a generic head: the fee of the parking
        ("waschmaschinenpulver", "de", [("waschmaschine", 1.0)]),  # with the linking "n"
        ("afvalcontainer", "nl", [("afval", 1.0), ("container", 1.0)]),  # both parts known
        ("wlan-kennwort", "de", [("wlan", 1.0), ("kennwort", 1.0)]),  # hyphenated
    ],
)
def test_a_compound_is_read_as_its_known_parts(token: str, language: str, expected: list[tuple[str, float]]) -> None:
    assert compounds.parts(token, language, known) == expected


@pytest.mark.parametrize(
    ("token", "language"),
    [
        ("kinderwagen", "de"),  # a pram: a known head alone ("wagen") says nothing
        ("autobahnen", "de"),  # "bahnen" is neither known nor a generic head
        ("parkplatzgebuhr", "es"),  # only the languages that compound
        ("lavadora-secadora", "es"),
        ("park", "de"),  # too short to be a compound
    ],
)
def test_no_parts_without_a_known_first_word_and_head(token: str, language: str) -> None:
    assert compounds.parts(token, language, known) == []


def test_a_separable_prefix_at_the_end_of_a_clause_is_joined_to_its_verb() -> None:
    assert compounds.joined_verbs("wann kommen wir an?", "de", known) == ["ankommen"]
    assert compounds.joined_verbs("wo stellen wir das auto ab", "de", known) == ["abstellen"]
    assert compounds.joined_verbs("hoe komen we binnen als er niemand is?", "nl", known) == ["binnenkomen"]
    assert compounds.joined_verbs("komen we binnen met de auto", "nl", known) == []  # not the clause's end
    assert compounds.joined_verbs("wann kommen wir an?", "en", known) == []


def test_a_word_with_a_prefix_is_another_verb_not_a_typo() -> None:
    assert compounds.prefixed("fahren", "abfahren", "de")
    assert not compounds.prefixed("fahren", "fahrn", "de")
    assert not compounds.prefixed("fahren", "abfahren", "en")
    assert compounds.is_particle("binnen", "nl") and not compounds.is_particle("binnenkomen", "nl")


def test_a_word_known_in_another_form_is_no_compound() -> None:
    # "Mülltonnen" is a form of "Mülltonne" (the bins): read as "Müll" + "Tonnen" it tied with the street (directions)
    # and the guest was asked which of the two was meant.
    index = build_index(load_pack_file(ROOT / "examples" / "casa-azul.yaml").model_dump(mode="json")["knowledge"])
    decision = decide(index, "Wann müssen die Mülltonnen an die Straße?", language="de", threshold=0.7)
    assert [c.topic for c in decision.selected] == ["trash"] and decision.clarify == []
