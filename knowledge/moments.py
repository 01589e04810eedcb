"""Moments: a topic's name used only to say when ("where can we leave the bags after check-out?") is no subject.

A guest often places a question in time with another topic's word: "onde posso deixar as malas depois do check-out?",
"waar kan ik mijn koffers laten na het uitchecken?", "退房以后行李可以寄存吗？". Both topics rank alike, and asking "is
your question about check-out or luggage?" leaves the guest's next message ("and how much?") with two earlier topics to
choose from. The word right after "after", "before", "until" of the message's language or English (before it in
Japanese and Chinese: `knowledge/data/moments.yaml`) says when; the other topic is what is asked.
"""

import re
from collections.abc import Sequence
from functools import cache

from concierge.core.text import fold
from knowledge.choice import THIN
from knowledge.index import CJK
from knowledge.lexicon import DATA, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_words, load_yaml_data, mapping
from knowledge.retrieval import Candidate

_PATH = DATA / "moments.yaml"


Words = dict[str, tuple[str, ...]]


def _load() -> tuple[Words, Words, Words]:
    node = mapping(_PATH, load_yaml_data(_PATH), ["before", "after", "who"], "section")
    before = language_words(_PATH, node["before"], SUPPORTED_LANGUAGES, required=False)
    after = language_words(_PATH, node["after"], SUPPORTED_LANGUAGES, required=False)
    who = language_words(_PATH, node["who"], SUPPORTED_LANGUAGES, required=False)
    return before, after, who


BEFORE, AFTER, WHO = _load()


@cache
def _pattern(matched: str, language: str) -> re.Pattern[str]:
    """The topic's matched words placed as a moment: after a "before" word, or followed by an "after" one."""
    word = re.escape(fold(matched))
    langs = dict.fromkeys((language, "en"))
    before = sorted({fold(w) for lang in langs for w in BEFORE.get(lang, ())}, key=len, reverse=True)
    after = sorted({fold(w) for lang in langs for w in AFTER.get(lang, ())}, key=len, reverse=True)
    who = sorted({fold(w) for lang in langs for w in WHO.get(lang, ())}, key=len, reverse=True)
    doer = rf"(?:(?:{'|'.join(re.escape(w) for w in who)})\s+)?" if who else ""  # "after we check out"
    parts = []
    if before:
        # An inflected ending is still the same word ("przed zameldowaniem", "vor dem Check-ins"), not a longer one.
        parts.append(rf"(?<!\w)(?:{'|'.join(re.escape(w) for w in before)})\s+{doer}{word}\w{{0,3}}(?!\w)")
    if after:
        parts.append(rf"{word}\s*(?:{'|'.join(re.escape(w) for w in after)})")
    return re.compile("|".join(parts)) if parts else re.compile(r"(?!x)x")


def is_moment(message: str, matched: str, language: str) -> bool:
    """Whether the words that ranked a topic only say when, in this message ("after check-out", "退房以后")."""
    if not matched or matched.startswith("("):
        return False
    if CJK.search(matched) and not CJK.search(message):
        return False
    return _pattern(matched, language).search(fold(message)) is not None


def subject(close: Sequence[Candidate], message: str, language: str) -> Candidate | None:
    """Of two close topics we would ask about, the one that is asked when the other's words only say when ("the
    bags after check-out": the luggage); None unless exactly one of them is a moment and the other names a subject."""
    if len(close) != 2:
        return None
    moments = [c for c in close if is_moment(message, c.matched, language)]
    others = [c for c in close if c not in moments]
    if len(moments) != 1 or others[0].source in THIN:
        return None
    return others[0]
