"""Things an entry often mentions and a guest asks about next ("and the keys?", "e le chiavi?", "瓶は？"): their
words in every language (`knowledge/data/things.yaml`), and which of them a text names, in any language, so an entry
written only in English still answers an Italian follow-up about the same thing (`knowledge/follow_ups.py`)."""

import re
from collections.abc import Iterable
from functools import cache

from concierge.core.text import fold
from knowledge.index import phrase_pattern, words_of
from knowledge.lexicon import DATA, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_words, load_yaml_data, mapping

_THINGS_PATH = DATA / "things.yaml"


def _load_things() -> tuple[dict[str, tuple[str, ...]], dict[str, frozenset[str]]]:
    """The endings that ask "and the …?" per language, and each thing's words in every language (folded)."""
    node = mapping(_THINGS_PATH, load_yaml_data(_THINGS_PATH), ["endings", "things"], "section")
    endings = language_words(_THINGS_PATH, node["endings"], SUPPORTED_LANGUAGES, required=False)
    things = mapping(_THINGS_PATH, node["things"], [str(k.value) for k, _ in node["things"].value], "thing")
    return endings, {
        name: frozenset(fold(w) for ws in language_words(_THINGS_PATH, by, SUPPORTED_LANGUAGES).values() for w in ws)
        for name, by in things.items()
    }


ENDINGS, THINGS = _load_things()


@cache
def thing_pattern() -> tuple[re.Pattern[str], dict[str, frozenset[str]]]:
    """One pattern for every thing's words, longest first (so "hair dryer" is not also a "dryer"), and which things
    each word names."""
    owners: dict[str, set[str]] = {}
    for name, names in THINGS.items():
        for word in names:
            owners.setdefault(word, set()).add(name)
    pattern = phrase_pattern(owners)
    assert pattern is not None
    return pattern, {word: frozenset(found) for word, found in owners.items()}


def things_named(text: str) -> frozenset[str]:
    """The things of `things.yaml` a text names, in any language ("e le chiavi?" → keys)."""
    pattern, owners = thing_pattern()
    return frozenset(name for match in pattern.finditer(fold(text)) for name in owners.get(match.group(0), ()))


def own_words(text: str, message: str) -> set[str]:
    """The words of an entry's text, less those inside the name of a thing the message does not name: after the
    pool's "use the beach towels", "what about the beach?" asks about the beach, not about the pool."""
    pattern, owners = thing_pattern()
    named = things_named(message)

    def keep(match: re.Match[str]) -> str:
        word = match.group(0)
        return word if " " not in word or owners.get(word, frozenset()) & named else " "

    return set(words_of(pattern.sub(keep, text)))


def unnamed(words: Iterable[str], texts: Iterable[str]) -> list[str]:
    """The words naming a thing of `things.yaml` that none of `texts` names in any language: "hay sombrillas en la
    casa?" to a house whose list of what it has names no umbrella, though umbrellas are the amenities' word."""
    texts = list(texts)
    given = frozenset().union(*(things_named(text) for text in texts))
    # A word the texts hold as written is named, whatever thing its plural looks like ("tapas" is no "tapa", a lid).
    written = frozenset().union(*(words_of(fold(text)) for text in texts))
    return [
        word
        for word in words
        if (found := things_named(word) or _thing_of(word)) and not found & given and not set(words_of(word)) <= written
    ]


# A word this many letters longer than a thing's word is its plural ("sombrillas", "parasols", "fietshelmen" is not).
PLURAL = 2


def _thing_of(word: str) -> frozenset[str]:
    """The things one word names, as written or as a plural of the thing's word."""
    _pattern, owners = thing_pattern()
    return owners.get(word) or next(
        (found for w, found in owners.items() if word.startswith(w) and 0 < len(word) - len(w) <= PLURAL), frozenset()
    )


def given_words(text: str, texts: Iterable[str]) -> frozenset[str]:
    """The words of `text` that name a thing of `things.yaml` one of `texts` names in any language: "gdzie jest drewno
    do kominka?" to an English entry's "wood stove: logs are in the shed" (a phrase's words all: "máquina de secar")."""
    given = frozenset().union(*(things_named(t) for t in texts))
    if not given:
        return frozenset()
    pattern, owners = thing_pattern()
    named = {
        w
        for m in pattern.finditer(fold(text))
        if owners.get(m.group(0), frozenset()) & given
        for w in words_of(m.group(0))
    }
    return frozenset(named | {w for w in words_of(text) if _thing_of(w) & given})


def named_by_one(texts: dict[str, str], word: str, exclude: Iterable[str]) -> str | None:
    """The one entry (of `texts`, by topic, outside `exclude`) whose text names the thing `word` names: "is there an
    iron?" where the lexicon's word is the laundry's and the flat lists its iron among what it has. None unless
    exactly one entry names it."""
    asked = things_named(word) or _thing_of(word)
    found = [t for t, text in texts.items() if t not in exclude and asked and asked & things_named(text)]
    return found[0] if len(found) == 1 else None
