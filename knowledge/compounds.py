"""German and Dutch compounds: a word nothing in the knowledge base knows, read as the words it is made of.

"Parkplatzgebühr" is a parking fee and "Waschmaschinenpulver" the washing machine's powder: their first word is the
subject, and the head only says what about it is asked (a fee, a powder: `knowledge/data/compounds.yaml`), so the
first word counts as if written apart. Where the head is itself a word of the knowledge base ("afvalcontainer",
"Mülltonne") both count. A compound whose head alone is known ("Fußbodenheizung", "vloerverwarming") names a kind
of that thing, but the first word may change what it is ("Kinderwagen" is a pram, not a car): the head counts as
`HEAD_SCORE`, an answer on its own only when nothing else in the message is unknown. A hyphenated word nothing
knows ("WLAN-Kennwort") is read as its parts in every language.
"""

from collections.abc import Callable

from concierge.core.text import fold
from knowledge.lexicon import DATA, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_words, load_yaml_data, mapping

_PATH = DATA / "compounds.yaml"
_NODE = mapping(_PATH, load_yaml_data(_PATH), ["links", "heads"], "part")
LINKS: dict[str, tuple[str, ...]] = {
    language: ("", *(fold(w) for w in found))
    for language, found in language_words(_PATH, _NODE["links"], SUPPORTED_LANGUAGES, required=False).items()
}
HEADS: dict[str, frozenset[str]] = {
    language: frozenset(fold(w) for w in found)
    for language, found in language_words(_PATH, _NODE["heads"], SUPPORTED_LANGUAGES, required=False).items()
}
# A compound's parts: the first from 4 letters ("Auto"), the head from 3 ("Tor") when known, a known head alone from
# 5 ("Heizung"; "Bahn" in "Autobahn" is another word); the whole from 7 letters.
FIRST = 4
HEAD = 3
KNOWN_HEAD = 5
SHORTEST = 7
HEAD_SCORE = 0.75


def parts(token: str, language: str | None, known: Callable[[str], bool]) -> list[tuple[str, float]]:
    """The known words a compound `token` is made of, with how much each counts (1.0: as if written apart); empty
    when it is no compound of known words. `known(word)` says whether the knowledge base knows a word."""
    if "-" in token:
        return [(part, 1.0) for part in token.split("-") if len(part) >= FIRST - 1 and known(part)]
    links = LINKS.get(language or "")
    if links is None or len(token) < SHORTEST or not token.isalpha():
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
    for cut in range(FIRST - 1, len(token) - KNOWN_HEAD + 1):
        head = token[cut:]
        if known(head):
            return [(head, HEAD_SCORE)]
    return []
