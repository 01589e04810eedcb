"""An emergency told as the reason a stay is called off (`data/called_off.yaml`, issue #17, point 7).

"We had to cancel because of a medical emergency, my wife broke her leg. Can we get a refund?" names an illness and
the word "emergency", but nothing is happening at the property: the guest is not coming and asks for money back. In
a message that asks for a refund or to cancel and says the trip is off, illness and the bare word "emergency" are the
story of the request, and the refund is for a person to decide. Fires, gas, floods and break-ins are never set aside,
nor is an illness in a message that asks for no refund and no cancellation: "my father collapsed, he is not
breathing" still raises the alarm.
"""

import re
from functools import cache
from pathlib import Path

from concierge.guard.phrases import Signal, phrase_pattern
from knowledge.lexicon import SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_words, load_yaml_data, mapping
from knowledge.policy import Category

PATH = Path(__file__).parent / "data" / "called_off.yaml"
SECTIONS = ("calling_off", "plea")
_ROOT = mapping(PATH, load_yaml_data(PATH), SECTIONS, "section")
WORDINGS = {name: language_words(PATH, _ROOT[name], SUPPORTED_LANGUAGES) for name in SECTIONS}
# What a guest asks for when a stay is called off, and the signals its reason can raise.
ASKED = frozenset({Category.refund, Category.cancellation})
REASONS = frozenset({Category.medical, Category.emergency})


@cache
def _pattern(section: str, language: str) -> re.Pattern[str]:
    words = WORDINGS[section]
    phrases = dict.fromkeys((*words.get(language, ()), *words.get("en", ())))
    return re.compile("|".join(phrase_pattern(p) for p in phrases))


def calls_off(folded: str, *, language: str) -> bool:
    """Whether a (folded) message says the trip is off: cancelled, or the guests cannot come."""
    return _pattern("calling_off", language).search(folded) is not None


def pleads(folded: str, *, language: str) -> bool:
    """Whether a (folded) message cries for help now ("help!", "ambulance", "ayuda")."""
    return _pattern("plea", language).search(folded) is not None


def without_told_reasons(folded: str, signals: list[Signal], *, language: str) -> list[Signal]:
    """The signals without an illness or an "emergency" told as the reason a stay is called off, when the message
    asks for a refund or to cancel and cries for no help now; unchanged otherwise."""
    found = {s.category for s in signals}
    if not (found & ASKED and found & REASONS) or not calls_off(folded, language=language):
        return signals
    if pleads(folded, language=language):
        return signals
    return [s for s in signals if s.category not in REASONS]
