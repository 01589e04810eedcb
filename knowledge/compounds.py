"""German and Dutch words built of others: compounds read as their parts, separable verbs joined again.

"Parkplatzgebühr" is a parking fee and "Waschmaschinenpulver" the washing machine's powder: their first word is the
subject, and the head only says what about it is asked (a fee, a powder: `knowledge/data/compounds.yaml`), so the
first word counts as if written apart. Where the head is itself a word of the knowledge base ("afvalcontainer",
"Mülltonne") both count. A head alone says nothing: the first word may change what it is ("Kinderwagen" is a pram,
not a car; "wasstraat" a car wash, not a street). A hyphenated word nothing knows ("WLAN-Kennwort") is its parts.

A separable verb's prefix stands at the end of a main clause ("wann kommen wir an?", "hoe komen we binnen?"): joined
again to a word of its clause, it is the verb the lexicon knows ("ankommen", "binnenkomen"). And a word that is
another with a prefix ("fahren" / "abfahren") is another verb, not a typo of it.
"""

import re
from collections.abc import Callable

from concierge.core.text import fold
from knowledge.lexicon import DATA, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_words, load_yaml_data, mapping

_PATH = DATA / "compounds.yaml"
_NODE = mapping(_PATH, load_yaml_data(_PATH), ["links", "heads", "particles", "clause_starts"], "part")
LINKS: dict[str, tuple[str, ...]] = {
    language: ("", *(fold(w) for w in found))
    for language, found in language_words(_PATH, _NODE["links"], SUPPORTED_LANGUAGES, required=False).items()
}
HEADS: dict[str, frozenset[str]] = {
    language: frozenset(fold(w) for w in found)
    for language, found in language_words(_PATH, _NODE["heads"], SUPPORTED_LANGUAGES, required=False).items()
}
PARTICLES: dict[str, frozenset[str]] = {
    language: frozenset(fold(w) for w in found)
    for language, found in language_words(_PATH, _NODE["particles"], SUPPORTED_LANGUAGES, required=False).items()
}
_CLAUSES = re.compile(r"[,.;:!?？\n()]+")
CLAUSE_STARTS: dict[str, frozenset[str]] = {
    language: frozenset(fold(w) for w in found)
    for language, found in language_words(_PATH, _NODE["clause_starts"], SUPPORTED_LANGUAGES, required=False).items()
}
# A compound's parts: the first from 4 letters ("Auto"), the head from 3 ("Tor"); the whole from 7 letters.
FIRST = 4
HEAD = 3
SHORTEST = 7


def parts(token: str, language: str | None, known: Callable[[str], bool]) -> list[tuple[str, float]]:
    """The known words a compound `token` is made of, with how much each counts (1.0: as if written apart); empty
    when it is no compound of known words. `known(word)` says whether the knowledge base knows a word."""
    links = LINKS.get(language or "")
    if links is None:
        return []
    if "-" in token:
        return [(part, 1.0) for part in token.split("-") if len(part) >= FIRST - 1 and known(part)]
    if len(token) < SHORTEST or not token.isalpha():
        return []
    heads = HEADS.get(language or "", frozenset())
    for cut in range(len(token) - HEAD, FIRST - 1, -1):  # the longest first word first: "waschmaschine" before "wasch"
        first, head = token[:cut], token[cut:]
        for link in links:
            if not first.endswith(link) or len(first) - len(link) < FIRST:
                continue
            base = first[: len(first) - len(link)] if link else first
            if known(base) and (head in heads or known(head)):
                return [(base, 1.0)] + ([(head, 1.0)] if known(head) else [])
    return []


def joined_verbs(folded: str, language: str | None, known: Callable[[str], bool]) -> list[str]:
    """The separable verbs of a (folded) message whose prefix ends a clause, joined again where the knowledge base
    knows the verb: "wo stellen wir das auto ab" → "abstellen"."""
    particles = PARTICLES.get(language or "")
    if not particles:
        return []
    starts = CLAUSE_STARTS.get(language or "", frozenset())
    found = []
    for sentence in _CLAUSES.split(folded):
        words = sentence.split()
        words = words[: next((i for i, w in enumerate(words) if i and w in starts), len(words))]
        if len(words) < 2 or words[-1] not in particles:
            continue
        found += [words[-1] + w for w in words[:-1] if w.isalpha() and len(w) >= 3 and known(words[-1] + w)]
    return found


def prefixed(token: str, word: str, language: str | None) -> bool:
    """Whether one word is the other with a prefix ("fahren" / "abfahren", "komen" / "binnenkomen") in a language
    that builds verbs so: another word, not a typo."""
    return language in LINKS and len(token) != len(word) and (token.endswith(word) or word.endswith(token))


def is_particle(word: str, language: str | None) -> bool:
    """Whether a word is a separable prefix of the language ("binnen"), not a verb cut short ("binnenkomen")."""
    return word in PARTICLES.get(language or "", frozenset())
