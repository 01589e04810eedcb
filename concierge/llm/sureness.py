"""The offline-first rule: is the offline matcher sure of one self-contained question? Only then is the model skipped.

Sure means: retrieval selected one specific topic above the confidence, the message asks one question (at most one
question mark, no word that joins a second one), asks about the guest's general case (no number of their own: "can
we stay till 2?" is an exception), and holds none of the phrases of `data/sureness.yaml`: a word pointing back at the
conversation (when there is one), a negation ("we won't have a car, how do we get …"), a problem report phrased as
a question ("why is there no hot water?"), or a request that the team do something ("can you call us a taxi?");
and the entry mentions, in one of its languages, every word the guest named ("is the pool **heated**?" is not
answered by the pool's opening hours). Anything else goes to the model, which sees the whole knowledge base and
the conversation; measured by `scripts/eval_offline_first.py` (docs/evals.md).
"""

import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from concierge.llm.types import ResponseRequest
from knowledge.index import CJK, COMMON, is_prefix, tokens
from knowledge.lexicon import KEYWORDS, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_words, load_yaml_data, mapping
from knowledge.stems import stem

DATA = Path(__file__).parent / "data" / "sureness.yaml"
SECTIONS = ("back", "joins", "negations", "not_negations", "problems", "requests", "framing")
# Topics whose entry is a list (places nearby, equipment, rules): the matcher can tell the guest asks about the
# topic, not whether the list holds what they ask for ("a Chinese supermarket?"). A model reads the list.
BROAD_TOPICS = frozenset({"local_tips", "amenities", "kitchen", "house_rules", "emergency"})
_QUESTION = re.compile(r"[?？]")
# A number of the guest's own: digits, or a time written in Chinese or Japanese numerals ("下午两点", "十時").
_DIGIT = re.compile(r"\d|[一二三四五六七八九十两半][点點時时]")
MIN_NAMED = 3  # letters: "app", "pay" name a detail; shorter words say too little


def _pattern(phrases: list[str]) -> re.Pattern[str]:
    """Phrases as one regex (one alternation per kind, so a message is scanned a few times, not once per phrase):
    CJK as substrings; others at word boundaries, `word*` as a prefix, `*word` as a suffix."""
    groups: dict[tuple[str, str], list[str]] = {}
    for phrase in phrases:
        if CJK.search(phrase):
            head, tail = "", ""
        else:
            head = r"\w*" if phrase.startswith("*") else r"(?<!\w)"
            tail = r"\w*" if phrase.endswith("*") else (r"(?!\w)" if re.search(r"\w$", phrase) else "")
        body = r"\s+".join(re.escape(w) for w in phrase.strip("*").split())
        groups.setdefault((head, tail), []).append(body)
    alternatives = [
        f"{head}(?:{'|'.join(sorted(bodies, key=len, reverse=True))}){tail}" for (head, tail), bodies in groups.items()
    ]
    return re.compile("|".join(alternatives))


@cache
def _rules() -> dict[str, re.Pattern[str]]:
    """One pattern per section, every language's phrases at once."""
    root = mapping(DATA, load_yaml_data(DATA), SECTIONS, "section")
    rules = {}
    for section, node in root.items():
        if section == "framing":
            continue  # words, not phrases: _framing()
        phrases = [p for words in language_words(DATA, node, SUPPORTED_LANGUAGES).values() for p in words]
        rules[section] = _pattern([p.lower() for p in phrases])
    return rules


@cache
def _framing() -> frozenset[str]:
    """The framing words of every language, folded like the message's words."""
    root = mapping(DATA, load_yaml_data(DATA), SECTIONS, "section")
    return frozenset(
        w
        for words in language_words(DATA, root["framing"], SUPPORTED_LANGUAGES).values()
        for p in words
        for w in tokens(p)
    )


def _text(message: str) -> str:
    return message.lower().replace("\u2019", "'").replace("\u2018", "'")


def holds(section: str, message: str) -> bool:
    """Whether the message holds a phrase of that section of `data/sureness.yaml` (negations net of idioms)."""
    rules = _rules()
    text = _text(message)
    if section == "negations":
        text = rules["not_negations"].sub(" ", text)
    return bool(rules[section].search(text))


@lru_cache(maxsize=4096)  # one per entry text in use: versions are immutable
def _entry_words(topic: str, texts: tuple[str, ...]) -> frozenset[str]:
    """The words an entry answers with or is asked by: its texts and title in every language, its topic's lexicon."""
    found = {w for text in texts for w in tokens(text)}
    found.update(w for words in KEYWORDS.get(topic, {}).values() for phrase in words for w in tokens(phrase))
    return frozenset(found)


@lru_cache(maxsize=4096)
def _entry_stems(topic: str, texts: tuple[str, ...], language: str) -> frozenset[str | None]:
    """The stems of the entry's words in the guest's language (an entry's words are stemmed once per version)."""
    return frozenset(stem(w, language) for w in _entry_words(topic, texts))


def unnamed(message: str, entry: dict[str, Any], *, language: str) -> list[str]:
    """The words the guest named that the entry never mentions ("is the pool **heated**?", "is the parking
    **guarded**?"): the matcher is sure of the topic, not that the entry holds this detail. Japanese and Chinese
    messages have no word boundaries to compare: none is reported for them."""
    if CJK.search(message):
        return []
    texts = (*entry.get("content", {}).values(), str(entry.get("title", "")))
    known = _entry_words(entry["topic"], texts)
    stems = _entry_stems(entry["topic"], texts, language)
    missing = []
    for word in tokens(message):
        if len(word) < MIN_NAMED or word in COMMON or word in _framing() or not word.isalpha() or word in known:
            continue
        if any(is_prefix(word, k) for k in known) or (stem(word, language) or "-") in stems:
            continue
        missing.append(word)
    return missing


def sure_of_one(request: ResponseRequest, *, confidence: float) -> bool:
    """The offline matcher is sure of one self-contained question (see the module's docstring)."""
    if len(request.entries) != 1 or request.confidence < confidence:
        return False
    if request.entries[0]["topic"] in BROAD_TOPICS or _DIGIT.search(request.text):
        return False
    if len(_QUESTION.findall(request.text)) > 1:
        return False
    if request.history and holds("back", request.text):
        return False
    if any(holds(section, request.text) for section in ("joins", "negations", "problems", "requests")):
        return False
    return not unnamed(request.text, request.entries[0], language=request.language)
