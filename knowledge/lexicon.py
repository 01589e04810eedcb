"""Curated multilingual lexicon: the words guests actually type, per knowledge topic and language.

The offline retriever fuzzy-matches a guest's words against `KEYWORDS`, and language detection
counts `FUNCTION_WORDS`. Words are lowercase and keep their usual accents; the matcher folds
case and accents itself. Keywords are specific to one topic (no "time" or "where"), and the
function-word sets avoid words shared by several languages so that each one is evidence.

The languages and topics are code (packs, the admin and the detector use them); the words are packaged data
in `knowledge/data`: `topics/<topic>.yaml` (a list per language), `function_words.yaml` and `words.yaml`
(the shared, common, weak and context words, with why each list exists). They are read and checked once, at
import: a malformed file fails the import with `path:line: message` (see `knowledge.lexicon_data`).
"""

from pathlib import Path
from typing import NamedTuple

from knowledge.lexicon_data import language_file, language_words, load_yaml_data, mapping, named_files, words

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "de", "it", "pt", "nl", "pl", "ja", "zh")

TOPICS: tuple[str, ...] = (
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

DATA = Path(__file__).parent / "data"
_WORD_LISTS = (
    "shared_function_words",
    "common_words",
    "weak_keywords",
    "context_keywords",
    "recommendation_words",
    "nearby_words",
    "follow_up_words",
    "generic_keywords",
)


class Lexicon(NamedTuple):
    """The words of the lexicon files, in the shapes the retriever and the language detector use."""

    keywords: dict[str, dict[str, tuple[str, ...]]]
    function_words: dict[str, frozenset[str]]
    shared_function_words: frozenset[str]
    common_words: frozenset[str]
    common_by_language: dict[str, frozenset[str]]
    weak_keywords: frozenset[str]
    context_keywords: frozenset[str]
    generic_keywords: frozenset[str]
    recommendation_words: frozenset[str]
    nearby_words: dict[str, tuple[str, ...]]
    follow_up_words: frozenset[str]
    concepts: dict[str, dict[str, tuple[str, ...]]]
    places: dict[str, dict[str, tuple[str, ...]]]


def _named_words(path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """A file of named things (concepts, places), each with its words in every language."""
    node = load_yaml_data(path)
    named = mapping(path, node, [str(key.value) for key, _ in node.value], "name")
    return {name: language_words(path, value, SUPPORTED_LANGUAGES) for name, value in named.items()}


def load(directory: Path = DATA) -> Lexicon:
    """Read and check the lexicon files in `directory`: every topic and language, in the order of the code."""
    topics = named_files(directory / "topics", TOPICS, "topic")
    keywords = {topic: language_file(path, SUPPORTED_LANGUAGES) for topic, path in topics.items()}
    function_words = language_file(directory / "function_words.yaml", SUPPORTED_LANGUAGES)
    path = directory / "words.yaml"
    lists = mapping(path, load_yaml_data(path), _WORD_LISTS, "word list")
    common = language_words(path, lists["common_words"], SUPPORTED_LANGUAGES, required=False)
    return Lexicon(
        keywords=keywords,
        function_words={language: frozenset(found) for language, found in function_words.items()},
        shared_function_words=frozenset(words(path, lists["shared_function_words"])),
        common_words=frozenset(word for found in common.values() for word in found),
        common_by_language={language: frozenset(found) for language, found in common.items()},
        weak_keywords=frozenset(words(path, lists["weak_keywords"])),
        context_keywords=frozenset(words(path, lists["context_keywords"])),
        generic_keywords=frozenset(words(path, lists["generic_keywords"])),
        recommendation_words=frozenset(
            word
            for found in language_words(path, lists["recommendation_words"], SUPPORTED_LANGUAGES).values()
            for word in found
        ),
        nearby_words=language_words(path, lists["nearby_words"], SUPPORTED_LANGUAGES),
        follow_up_words=frozenset(
            word
            for found in language_words(path, lists["follow_up_words"], SUPPORTED_LANGUAGES).values()
            for word in found
        ),
        concepts=_named_words(directory / "concepts.yaml"),
        places=_named_words(directory / "places.yaml"),
    )


_LEXICON = load()

KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = _LEXICON.keywords
FUNCTION_WORDS: dict[str, frozenset[str]] = _LEXICON.function_words
# Words common to several languages ("de", "la", "que", "is" ...): no evidence for any one language.
SHARED_FUNCTION_WORDS: frozenset[str] = _LEXICON.shared_function_words
# Everyday words that say nothing about the topic ("time", "please", "tomorrow").
COMMON_WORDS: frozenset[str] = _LEXICON.common_words
# The same, per language: a German guest's "über" (about) is an everyday word, not the English keyword "uber".
COMMON_BY_LANGUAGE: dict[str, frozenset[str]] = _LEXICON.common_by_language
# Keywords that name a kind of request rather than its subject ("recommend", "things to do").
WEAK_KEYWORDS: frozenset[str] = _LEXICON.weak_keywords
# Arrival words ("arrive", "llegar") that ask about check-in only when nothing else is asked.
CONTEXT_KEYWORDS: frozenset[str] = _LEXICON.context_keywords
# Words asking for the rules of something ("rules"): the house rules alone, a named subject's rules beside it.
GENERIC_KEYWORDS: frozenset[str] = _LEXICON.generic_keywords
# Words asking for a recommendation in general: listing topics answer them (knowledge/questions.py).
RECOMMENDATION_WORDS: frozenset[str] = _LEXICON.recommendation_words
# Words that place the subject outside the house ("nearby", "in the village"), per language.
NEARBY_WORDS: dict[str, tuple[str, ...]] = _LEXICON.nearby_words
# Words of a follow-up asking more about the same thing ("how long", "closes", "cuesta").
FOLLOW_UP_WORDS: frozenset[str] = _LEXICON.follow_up_words
# Things custom topics are often about (a hot tub, bikes), with their words in every language.
CONCEPTS: dict[str, dict[str, tuple[str, ...]]] = _LEXICON.concepts
# Places in and around a house (a balcony, a window), with their words in every language (knowledge/coverage.py).
PLACES: dict[str, dict[str, tuple[str, ...]]] = _LEXICON.places
