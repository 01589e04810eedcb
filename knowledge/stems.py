"""Stems of words, so that an inflected form meets its lexicon word: "aparco"/"aparcar", "hasła"/"hasło".

The offline retriever compares a guest's word with the index's words by stem, in the guest's language, before
fuzzy matching: an inflection is not a typo, and a near spelling of another word ("sieci" ~ "śmieci", network
and rubbish in Polish) must not win over the form of the word the guest wrote.

Stems are Snowball's (`snowballstemmer`, pure Python, no data to download) for the eight languages written
with Latin letters; Japanese and Chinese have none and keep their substring matching. Snowball stems folded
words as well as accented ones ("handtucher" and "handtücher" both give "handtuch"), which is what the index
holds. simplemma was measured as the lemmatizer (docs/benchmarks.md): its dictionaries take about 860 MB of
memory and 6 s to load for these eight languages, too much for every process of the service.

Stems are cached per (word, language): the vocabulary is stemmed once per index, a guest's word once per
process. The stemmers keep state between calls, so each call holds a lock.
"""

from functools import lru_cache
from threading import Lock

import snowballstemmer

from knowledge.lexicon import DATA, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_file

SNOWBALL: dict[str, str] = {
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "de": "german",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
    "pl": "polish",
}
# Shorter stems say too little ("gar": French "garer", to park, and "gare", station): a word is only stemmed
# from this length, a stem kept from 4 letters.
MIN_WORD = 4
MIN_STEM = 4
MIN_REGULAR = 5  # the shortest plain word a regular form is read as (knowledge/data/inflections.yaml)

_STEMMERS = {language: snowballstemmer.stemmer(name) for language, name in SNOWBALL.items()}
_LOCK = Lock()


@lru_cache(maxsize=65536)
def stem(word: str, language: str) -> str | None:
    """The stem of a folded word in `language`; None without a stemmer, for short words or too short stems."""
    stemmer = _STEMMERS.get(language)
    if stemmer is None or len(word) < MIN_WORD or not word.isalpha():
        return None
    with _LOCK:
        found: str = stemmer.stemWord(word)
    return found if len(found) >= MIN_STEM else None


# Diminutive endings per language, longest first: (diminutive ending, the plain word's ending).
DIMINUTIVES: dict[str, tuple[tuple[str, str], ...]] = {
    language: tuple(
        sorted((tuple(e.split("=", 1)) for e in endings), key=lambda pair: len(pair[0]), reverse=True)  # type: ignore[misc]
    )
    for language, endings in language_file(DATA / "diminutives.yaml", SUPPORTED_LANGUAGES).items()
}


@lru_cache(maxsize=65536)
def plain_forms(word: str, language: str) -> tuple[str, ...]:
    """The plain words a folded diminutive may stand for ("basenik" → "basen", "autko" → "auto"), each at least
    `MIN_WORD` letters; empty for a word with no diminutive ending of its language."""
    found = []
    for ending, plain in DIMINUTIVES.get(language, ()):
        if word.endswith(ending) and len(word) - len(ending) + len(plain) >= MIN_WORD:
            found.append(word[: len(word) - len(ending)] + plain)
    return tuple(dict.fromkeys(found))


# Regular inflection endings per language, longest first: (inflected ending, the plain word's ending).
INFLECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    language: tuple(
        sorted((tuple(e.split("=", 1)) for e in endings), key=lambda pair: len(pair[0]), reverse=True)  # type: ignore[misc]
    )
    for language, endings in language_file(DATA / "inflections.yaml", SUPPORTED_LANGUAGES).items()
}


@lru_cache(maxsize=65536)
def regular_bases(word: str, language: str) -> frozenset[str]:
    """The plain words a folded word is a regular form of ("cancelled" → "cancel", "parties" → "party"), each at
    least `MIN_REGULAR` letters; empty for a language without regular endings. A shorter word is too often another
    word's form as well ("parks": somewhere to play, not to leave the car)."""
    return frozenset(
        word[: len(word) - len(ending)] + plain
        for ending, plain in INFLECTIONS.get(language, ())
        if word.endswith(ending) and len(word) - len(ending) + len(plain) >= MIN_REGULAR
    )
