"""Requests for a service the concierge cannot perform ("could you book us a table for 4 tonight?", "can you order
us a taxi for 6am", "please call the restaurant for us"): no entry performs a service, so a person is asked, never a
loosely matching entry quoted (`knowledge/data/services.yaml`)."""

import re
from functools import cache

import yaml

from concierge.core.text import fold
from knowledge.index import words_of
from knowledge.lexicon import DATA

_DATA = yaml.safe_load((DATA / "services.yaml").read_text(encoding="utf-8"))
_CLAUSE = re.compile(r"[,.;:!?¿¡，。！？]")


@cache
def _frames(language: str) -> tuple[tuple[tuple[str, ...], ...], tuple[list[str], ...], int]:
    """The language's frames and verbs, each as its words ("drop off": ["drop", "off"]; "reserv*": ["reserv*"])."""
    frames = tuple(tuple(words_of(f)) for f in _DATA["frames"].get(language, ()))
    verbs = tuple(fold(v).split() for v in _DATA["verbs"].get(language, ()))
    return frames, verbs, _DATA["reach"].get(language, _DATA["reach"]["default"])


def _is_verb(words: list[str], at: int, verbs: tuple[list[str], ...]) -> bool:
    for verb in verbs:
        if len(verb) == 1 and verb[0].endswith("*"):
            if words[at].startswith(verb[0][:-1]):
                return True
        elif words[at : at + len(verb)] == verb:
            return True
    return False


def asks_service(message: str, language: str) -> bool:
    """Whether the message asks the host (you, someone) to book, order, call, bring or arrange something: a service
    frame followed by a service verb within reach in one clause, in the guest's language or English."""
    folded = fold(message)
    if any(phrase in folded for phrase in _DATA["phrases"].get(language, ())):  # Chinese, Japanese: as written
        return True
    for lang in dict.fromkeys((language, "en")):
        frames, verbs, reach = _frames(lang)
        for clause in _CLAUSE.split(message):
            words = words_of(clause)
            for i in range(len(words)):
                for frame in frames:
                    if tuple(words[i : i + len(frame)]) == frame:
                        end = i + len(frame)
                        if any(_is_verb(words, j, verbs) for j in range(end, min(end + reach, len(words)))):
                            return True
    return False
