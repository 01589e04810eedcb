"""Whether a guest asks plainly for something the rule entry forbids (`data/forbidden.yaml`, issue #17, point 7).

"Posso accendere qualche candela?", "可以搭帐篷吗": no wording of tolerance, but the house rules say "do not light
candles", "no tents in the garden". The message asks permission for itself and names a thing that every sentence of
the entry naming it, in any of the entry's languages, forbids: a request to bend the rule, for a person to decide.
"Can we smoke on the balcony?" where the entry says "no smoking inside; you can smoke on the balcony" is answered.
"""

import re
from collections.abc import Iterable
from functools import cache

from concierge.core.text import fold
from concierge.guard.lexicon import DATA
from knowledge.index import phrase_pattern
from knowledge.lexicon import SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_words, load_yaml_data, mapping

_PATH = DATA / "forbidden.yaml"
_SENTENCE = re.compile(r"[^.!?;:。！？；]+")


def _load() -> tuple[dict[str, tuple[str, ...]], tuple[str, ...], dict[str, tuple[str, ...]]]:
    node = mapping(_PATH, load_yaml_data(_PATH), ["asking", "prohibits", "acts"], "section")
    asking = language_words(_PATH, node["asking"], SUPPORTED_LANGUAGES)
    prohibits = tuple(w for ws in language_words(_PATH, node["prohibits"], SUPPORTED_LANGUAGES).values() for w in ws)
    acts = mapping(_PATH, node["acts"], [str(k.value) for k, _ in node["acts"].value], "act")
    return (
        asking,
        prohibits,
        {
            name: tuple(w for ws in language_words(_PATH, by, SUPPORTED_LANGUAGES).values() for w in ws)
            for name, by in acts.items()
        },
    )


ASKING, PROHIBITS, ACTS = _load()


@cache
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    pattern = phrase_pattern(fold(w) for w in words)
    assert pattern is not None
    return pattern


def _asks(folded: str, language: str) -> bool:
    return _pattern((*ASKING.get(language, ()), *ASKING["en"])).search(folded) is not None


def forbids(message: str, texts: Iterable[str], *, language: str) -> bool:
    """Whether the message asks permission for a thing that every sentence of the entry (`texts`: its content in
    each language) naming that thing forbids."""
    folded = fold(message)
    if not _asks(folded, language):
        return False
    sentences = [s for text in texts for s in _SENTENCE.findall(fold(text))]
    refusing = _pattern(PROHIBITS)
    for words in ACTS.values():
        named = _pattern(words)
        if not named.search(folded):
            continue
        naming = [s for s in sentences if named.search(s)]
        if naming and all(refusing.search(s) for s in naming):
            return True
    return False
