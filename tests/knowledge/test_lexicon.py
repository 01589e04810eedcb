"""The keyword lexicon covers every topic and language, and the demo property pack matches it."""

import unicodedata
from typing import Any

import pytest
import yaml

from knowledge.lexicon import (
    FUNCTION_WORDS,
    KEYWORDS,
    SHARED_FUNCTION_WORDS,
    SUPPORTED_LANGUAGES,
    TOPICS,
)
from knowledge.pack import load_pack_file
from tests.factories import ROOT

CONTRACT_TOPICS = (
    "wifi",
    "check_in",
    "check_out",
    "access",
    "parking",
    "house_rules",
    "trash",
    "heating_cooling",
    "kitchen",
    "laundry",
    "amenities",
    "transport",
    "directions",
    "local_tips",
    "emergency",
    "pets",
    "noise",
    "smoking",
    "pool",
    "luggage",
    "refunds_policy",
)
DEMO_PACK = ROOT / "examples" / "casa-azul.yaml"


def test_topics_are_the_contract_topics_in_order() -> None:
    assert TOPICS == CONTRACT_TOPICS
    assert set(KEYWORDS) == set(TOPICS)


@pytest.mark.parametrize("topic", CONTRACT_TOPICS)
def test_every_language_has_at_least_four_clean_keywords(topic: str) -> None:
    by_language = KEYWORDS[topic]
    assert set(by_language) == set(SUPPORTED_LANGUAGES)
    for language in SUPPORTED_LANGUAGES:
        words = by_language[language]
        assert len(words) >= 4, (topic, language)
        assert len(set(words)) == len(words), f"duplicate keyword in {topic}/{language}"
        for word in words:
            assert word, (topic, language)
            assert word == word.strip(), (topic, language, word)
            assert word == word.lower(), (topic, language, word)


def test_check_in_and_check_out_share_no_keyword() -> None:
    for language in SUPPORTED_LANGUAGES:
        shared = set(KEYWORDS["check_in"][language]) & set(KEYWORDS["check_out"][language])
        assert not shared, (language, shared)


def test_function_words_cover_every_language() -> None:
    assert set(FUNCTION_WORDS) == set(SUPPORTED_LANGUAGES)
    for language, words in FUNCTION_WORDS.items():
        assert len(words) >= 20, language
        assert all(w and w == w.strip() and w == w.lower() for w in words), language


def _fold(text: str) -> str:
    """Lowercase without accents, as the matcher compares words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def test_function_words_are_evidence_for_one_language_only() -> None:
    owner: dict[str, str] = {}
    for language, words in FUNCTION_WORDS.items():
        for word in words:
            folded = _fold(word)
            assert owner.setdefault(folded, language) == language, (word, owner[folded], language)
    shared = {_fold(w) for w in SHARED_FUNCTION_WORDS}
    assert not shared & set(owner), shared & set(owner)


def test_single_word_keywords_are_not_function_words() -> None:
    # The retriever drops function words from messages, so such a keyword could never match.
    stopwords = {_fold(w) for words in FUNCTION_WORDS.values() for w in words}
    stopwords |= {_fold(w) for w in SHARED_FUNCTION_WORDS}
    for topic, by_language in KEYWORDS.items():
        for language, words in by_language.items():
            for word in words:
                assert _fold(word) not in stopwords, (topic, language, word)


def _demo_pack() -> dict[str, Any]:
    data = yaml.safe_load(DEMO_PACK.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_demo_pack_knowledge_uses_lexicon_topics() -> None:
    knowledge = _demo_pack()["knowledge"]
    assert len(knowledge) >= 12
    for entry in knowledge:
        assert entry["topic"] in TOPICS
        assert entry["title"]
        assert len(entry["content"]) >= 2, entry["topic"]
        assert all(str(text).strip() for text in entry["content"].values()), entry["topic"]
    topics = [entry["topic"] for entry in knowledge]
    assert len(topics) == len(set(topics))


def test_demo_pack_access_is_sensitive() -> None:
    access = [entry for entry in _demo_pack()["knowledge"] if entry["topic"] == "access"]
    assert len(access) == 1
    assert access[0]["sensitive"] is True


def test_demo_pack_has_staff_and_reservations() -> None:
    pack = _demo_pack()
    assert pack["property"]["slug"] == "casa-azul"
    assert len(pack["staff"]) == 2
    assert len(pack["reservations"]) == 2
    for reservation in load_pack_file(DEMO_PACK).reservations:  # stays relative to today ("today-1") resolved
        assert reservation.check_out > reservation.check_in
