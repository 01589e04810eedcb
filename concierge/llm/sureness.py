"""The offline-first rule: is the offline matcher sure of one self-contained question? Only then is the model skipped.

Sure means, on principles that hold for any guest message (phrases per language in `data/sureness.yaml`):
- one topic by a clear margin: retrieval selected one specific topic above the confidence, and no weaker candidate
  came close enough to be offered to a model (`request.related`);
- a short question: worded as one (a question mark, an opening question word, a Japanese or Chinese question
  ending), at most `MAX_WORDS` words, one clause that names something ("hi, where do we park?" is one; "can we
  bring the car, where is the parking?" is two), no word that joins a second question;
- self-contained: no word pointing back at the conversation, no fragment completing an earlier turn ("avec un
  écran ?"), no earlier guest message that set the scene ("my mother uses a wheelchair") and no question of ours
  the message answers;
- the guest's general case: no number of their own ("can we stay till 2?" is an exception), no negation, problem
  or doubt ("why is there no hot water?", "is that normal?", "keeps getting rejected"), no condition or comparison
  ("is it ok if …", "… instead", "the tram or a taxi, which is quicker?"), no request that the team act;
- covered: the entry mentions, in one of its languages or its topic's lexicon, every word the guest named (each
  kanji, hanzi and katakana in Japanese and Chinese): "is the pool **heated**?" is not answered by its hours.
Anything else goes to the model, which sees the whole knowledge base and the conversation; measured by
`scripts/eval_offline_first.py` (docs/evals.md).
"""

import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from concierge.llm.types import ResponseRequest
from knowledge.index import CJK, COMMON, is_prefix, tokens, words_of
from knowledge.lexicon import CONCEPTS, KEYWORDS, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_words, load_yaml_data, mapping
from knowledge.stems import stem

DATA = Path(__file__).parent / "data" / "sureness.yaml"
SECTIONS = (
    "back",
    "joins",
    "negations",
    "not_negations",
    "problems",
    "requests",
    "framing",
    "conditions",
    "doubts",
    "questions",
)
# Topics whose entry is a list (places nearby, equipment, rules): the matcher can tell the guest asks about the
# topic, not whether the list holds what they ask for ("a Chinese supermarket?"). A model reads the list.
BROAD_TOPICS = frozenset({"local_tips", "amenities", "kitchen", "house_rules", "emergency"})
_QUESTION = re.compile(r"[?？]")
_ASKS = re.compile(r"[?？❓]")
# Where one clause ends and another begins: sentence and clause punctuation, or a space between CJK characters
# ("WiFi密码是多少 附近有停车场吗").
_CJK_SPACE = r"(?<=[\u3040-\u30ff\u4e00-\u9fff])\s+(?=[\u3040-\u30ff\u4e00-\u9fff])"
_CLAUSE = re.compile(r"[,.;:!?¿¡，、。！？；：…\n❓]+|" + _CJK_SPACE)
# The characters that carry a CJK message's subject: kanji / hanzi and katakana (hiragana is mostly grammar).
_CJK_CONTENT = re.compile(r"[\u30a0-\u30ff\u4e00-\u9fff]")
MAX_WORDS = 12  # a plain question is short; a longer message tells a story the FAQ entry does not know
MAX_CJK = 24  # the same in Japanese and Chinese characters
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
def _framing_phrases() -> tuple[str, ...]:
    root = mapping(DATA, load_yaml_data(DATA), SECTIONS, "section")
    return tuple(p for words in language_words(DATA, root["framing"], SUPPORTED_LANGUAGES).values() for p in words)


@cache
def _framing() -> frozenset[str]:
    """The framing words of every language, folded like the message's words."""
    return frozenset(w for p in _framing_phrases() for w in tokens(p))


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
    """The words an entry answers with or is asked by: its texts and title in every language, its topic's lexicon,
    and every word of a thing it names ("the hot tub on the terrace": 热水浴缸, ジャグジー)."""
    found = {w for text in texts for w in tokens(text)}
    found.update(w for words in KEYWORDS.get(topic, {}).values() for phrase in words for w in tokens(phrase))
    own = _text(" ".join(texts))
    for by_language in CONCEPTS.values():
        names = [_text(w) for ws in by_language.values() for w in ws]
        if any(w in own if CJK.search(w) else re.search(rf"(?<!\w){re.escape(w)}(?!\w)", own) for w in names):
            found.update(w for name in names for w in tokens(name))
    return frozenset(found)


@lru_cache(maxsize=4096)
def _entry_stems(topic: str, texts: tuple[str, ...], language: str) -> frozenset[str | None]:
    """The stems of the entry's words in the guest's language (an entry's words are stemmed once per version)."""
    return frozenset(stem(w, language) for w in _entry_words(topic, texts))


@lru_cache(maxsize=4096)
def _entry_characters(topic: str, texts: tuple[str, ...]) -> frozenset[str]:
    """The kanji, hanzi and katakana of the entry's words (texts, title, lexicon, things it names)."""
    return frozenset(c for w in _entry_words(topic, texts) for c in _CJK_CONTENT.findall(w))


@cache
def _framing_characters() -> frozenset[str]:
    """The kanji and hanzi of the Japanese and Chinese framing words ("何時", "可以", "哪里")."""
    return frozenset(c for p in _framing_phrases() for c in _CJK_CONTENT.findall(p))


def _entry_texts(entry: dict[str, Any]) -> tuple[str, ...]:
    keywords = [k for ks in (entry.get("keywords") or {}).values() for k in ks]
    return (*entry.get("content", {}).values(), str(entry.get("title", "")), *keywords)


def unnamed(message: str, entry: dict[str, Any], *, language: str) -> list[str]:
    """The words the guest named that the entry never mentions ("is the pool **heated**?", "is the parking
    **guarded**?"): the matcher is sure of the topic, not that the entry holds this detail. Japanese and Chinese
    have no word boundaries: there, each kanji, hanzi and katakana the entry never uses is reported
    ("プールは**子供**だけで使えますか"), beside the Latin words ("**Netflix**のパスワード").
    """
    texts = _entry_texts(entry)
    missing = []
    if CJK.search(message):  # and its Latin words below ("Netflixのパスワード")
        known_characters = _entry_characters(entry["topic"], texts) | _framing_characters()
        missing = [c for c in _CJK_CONTENT.findall(message) if c not in known_characters]
    known = _entry_words(entry["topic"], texts)
    stems = _entry_stems(entry["topic"], texts, language)
    for word in tokens(CJK.sub(" ", message)):  # Japanese and Chinese: judged character by character above
        if len(word) < MIN_NAMED or word in COMMON or word in _framing() or not word.isalpha() or word in known:
            continue
        if any(is_prefix(word, k) for k in known) or (stem(word, language) or "-") in stems:
            continue
        missing.append(word)
    return missing


def _says_something(clause: str) -> bool:
    """Whether a clause names anything: a greeting ("hi,", "una pregunta,", "すみません、") does not."""
    if CJK.search(clause):
        return any(c not in _framing_characters() for c in _CJK_CONTENT.findall(clause))
    return any(w not in COMMON and w not in _framing() for w in tokens(clause))


def one_clause(message: str) -> bool:
    """Whether the message says one thing: at most one clause that names something ("can we bring the car, where
    is the parking?" is two; "hi, where is the parking?" is one)."""
    return sum(1 for part in _CLAUSE.split(message) if _says_something(part)) <= 1


def short(message: str) -> bool:
    """A plain question is short; a longer message tells a story the FAQ entry does not know."""
    if CJK.search(message):
        return len(re.sub(r"\s", "", message)) <= MAX_CJK
    return len(words_of(message)) <= MAX_WORDS


def is_question(message: str) -> bool:
    """Whether the message asks: a question mark, an opening question word ("where do we park"), or a Japanese
    or Chinese question ending ("…ですか", "…吗")."""
    return bool(_ASKS.search(message)) or opens_question(message)


def opens_question(message: str) -> bool:
    """Whether the message is worded as a question: it opens with a question word ("where do we park"), or, in
    Japanese and Chinese, holds one ("…ですか", "哪里") or ends as a question."""
    text = _text(message).strip()
    ask = _rules()["questions"]
    if CJK.search(text):
        return bool(ask.search(re.sub(r"[\W_]+$", "", text)[-8:]))
    return bool(ask.match(text.lstrip("¿¡ \"'")))


def self_contained(request: ResponseRequest) -> bool:
    """No reference to earlier turns: no word pointing back, and the conversation's last turn neither set the
    scene ("my mother uses a wheelchair" before "can she use the pool?") nor asked the guest something that this
    message answers."""
    if not request.history:
        return True
    if holds("back", request.text) or not opens_question(request.text):
        return False  # a word pointing back, or a fragment ("avec un écran ?") that completes the earlier turn
    author, text = request.history[-1]
    if author != "guest" and _ASKS.search(text):
        return False  # the guest answers the bot's or staff's question
    guests = [t for a, t in request.history if a == "guest"]
    return not guests or is_question(guests[-1])


def sure_of_one(request: ResponseRequest, *, confidence: float) -> bool:
    """The offline matcher is sure of one self-contained question (see the module's docstring)."""
    if len(request.entries) != 1 or request.confidence < confidence or request.related:
        return False  # not one topic by a clear margin: a weaker candidate was close enough to offer a model
    if request.entries[0]["topic"] in BROAD_TOPICS or _DIGIT.search(request.text):
        return False
    text = request.text
    if len(_QUESTION.findall(text)) > 1 or not (short(text) and is_question(text) and one_clause(text)):
        return False
    if not self_contained(request):
        return False
    if any(holds(s, text) for s in ("joins", "negations", "problems", "requests", "conditions", "doubts")):
        return False
    return not unnamed(text, request.entries[0], language=request.language)
