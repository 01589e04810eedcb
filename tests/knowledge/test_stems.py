"""Stems join the forms of one word in the guest's language, folded or not; short or missing ones say nothing."""

import pytest

from knowledge.stems import stem


@pytest.mark.parametrize(
    ("form", "word", "language"),
    [
        ("aparco", "aparcar", "es"),  # I park / to park
        ("hasła", "hasło", "pl"),  # password: genitive / nominative
        ("sieci", "siec", "pl"),  # network, folded: "sieć"
        ("handtucher", "handtücher", "de"),  # folded and accented give one stem
        ("lavatrici", "lavatrice", "it"),
        ("toalhas", "toalha", "pt"),
    ],
)
def test_forms_of_one_word_share_a_stem(form: str, word: str, language: str) -> None:
    assert stem(form, language) is not None
    assert stem(form, language) == stem(word, language)


def test_different_words_keep_different_stems() -> None:
    assert stem("sieci", "pl") != stem("smieci", "pl")  # network, rubbish


def test_no_stem_without_a_stemmer_or_from_too_little() -> None:
    assert stem("パスワード", "ja") is None  # Japanese and Chinese keep their substring matching
    assert stem("wifi", "xx") is None
    assert stem("gar", "fr") is None  # too short a word
    assert stem("garer", "fr") is None  # "gar" is too short a stem: "garer" (to park) and "gare" (station)
    assert stem("wi-fi", "en") is None  # not one word


def test_a_diminutive_stands_for_its_plain_word() -> None:
    from knowledge.stems import plain_forms

    assert "basen" in plain_forms("basenik", "pl")  # a little pool
    assert "reczniki" in plain_forms("reczniczki", "pl")  # little towels
    assert "auto" in plain_forms("autko", "pl")
    assert "knajpa" in plain_forms("knajpke", "pl")  # a little eatery, as the object of the sentence (knajpkę)
    assert "kawiarka" in plain_forms("kawiareczke", "pl")
    assert plain_forms("dom", "pl") == ()  # too short to be one
    assert plain_forms("basenik", "en") == ()  # a language without diminutive endings


def test_a_regular_form_stands_for_its_plain_word() -> None:
    from knowledge.stems import regular_bases

    assert "cancel" in regular_bases("cancelled", "en")  # a doubled consonant
    assert "cancel" in regular_bases("cancelling", "en")
    assert "party" in regular_bases("parties", "en")
    assert "arrive" in regular_bases("arriving", "en")  # a dropped "e"
    assert "cases" not in regular_bases("case", "en")  # only longer forms: "just in case" has no suitcases
    assert regular_bases("parks", "en") == frozenset()  # too short a word: a place to play, not to park
    assert regular_bases("parcheggerei", "it") == frozenset()  # a language without regular endings listed


def test_a_polish_diminutive_with_the_k_cz_alternation_stands_for_its_plain_word() -> None:
    from knowledge.stems import plain_forms

    assert "apteka" in plain_forms("apteczka", "pl")  # the first-aid kit is, by its form, a little pharmacy
