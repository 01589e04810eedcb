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
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from concierge.core.text import fold, simplified
from concierge.guard.called_off import without_told_reasons
from concierge.guard.day_parts import spoken_times
from concierge.guard.hours import without_travel_times
from concierge.guard.lexicon import DATA
from concierge.guard.phrases import (
    CJK,
    HIDDEN,
    WORD,
    Signal,
    deobfuscate,
    excluded,
    follow_up_patterns,
    match_lexicon,
    normalize,
    wordings_pattern,
)
from concierge.guard.policy import Policy, strongest
from concierge.guard.resolved import RESOLVABLE, without_resolved
from concierge.guard.typos import corrected
from knowledge.lexicon import KEYWORDS, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_file
from knowledge.policy import Action, Category

_TEMPLATE = re.compile(
    r"<\|?(im_start|im_end|system|endoftext)\|?>|\[/?(inst|system|sys)\]|<<sys>>|^\s*#{2,}\s*(system|instruction)"
    r"|^\s*(system|assistant|developer)\s*:",
    re.IGNORECASE | re.MULTILINE,
)
_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_HEX = re.compile(r"\b(?:[0-9a-fA-F]{2}[\s:]?){12,}")
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_PHONE_WORDS = frozenset(
    fold(w)
    for w in "phone number mobile whatsapp cell call teléfono número móvil numéro téléphone portable nummer "
    "telefon handy numero telefono cellulare telefone celular telemóvel telefoon mobiel numer komórka "
    "電話 番号 电话 号码".split()
)
# "Number" is also the code's ("Hi Marta! which box has the keys and the number?"): it asks for a staff member's
# number only beside their name ("Marta's number", "el número de Marta").
_NUMBER_WORDS = frozenset(fold(w) for w in "number número numéro nummer numero numer 番号 号码".split())
_NEAR = 3  # words between a name and "number"
_TRAVEL_TIMED = (Category.late_check_out,)  # a landing is near the arrival: an early check-in keeps its hour
# ... unless the message asks where the bags can go: "our flight lands at 9am, where can we leave the suitcases before
# check in?" asks about the bags, not to get in earlier ("can we check in early and leave the bags?" still asks).
_BAGS_TIMED = (Category.early_check_in,)
_BAG_PLACES = language_file(DATA / "bag_places.yaml", SUPPORTED_LANGUAGES)
# The requests an hour said in words can make ("check in around eleven", "koło pierwszej", "verso le dieci e mezza").
_SPOKEN = (Category.early_check_in, Category.late_check_out, Category.rule_exception, Category.extra_guests)


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
        # Chinese written in traditional characters meets the Chinese phrases, written in simplified ones ("煤氣味").
        folded = corrected(normalize(simplified(text) if language == "zh" else text))
        signals = self._present(folded, _lexicon(folded, language), language)
        signals = _own_times(folded, signals, language)
        signals = without_told_reasons(folded, signals, language=language)
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

    @staticmethod
    def _present(folded: str, signals: list[Signal], language: str) -> list[Signal]:
        """The signals without floods, fires and gas seen only in sentences about a problem that is over."""
        hazards = tuple(dict.fromkeys(s.category for s in signals if s.category in RESOLVABLE))
        calm = without_resolved(folded) if hazards else folded
        if calm == folded:
            return signals
        still = {s.category for s in match_lexicon(calm, language=language, categories=hazards)}
        return [s for s in signals if s.category not in RESOLVABLE or s.category in still]

    def _structure(self, text: str, folded: str) -> list[Signal]:
        signals = []
        if _TEMPLATE.search(text):
            signals.append(Signal(Category.injection, "template"))
        if len(_URL.findall(text)) >= 3:
            signals.append(Signal(Category.spam, "links"))
        words = WORD.findall(folded)
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
        if CJK.search(text):
            return signals
        for kind, variant in (("rot13", codecs.decode(text, "rot13")), ("reversed", text[::-1])):
            hits = match_lexicon(normalize(variant), language="en", categories=(Category.injection, Category.privacy))
            signals += [Signal(Category.injection, f"encoded:{kind}", "decoded")] if hits else []
        return signals

    def _names(self, folded: str) -> list[Signal]:
        words = set(WORD.findall(folded))
        if any(re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", folded) for n in self.private_names):
            return [Signal(Category.privacy, "guest_name")]
        calls = excluded(Category.privacy)  # "could Marta call me?", "Jonas said on the phone": no number asked
        sequence = WORD.findall(calls.sub(" ", folded) if calls else folded)
        for i, word in enumerate(sequence):
            if word in _PHONE_WORDS and word not in _NUMBER_WORDS and any(n in words for n in self.staff_names):
                return [Signal(Category.privacy, "staff_contact")]
            near = sequence[max(0, i - _NEAR) : i + _NEAR + 1]
            if word in _NUMBER_WORDS and any(n in near for n in self.staff_names):
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
            p.search(folded) for p in follow_up_patterns(language)
        ):
            signals.append(Signal(Category.injection, "carry", "history"))
        joined = recent[-1] + " " + folded
        before = {s.category for s in match_lexicon(recent[-1], language=language, categories=HIDDEN)}
        now = {s.category for s in match_lexicon(folded, language=language, categories=HIDDEN)}
        for s in match_lexicon(joined, language=language, categories=HIDDEN):
            if s.category not in before | now:
                signals.append(Signal(s.category, s.rule, "across_messages"))
        return signals


def _lexicon(folded: str, language: str) -> list[Signal]:
    """The lexicon's signals, with the requests the text makes once its spoken hours and parts of the day are read
    as digits (`day_parts.spoken_times`): "could we check in around eleven?" asks as "around 11" does, "get into the
    flat before lunch" as "before 12"."""
    signals = match_lexicon(folded, language=language, fuzzy=True)
    digits = spoken_times(folded, language)
    if digits == folded:
        return signals
    seen = {s.category for s in signals}
    spoken = match_lexicon(digits, language=language, categories=_SPOKEN)
    return signals + [s for s in spoken if s.category not in seen]


def _own_times(folded: str, signals: list[Signal], language: str) -> list[Signal]:
    """The signals without a late check-out that only the hour of the guest's own travel asked for ("our train is at
    3, what time do we have to be out?"); "… could we stay until 2?" still asks."""
    bags = _names_bags(folded, language)
    timed = tuple(
        dict.fromkeys(
            s.category for s in signals if s.category in _TRAVEL_TIMED or (bags and s.category in _BAGS_TIMED)
        )
    )
    if not timed:
        return signals
    # The travel hours are read once the times in words are digits: "lands at 8 in the morning" is "lands at 8am".
    spoken = spoken_times(folded, language)
    rest = without_travel_times(spoken, language=language)
    if rest == fold(spoken):
        return signals
    still = {s.category for s in match_lexicon(rest, language=language, categories=timed, fuzzy=True)}
    return [s for s in signals if s.category not in timed or s.category in still]


@cache
def _bags_patterns(language: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    return wordings_pattern(KEYWORDS["luggage"], language), wordings_pattern(_BAG_PLACES, language)


def _names_bags(folded: str, language: str) -> bool:
    """Whether the message asks where its luggage can go: a luggage word (the luggage topic's) and a word asking where
    (`data/bag_places.yaml`), in its language or English."""
    return all(pattern.search(folded) for pattern in _bags_patterns(language))


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
