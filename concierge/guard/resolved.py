"""Problems that are not happening now: over ("the leak from yesterday is fixed, thanks! how do the radiators work?")
or asked about in case they ever happen ("what do we do if the smoke alarm goes off?").

A sentence with a word that says a problem was dealt with (`data/resolved.yaml`: "fixed", "réparée", "behoben"), or
that asks what to do if it happened (`hypothetical`: "what should we do if", "au cas où", "nur für den fall"), and none
that says something is happening now or again, or brings in another problem with a "but", is left out before floods,
fires and gas are matched. Everything else in the message is screened as before, so a new emergency told after the old
one ("the plumber fixed the sink. Now water is coming through the ceiling") still raises the alarm.
"""

import re
from functools import cache
from pathlib import Path

from concierge.guard.phrases import CJK, phrase_pattern
from knowledge.lexicon import SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_words, load_yaml_data, mapping
from knowledge.policy import Category

PATH = Path(__file__).parent / "data" / "resolved.yaml"
# Hazards of the house that a guest reports as over, and the word "emergency" in a question about one ("what number
# do we call if there's ever an emergency?"); a person's health is never read as over.
RESOLVABLE = frozenset({Category.flood, Category.fire, Category.gas, Category.emergency})
SECTIONS = ("resolved", "hypothetical", "still")
SENTENCE = re.compile(r"[^.!?;\n。！？]+[.!?;\n。！？]*")


def _load(path: Path = PATH) -> dict[str, tuple[str, ...]]:
    root = mapping(path, load_yaml_data(path), SECTIONS, "section")
    found = {name: language_words(path, node, SUPPORTED_LANGUAGES) for name, node in root.items()}
    return {name: tuple(w for ws in found[name].values() for w in ws) for name in SECTIONS}


WORDS = _load()
RESOLVED, HYPOTHETICAL, STILL = (WORDS[name] for name in SECTIONS)


@cache
def _pattern(which: str) -> re.Pattern[str]:
    phrases = WORDS[which]
    plain = [phrase_pattern(p) for p in phrases if not CJK.search(p)]
    cjk = [re.escape(p) for p in phrases if CJK.search(p)]
    return re.compile("|".join(plain + cjk))


def _calm(sentence: str, which: str) -> bool:
    rest = _pattern(which).sub(" ", sentence)  # "all good now" says nothing is happening now
    return rest != sentence and _pattern("still").search(rest) is None


def is_over(sentence: str) -> bool:
    """Whether a (folded) sentence says a problem was dealt with, and nothing about now, again or another one."""
    return _calm(sentence, "resolved")


def is_hypothetical(sentence: str) -> bool:
    """Whether a (folded) sentence asks what to do if something happened, and says nothing is happening now."""
    return _calm(sentence, "hypothetical")


def without_resolved(folded: str) -> str:
    """The folded text without its sentences about a problem that is over or only asked about."""
    return "".join(s for s in SENTENCE.findall(folded) if not (is_over(s) or is_hypothetical(s)))
