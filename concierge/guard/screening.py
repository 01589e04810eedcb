"""Input screening: which policy categories a guest message touches, seen with the recent conversation.

Cheap and deterministic first (LESSONS: guardrails that cost 9x latency): compiled multilingual phrase rules over
case- and accent-folded text, rapidfuzz for misspelled attack phrases, and structural rules for chat-template
markers, encoded payloads (base64, hex, rot13, reversed text), spaced-out or leetspeak words and spam. A model
classifier can be added later behind the same `Classifier` interface; its signals are merged with the rules'.
"""

import base64
import binascii
import codecs
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from rapidfuzz import fuzz

from concierge.core.text import fold
from concierge.guard.lexicon import EXCLUDE, FOLLOW_UPS, LEXICON
from concierge.guard.policy import Policy, strongest
from concierge.i18n.detect import detect_language
from knowledge.lexicon import KEYWORDS
from knowledge.policy import Action, Category

# Categories an attacker hides (encodes, spaces out, misspells, splits over messages); requests and emergencies
# are written plainly by the people who have them.
HIDDEN = (Category.injection, Category.manipulation, Category.privacy)
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_TEMPLATE = re.compile(
    r"<\|?(im_start|im_end|system|endoftext)\|?>|\[/?(inst|system|sys)\]|<<sys>>|^\s*#{2,}\s*(system|instruction)"
    r"|^\s*(system|assistant|developer)\s*:",
    re.IGNORECASE | re.MULTILINE,
)
_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_HEX = re.compile(r"\b(?:[0-9a-fA-F]{2}[\s:]?){12,}")
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_SPACED = re.compile(r"\b(?:\w[\s.\-_*]){2,}\w\b")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
_WORD = re.compile(r"\w+")
_PHONE_WORDS = frozenset(
    fold(w)
    for w in "phone number mobile whatsapp cell call teléfono número móvil numéro téléphone portable nummer "
    "telefon handy numero telefono cellulare telefone celular telemóvel telefoon mobiel numer komórka "
    "電話 番号 电话 号码".split()
)
FUZZY_CUTOFF = 90.0
FUZZY_MIN_CHARS = 12
FUZZY_MAX_TEXT = 2000  # partial_ratio is linear in the text: long messages get the exact rules only


@dataclass(frozen=True)
class Signal:
    """One piece of evidence: a category, the rule that saw it (never the guest's text) and where."""

    category: Category
    rule: str
    source: str = "message"  # "message", "decoded", "history", "across_messages"


class Classifier(Protocol):
    """Anything that turns a message (with the guest's recent messages) into signals."""

    name: str

    def classify(self, text: str, *, language: str, history: Sequence[str]) -> list[Signal]: ...


@dataclass(frozen=True)
class Screening:
    """The verdict: the deciding category and its policy action, with every signal for the trace."""

    category: Category | None
    action: Action
    signals: tuple[Signal, ...] = ()
    classifiers: tuple[str, ...] = ()

    def trace(self) -> dict[str, Any]:
        """The verdict as trace data: rule ids and categories only."""
        return {
            "category": self.category.value if self.category else None,
            "action": self.action.value,
            "signals": sorted({f"{s.category.value}:{s.rule}:{s.source}" for s in self.signals}),
            "classifiers": list(self.classifiers),
        }


def normalize(text: str) -> str:
    """Fold case and accents, unify compatibility forms and quotes, drop invisible format characters."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return fold(text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'"))


def deobfuscate(folded: str) -> str:
    """Undo common disguises: s.p.a.c.e.d letters joined, leetspeak digits in words read as letters."""
    joined = _SPACED.sub(lambda m: re.sub(r"[\s.\-_*]", "", m.group(0)), folded)
    return " ".join(w.translate(_LEET) if re.search(r"[a-z]", w) else w for w in joined.split())


def _anchor(phrase: str) -> tuple[str, bool]:
    """The phrase's first word (and whether it is a prefix): a cheap test before running its regex."""
    folded = normalize(phrase)
    if _CJK.search(folded):
        return "", False
    first = next(t for t in folded.split() if t != "*")
    word = _WORD.match(first.rstrip("*"))
    return (word.group(0) if word else ""), first.endswith("*") or not word or word.end() < len(first.rstrip("*"))


def _phrase_pattern(phrase: str) -> str:
    folded = normalize(phrase)
    if _CJK.search(folded):
        return re.escape(folded)
    out = ""
    tokens = folded.split()
    for index, token in enumerate(tokens):
        if token == "*":
            out += r"(?:\w+\W+){0,3}"
            continue
        out += re.escape(token[:-1]) + r"\w*" if token.endswith("*") else re.escape(token)
        if index < len(tokens) - 1:
            out += r"\W+"
    return r"(?<!\w)" + out + r"(?!\w)"


@cache
def _compiled(category: Category, language: str) -> list[tuple[int, str, bool, re.Pattern[str]]]:
    return [(i, *_anchor(p), re.compile(_phrase_pattern(p))) for i, p in enumerate(LEXICON[category].get(language, ()))]


class _Text:
    """Folded text with its words and word prefixes, so most phrases are ruled out without a regex."""

    def __init__(self, folded: str) -> None:
        self.text = folded
        self.words = set(_WORD.findall(folded))
        self.prefixes = {w[:k] for w in self.words for k in range(1, min(len(w), 16) + 1)}

    def search(self, anchor: str, prefix: bool, pattern: re.Pattern[str]) -> bool:
        if anchor and anchor not in (self.prefixes if prefix else self.words):
            return False
        return pattern.search(self.text) is not None


@cache
def _excluded(category: Category) -> re.Pattern[str] | None:
    phrases = EXCLUDE.get(category)
    return re.compile("|".join(_phrase_pattern(p) for p in phrases)) if phrases else None


@cache
def _fuzzy_phrases(category: Category, language: str) -> list[tuple[int, str]]:
    return [
        (i, normalize(p))
        for i, p in enumerate(LEXICON[category].get(language, ()))
        if "*" not in p and len(p) >= FUZZY_MIN_CHARS and not _CJK.search(p)
    ]


@cache
def _follow_up_patterns(language: str) -> list[re.Pattern[str]]:
    access = [*KEYWORDS["access"].get(language, ()), *KEYWORDS["access"]["en"]]
    return [re.compile(_phrase_pattern(p)) for p in (*FOLLOW_UPS, *access)]


@cache
def _languages(text: str, language: str) -> list[str]:
    """The reply language, English (the lingua franca of jailbreaks), and every language the words point to.

    The turn's language leans on the conversation's prior, so a German emergency in a Spanish conversation must
    still be read with the German lexicon.
    """
    languages = [language, "en"] if language != "en" else ["en"]
    evidence = detect_language(text, current=None, reservation=None, default=language).scores
    languages += [lang for lang in sorted(evidence, key=lambda k: -evidence[k]) if lang not in languages]
    if _CJK.search(text):
        languages += [lang for lang in ("ja", "zh") if lang not in languages]
    return languages


def match_lexicon(
    folded: str, *, language: str, categories: Sequence[Category] | None = None, fuzzy: bool = False
) -> list[Signal]:
    """Lexicon hits in already-normalized text, per category, for the given language (plus English)."""
    signals = []
    plain = _Text(folded)
    for category in categories or list(LEXICON):
        excluded = _excluded(category)
        text = _Text(excluded.sub(" ", folded)) if excluded and excluded.search(folded) else plain
        for lang in _languages(folded, language):
            hit = next(
                (i for i, anchor, prefix, rule in _compiled(category, lang) if text.search(anchor, prefix, rule)), None
            )
            if hit is None and fuzzy and category in HIDDEN and len(folded) <= FUZZY_MAX_TEXT:
                hit = next(
                    (
                        i
                        for i, p in _fuzzy_phrases(category, lang)
                        if fuzz.partial_ratio(p, text.text, score_cutoff=FUZZY_CUTOFF)
                    ),
                    None,
                )
                if hit is not None:
                    signals.append(Signal(category, f"fuzzy:{lang}#{hit}"))
                    break
            if hit is not None:
                signals.append(Signal(category, f"lexicon:{lang}#{hit}"))
                break
    return signals


def _decoded_payloads(text: str) -> list[tuple[str, str]]:
    """Base64 and hex runs that decode to readable text, as (kind, decoded)."""
    found = []
    for kind, pattern in (("base64", _BASE64), ("hex", _HEX)):
        for match in pattern.finditer(text):
            raw = match.group(0)
            try:
                data = (
                    base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
                    if kind == "base64"
                    else bytes.fromhex(re.sub(r"[\s:]", "", raw))
                )
                decoded = data.decode("utf-8")
            except (binascii.Error, ValueError, UnicodeDecodeError):
                continue
            printable = sum(ch.isprintable() or ch.isspace() for ch in decoded)
            letters = sum(ch.isalpha() for ch in decoded)
            if decoded and printable / len(decoded) > 0.9 and letters >= 6 and " " in decoded.strip():
                found.append((kind, decoded))
    return found


class RuleClassifier:
    """The deterministic screen: lexicons, disguises, encodings, structure, and the conversation so far."""

    name = "rules"

    def __init__(self, *, private_names: Sequence[str] = (), staff_names: Sequence[str] = ()) -> None:
        self.private_names = [normalize(n) for n in private_names if len(n.strip()) >= 3]
        # Staff are asked for by first name ("Marta's number"): any part of the name counts, with a phone word.
        self.staff_names = sorted({part for n in staff_names for part in normalize(n).split() if len(part) >= 3})

    def classify(self, text: str, *, language: str, history: Sequence[str]) -> list[Signal]:
        """Signals for the message, its disguised or encoded content, and what it continues."""
        folded = normalize(text)
        signals = match_lexicon(folded, language=language, fuzzy=True)
        clear = deobfuscate(folded)
        if clear != folded:
            signals += [
                Signal(s.category, s.rule, "deobfuscated")
                for s in match_lexicon(clear, language=language, categories=HIDDEN, fuzzy=True)
            ]
        signals += self._structure(text, folded)
        signals += self._encoded(text, language)
        signals += self._names(folded)
        signals += self._conversation(folded, language=language, history=history)
        return signals

    def _structure(self, text: str, folded: str) -> list[Signal]:
        signals = []
        if _TEMPLATE.search(text):
            signals.append(Signal(Category.injection, "template"))
        if len(_URL.findall(text)) >= 3:
            signals.append(Signal(Category.spam, "links"))
        words = _WORD.findall(folded)
        if len(words) >= 20 and Counter(words).most_common(1)[0][1] > len(words) / 2:
            signals.append(Signal(Category.spam, "repetition"))
        return signals

    def _encoded(self, text: str, language: str) -> list[Signal]:
        signals = []
        for kind, decoded in _decoded_payloads(text):
            # A concierge guest has no reason to send encoded text: the encoding itself is the signal.
            signals.append(Signal(Category.injection, f"encoded:{kind}", "decoded"))
            signals += [
                Signal(s.category, s.rule, "decoded") for s in match_lexicon(normalize(decoded), language=language)
            ]
        if _CJK.search(text):
            return signals
        for kind, variant in (("rot13", codecs.decode(text, "rot13")), ("reversed", text[::-1])):
            hits = match_lexicon(normalize(variant), language="en", categories=(Category.injection, Category.privacy))
            signals += [Signal(Category.injection, f"encoded:{kind}", "decoded")] if hits else []
        return signals

    def _names(self, folded: str) -> list[Signal]:
        words = set(_WORD.findall(folded))
        if any(re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", folded) for n in self.private_names):
            return [Signal(Category.privacy, "guest_name")]
        if words & _PHONE_WORDS and any(n in words for n in self.staff_names):
            return [Signal(Category.privacy, "staff_contact")]
        return []

    def _conversation(self, folded: str, *, language: str, history: Sequence[str]) -> list[Signal]:
        """Attacks spread over messages: a role-play set up earlier and cashed in now, or a phrase split in two."""
        recent = [normalize(h) for h in history[-3:]]
        if not recent:
            return []
        signals = []
        earlier = [s for h in recent for s in match_lexicon(deobfuscate(h), language=language, categories=HIDDEN)]
        if any(s.category is Category.injection for s in earlier) and any(
            p.search(folded) for p in _follow_up_patterns(language)
        ):
            signals.append(Signal(Category.injection, "carry", "history"))
        joined = recent[-1] + " " + folded
        before = {s.category for s in match_lexicon(recent[-1], language=language, categories=HIDDEN)}
        now = {s.category for s in match_lexicon(folded, language=language, categories=HIDDEN)}
        for s in match_lexicon(joined, language=language, categories=HIDDEN):
            if s.category not in before | now:
                signals.append(Signal(s.category, s.rule, "across_messages"))
        return signals


@dataclass
class Screener:
    """Runs the classifiers and lets the property's policy pick the action."""

    classifiers: list[Classifier] = field(default_factory=list)

    def screen(
        self,
        text: str,
        *,
        language: str,
        history: Sequence[str],
        policy: Policy,
        private_names: Sequence[str] = (),
        staff_names: Sequence[str] = (),
    ) -> Screening:
        """The verdict for one message; the rule classifier always runs first."""
        rules = RuleClassifier(private_names=private_names, staff_names=staff_names)
        signals: list[Signal] = []
        for classifier in [rules, *self.classifiers]:
            signals += classifier.classify(text, language=language, history=history)
        categories = list(dict.fromkeys(s.category for s in signals))
        category, action = strongest(policy, categories)
        return Screening(category, action, tuple(signals), tuple(c.name for c in [rules, *self.classifiers]))
