"""Problems the guest says are over: "the leak from yesterday is fixed, thanks! how do the radiators work?".

A sentence with a word that says a problem was dealt with (`data/resolved.yaml`: "fixed", "réparée", "behoben") and
none that says something is happening now or again, or brings in another problem with a "but", is left out before
floods, fires and gas are matched. Everything else in the message is screened as before, so a new emergency told
after the old one ("the plumber fixed the sink. Now water is coming through the ceiling") still raises the alarm.
"""

import re
from functools import cache
from pathlib import Path

from concierge.guard.phrases import CJK, phrase_pattern
from knowledge.lexicon import SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_words, load_yaml_data, mapping
from knowledge.policy import Category

PATH = Path(__file__).parent / "data" / "resolved.yaml"
# Hazards of the house that a guest reports as over; a person's health is never read as over.
RESOLVABLE = frozenset({Category.flood, Category.fire, Category.gas})
_SENTENCE = re.compile(r"[^.!?;\n。！？]+[.!?;\n。！？]*")


def _load(path: Path = PATH) -> tuple[tuple[str, ...], tuple[str, ...]]:
    root = mapping(path, load_yaml_data(path), ("resolved", "still"), "section")
    found = {name: language_words(path, node, SUPPORTED_LANGUAGES) for name, node in root.items()}
    resolved, still = (tuple(w for ws in found[name].values() for w in ws) for name in ("resolved", "still"))
    return resolved, still


RESOLVED, STILL = _load()


@cache
def _pattern(which: str) -> re.Pattern[str]:
    phrases = RESOLVED if which == "resolved" else STILL
    plain = [phrase_pattern(p) for p in phrases if not CJK.search(p)]
    cjk = [re.escape(p) for p in phrases if CJK.search(p)]
    return re.compile("|".join(plain + cjk))


def is_over(sentence: str) -> bool:
    """Whether a (folded) sentence says a problem was dealt with, and nothing about now, again or another one."""
    rest = _pattern("resolved").sub(" ", sentence)  # "all good now" says nothing is happening now
    return rest != sentence and _pattern("still").search(rest) is None


def without_resolved(folded: str) -> str:
    """The folded text without its sentences about a problem that is over."""
    return "".join(s for s in _SENTENCE.findall(folded) if not is_over(s))
