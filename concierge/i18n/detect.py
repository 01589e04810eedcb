"""Language of a guest message: function words and scripts, with the conversation's language as a prior."""

import re
import unicodedata
from dataclasses import dataclass

from knowledge.lexicon import FUNCTION_WORDS, KEYWORDS, SUPPORTED_LANGUAGES

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class LanguageDecision:
    language: str
    reason: str  # "script", "words", "sticky", "reservation", "property"
    scores: dict[str, float]


_KANA_MARKS = "\u3099\u309a"  # Japanese voicing marks: バス (bus) and パス (pass) must stay apart


def fold(text: str) -> str:
    """Lowercase without accents: how guests' words and lexicon words are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch in _KANA_MARKS)
    return unicodedata.normalize("NFC", kept)


def _keyword_words() -> dict[str, frozenset[str]]:
    """Single words of the topic lexicon per language, minus words shared by several languages."""
    per_language: dict[str, set[str]] = {lang: set() for lang in SUPPORTED_LANGUAGES}
    for by_language in KEYWORDS.values():
        for lang, keywords in by_language.items():
            per_language[lang].update(fold(w) for w in keywords if " " not in w)
    counts: dict[str, int] = {}
    for found in per_language.values():
        for word in found:
            counts[word] = counts.get(word, 0) + 1
    return {lang: frozenset(w for w in found if counts[w] == 1) for lang, found in per_language.items()}


_FUNCTION = {lang: frozenset(fold(w) for w in words) for lang, words in FUNCTION_WORDS.items()}
_TOPIC_WORDS = _keyword_words()


def detect_language(text: str, *, current: str | None, reservation: str | None, default: str) -> LanguageDecision:
    """Decide the reply language once per turn; short or ambiguous messages keep the current language."""
    prior = current or reservation or default
    prior_reason = "sticky" if current else ("reservation" if reservation else "property")
    if _KANA.search(text):
        return LanguageDecision("ja", "script", {"ja": 1.0})
    if _HAN.search(text):
        return LanguageDecision("zh", "script", {"zh": 1.0})
    words = [fold(w) for w in _WORD.findall(text)]
    scores: dict[str, float] = {}
    for lang in SUPPORTED_LANGUAGES:
        score = sum(1.0 for w in words if w in _FUNCTION.get(lang, ()))
        score += sum(0.5 for w in words if w in _TOPIC_WORDS.get(lang, ()))
        if score:
            scores[lang] = score
    if not scores:
        return LanguageDecision(prior, prior_reason, scores)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0] != prior))
    best, best_score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    # Switch away from the prior only on clear evidence: one function word is not enough against it.
    if best != prior and (best_score < 1.5 or best_score - runner_up < 1.0) and scores.get(prior, 0) > 0:
        return LanguageDecision(prior, prior_reason, scores)
    if best != prior and best_score < 1.0:
        return LanguageDecision(prior, prior_reason, scores)
    return LanguageDecision(best, "words", scores)
