"""Phrase rules of the screen: the per-category phrase lists compiled to regexes, matched on folded text.

A phrase is matched on case- and accent-folded text, in the message's language, English and every language its
words point to; `*` stands for up to three words, a trailing `*` for a word's ending. Attack phrases may also match
fuzzily (misspelled on purpose) and after undoing disguises (s.p.a.c.e.d letters, leetspeak).
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz import fuzz

from concierge.core.text import fold
from concierge.guard.lexicon import ALTERNATIVES, CLASSES, COMBINED, EXCLUDE, FOLLOW_UPS, LEXICON, TIMING, WRONG_REPLY
from concierge.guard.tokens import TIMES
from concierge.i18n.detect import detect_language
from knowledge.lexicon import KEYWORDS
from knowledge.policy import Category

# Categories an attacker hides (encodes, spaces out, misspells, splits over messages); requests and emergencies
# are written plainly by the people who have them.
HIDDEN = (Category.injection, Category.manipulation, Category.privacy)
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_SPACED = re.compile(r"\b(?:\w[\s.\-_*]){2,}\w\b")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
WORD = re.compile(r"\w+")
FUZZY_CUTOFF = 90.0
FUZZY_MIN_CHARS = 12
FUZZY_MAX_TEXT = 2000  # partial_ratio is linear in the text: long messages get the exact rules only
# Texts whose lexicon hits (and languages) are remembered: a turn screens its conversation's last guest messages
# again, with the same arguments as when they were the turn's own message.
SCREENED_TEXTS = 2048


# A phrase of parts joined by " + " (each part alternatives split by "|") matches when every part occurs in the
# message (`COMBINED`): "water + lamp*|ceiling*|everywhere" is a plain-words flood however the guest orders the words.
# `ALTERNATIVES` separates wordings: "keep * until|keep * till" is one phrase.
# `<n>`, `<late>`, `<early>`, `<fever>` and `<many>` stand for numbers, times, temperatures and headcounts
# (`guard/tokens.py`).
@dataclass(frozen=True)
class Signal:
    """One piece of evidence: a category, the rule that saw it (never the guest's text) and where."""

    category: Category
    rule: str
    source: str = "message"  # "message", "decoded", "history", "across_messages"


# Letters that do not decompose into a base letter and an accent, written plain on phones without the layout:
# "pekla rura", "zemdlal" are "pękła rura", "zemdlał"; "strasse" is "straße".
_UNACCENTED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss"})
# An apostrophe inside a phrase word may be left out or typed as a space: "can't" matches "cant" and "can t",
# "l'ascenseur" matches "l ascenseur" and "lascenseur".
_APOSTROPHE = r"(?:'|\s)?"


def normalize(text: str) -> str:
    """Fold case and accents, unify compatibility forms and quotes, drop invisible format characters."""
    if text.isascii():  # no compatibility forms, format characters, curly quotes or accents: only case and "`"
        return text.replace("`", "'").lower()
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return fold(text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")).translate(_UNACCENTED)


def deobfuscate(folded: str) -> str:
    """Undo common disguises: s.p.a.c.e.d letters joined, leetspeak digits in words read as letters."""
    joined = _SPACED.sub(lambda m: re.sub(r"[\s.\-_*]", "", m.group(0)), folded)
    return " ".join(w.translate(_LEET) if re.search(r"[a-z]", w) else w for w in joined.split())


def _anchors(phrase: str) -> tuple[tuple[str, bool], ...]:
    """The first words a match must start with, one per wording of the first part ("water|wet + lamp*": water or
    wet); empty when a wording has none (Japanese, Chinese, a time): then the regex always runs."""
    first = normalize(phrase).split(COMBINED)[0]
    found = [_anchor(wording) for wording in first.split(ALTERNATIVES)]
    return () if any(not anchor for anchor, _prefix in found) else tuple(found)


def _anchor(phrase: str) -> tuple[str, bool]:
    """The phrase's first word (and whether it is a prefix): a cheap test before running its regex."""
    folded = normalize(phrase)
    if CJK.search(folded) or folded.startswith("<"):
        return "", False
    first = next(t for t in folded.split() if t != "*")
    word = WORD.match(first.rstrip("*"))
    return (word.group(0) if word else ""), first.endswith("*") or not word or word.end() < len(first.rstrip("*"))


_CJK_GAP = r"[^。!?\n]{0,8}"


def phrase_pattern(phrase: str) -> str:
    """The regular expression of one phrase of the phrase syntax (concierge/guard/lexicon.py), on normalized text."""
    folded = normalize(phrase)
    if COMBINED in folded:  # "water + lamp*|ceiling*": every part somewhere in the message, in any order
        parts = folded.split(COMBINED)
        groups = ["|".join(phrase_pattern(alternative) for alternative in part.split(ALTERNATIVES)) for part in parts]
        return r"\A" + "".join(rf"(?=[\s\S]*?(?:{group}))" for group in groups)
    if ALTERNATIVES in folded:  # "keep * until|keep * till": any of them
        return "(?:" + "|".join(phrase_pattern(alternative) for alternative in folded.split(ALTERNATIVES)) + ")"
    if CJK.search(folded):  # "退房 * 推迟": a lone `*` skips up to eight characters of one sentence
        return _CJK_GAP.join(re.escape(part) for part in folded.split(" * "))
    out = ""
    tokens = folded.split()
    for index, token in enumerate(tokens):
        if token == "*":
            out += r"(?:\w+\W+){0,3}"
            continue
        if token in TIMES:
            out += TIMES[token]
        elif (named := _INLINE.fullmatch(token)) and named.group(1) in CLASSES:
            out += _inline_class(named.group(1))
        else:
            word = re.escape(token[:-1]) + r"\w*" if token.endswith("*") else re.escape(token)
            out += word.replace("'", _APOSTROPHE)
        if index < len(tokens) - 1:
            out += r"\W+"
    # A phrase that starts with a sign ("% off") follows a number: no word boundary before it.
    return (r"(?<!\w)" if not re.match(r"[^\w<*]", folded) else "") + out + r"(?!\w)"


def wordings_pattern(wordings: dict[str, tuple[str, ...]], language: str) -> re.Pattern[str]:
    """One pattern for a list's wordings in the message's language and English: whole words, except Japanese and
    Chinese ones, which are matched as plain substrings."""
    phrases = dict.fromkeys((*wordings.get(language, ()), *wordings["en"]))
    return re.compile(
        "|".join(phrase_pattern(p) if CJK.search(p) else rf"(?<!\w){phrase_pattern(p)}(?!\w)" for p in phrases)
    )


# A word class inside a wording ("<no_need> * late check*") stands for any of its words in every language: requests
# said not to be needed are taken out (`exclude.yaml`) whichever language the guest mixes in.
_INLINE = re.compile(r"<([a-z_]+)>")


@cache
def _inline_class(name: str) -> str:
    words = sorted({w for by_language in CLASSES[name].values() for w in by_language}, key=len, reverse=True)
    return "(?:" + "|".join(phrase_pattern(w) for w in words) + ")"


@cache
def _compiled(category: Category, language: str, index: int) -> re.Pattern[str]:
    return re.compile(phrase_pattern(LEXICON[category][language][index]))


Rules = tuple[Category, str]  # one category's phrases in one language
Anchored = dict[str, list[tuple[Rules, int]]]  # a first word -> the phrases (rules and index) that start with it


@dataclass(frozen=True)
class _Anchors:
    """Every phrase by the first words a match must start with: whole words, word beginnings, and the phrases
    without one (their regex always runs), over all categories and languages."""

    words: Anchored
    prefixes: Anchored
    always: dict[Rules, frozenset[int]]
    word_keys: frozenset[str]
    prefix_keys: frozenset[str]


@cache
def _anchored() -> _Anchors:
    """The phrases' anchors, built once (in milliseconds; the regexes are compiled when first tried)."""
    words: Anchored = {}
    prefixes: Anchored = {}
    always: dict[Rules, frozenset[int]] = {}
    for category, by_language in LEXICON.items():
        for language, phrases in by_language.items():
            unanchored = set()
            for index, phrase in enumerate(phrases):
                anchors = _anchors(phrase)
                if not anchors:
                    unanchored.add(index)
                for word, prefix in anchors:
                    (prefixes if prefix else words).setdefault(word, []).append(((category, language), index))
            if unanchored:
                always[(category, language)] = frozenset(unanchored)
    return _Anchors(words, prefixes, always, frozenset(words), frozenset(prefixes))


class _Text:
    """Folded text with its words and word prefixes, so most phrases are ruled out without a regex: only those
    whose first word (or its beginning) the text has are tried, all found with two set intersections."""

    def __init__(self, folded: str) -> None:
        self.text = folded
        self.words = set(WORD.findall(folded))
        self.prefixes = {w[:k] for w in self.words for k in range(1, min(len(w), 16) + 1)}
        self._candidates: dict[Rules, set[int]] | None = None
        self._first: dict[Rules, int | None] = {}
        self._by_category: dict[Category, list[Rules]] | None = None

    def first_match(self, rules: Rules) -> int | None:
        """The index of the first phrase of these rules (in their order) that matches the text, if any."""
        if rules not in self._first:
            candidates = self._candidate_sets().get(rules, set()) | _anchored().always.get(rules, frozenset())
            found = (i for i in sorted(candidates) if _compiled(*rules, i).search(self.text) is not None)
            self._first[rules] = next(found, None)
        return self._first[rules]

    def matches_in_some_language(self, category: Category) -> bool:
        """Whether a phrase of the category matches in some language (if none does, the text's languages cannot)."""
        if self._by_category is None:  # the rules worth trying, by category: a category's are looked at only
            self._by_category = {}
            for rules in [*self._candidate_sets(), *_anchored().always]:
                self._by_category.setdefault(rules[0], []).append(rules)
        return any(self.first_match(rules) is not None for rules in self._by_category.get(category, ()))

    def _candidate_sets(self) -> dict[Rules, set[int]]:
        if self._candidates is None:
            anchors, self._candidates = _anchored(), {}
            for anchored, present in (
                (anchors.words, self.words & anchors.word_keys),
                (anchors.prefixes, self.prefixes & anchors.prefix_keys),
            ):
                for anchor in present:
                    for key, index in anchored[anchor]:
                        self._candidates.setdefault(key, set()).add(index)
        return self._candidates


# A text a turn reads in several calls (all categories, then the hidden ones) has its words and hits found once.
_text = lru_cache(maxsize=256)(_Text)


@cache
def excluded(category: Category) -> re.Pattern[str] | None:
    """The harmless phrases taken out of a message before the category is matched (`exclude.yaml`), if any."""
    phrases = EXCLUDE.get(category)
    return re.compile("|".join(phrase_pattern(p) for p in phrases)) if phrases else None


@cache
def _timing(language: str, digits: bool = True) -> re.Pattern[str]:
    words = [normalize(w) for w in (*TIMING.get(language, ()), *TIMING["en"])]
    plain = "|".join(re.escape(w) for w in words if not CJK.search(w))
    cjk = "|".join(re.escape(w) for w in words if CJK.search(w))
    found = (r"\d" if digits else "", rf"(?<!\w)(?:{plain})(?!\w)" if plain else "", cjk)
    return re.compile("|".join(p for p in found if p))


def asks_for_another_time(text: str, *, language: str, digits: bool = True) -> bool:
    """Whether a check-in or check-out question names a time or asks to move it ("at noon?", "a bit later?");
    without `digits`, only by a word ("early", "later", "中午")."""
    return _timing(language, digits).search(normalize(text)) is not None


@cache
def _fuzzy_phrases(category: Category, language: str) -> list[tuple[int, str]]:
    return [
        (i, normalize(p))
        for i, p in enumerate(LEXICON[category].get(language, ()))
        if "*" not in p and ALTERNATIVES not in p and "<" not in p and len(p) >= FUZZY_MIN_CHARS and not CJK.search(p)
    ]


@cache
def follow_up_patterns(language: str) -> list[re.Pattern[str]]:
    access = [*KEYWORDS["access"].get(language, ()), *KEYWORDS["access"]["en"]]
    return [re.compile(phrase_pattern(p)) for p in (*FOLLOW_UPS, *access)]


@lru_cache(maxsize=SCREENED_TEXTS)  # bounded: every message screened adds its texts (a worker runs for weeks)
def _languages(text: str, language: str) -> list[str]:
    """The reply language, English (the lingua franca of jailbreaks), and every language the words point to.

    The turn's language leans on the conversation's prior, so a German emergency in a Spanish conversation must
    still be read with the German lexicon.
    """
    languages = [language, "en"] if language != "en" else ["en"]
    evidence = detect_language(text, current=None, reservation=None, default=language).scores
    languages += [lang for lang in sorted(evidence, key=lambda k: -evidence[k]) if lang not in languages]
    if CJK.search(text):
        languages += [lang for lang in ("ja", "zh") if lang not in languages]
    return languages


def match_lexicon(
    folded: str, *, language: str, categories: Sequence[Category] | None = None, fuzzy: bool = False
) -> list[Signal]:
    """Lexicon hits in already-normalized text, per category, for the given language (plus English)."""
    return list(_match_lexicon(folded, language, None if categories is None else tuple(categories), fuzzy))


@lru_cache(maxsize=SCREENED_TEXTS)
def _match_lexicon(
    folded: str, language: str, categories: tuple[Category, ...] | None, fuzzy: bool
) -> tuple[Signal, ...]:
    signals = []
    plain = _text(folded)
    fuzzy = fuzzy and len(folded) <= FUZZY_MAX_TEXT
    # Languages are detected (costlier than most screens) for fuzzy matching, or once some language's phrase matches.
    languages = _languages(folded, language) if fuzzy and set(HIDDEN) & set(categories or LEXICON) else None
    for category in categories or list(LEXICON):
        harmless = excluded(category)
        text = _text(harmless.sub(" ", folded)) if harmless and harmless.search(folded) else plain
        fuzzy_here = fuzzy and category in HIDDEN
        if languages is None and not text.matches_in_some_language(category):
            continue
        languages = _languages(folded, language) if languages is None else languages
        for lang in languages:
            hit = text.first_match((category, lang))
            if hit is None and fuzzy_here:
                close = _fuzzy_phrases(category, lang)
                hit = next((i for i, p in close if fuzz.partial_ratio(p, text.text, score_cutoff=FUZZY_CUTOFF)), None)
                if hit is not None:
                    signals.append(Signal(category, f"fuzzy:{lang}#{hit}"))
                    break
            if hit is not None:
                signals.append(Signal(category, f"lexicon:{lang}#{hit}"))
                break
    return tuple(signals)


@cache
def _wrong_reply() -> re.Pattern[str]:
    phrases = [p for language in sorted(WRONG_REPLY) for p in WRONG_REPLY[language]]
    return re.compile("|".join(phrase_pattern(p) for p in phrases))


def says_reply_was_wrong(text: str) -> bool:
    """Whether the guest says the last reply was wrong ("that's wrong", "no, I asked about…"), in any language."""
    return _wrong_reply().search(normalize(text)) is not None
