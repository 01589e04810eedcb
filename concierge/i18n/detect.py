"""Language of a guest message: a statistical detector, curated function words, and the guest's priors.

The rule (decided once per turn, recorded on the trace as `language_reason`):

1. Japanese kana means Japanese, other Han characters Chinese ("script").
2. Loanwords every guest uses ("wifi", "check-in", "parking", "ok": topic words of three languages of more than one
   family) and words shared by several languages are set aside: they say nothing about the language. A topic word of
   three languages of one family ("piscina", "wlan") is a cognate: 0.5 for each of them, like a topic word. The
   statistical detector is given neither (nor any topic word of three languages), but little words ("a", "de") it is.
3. The rest is scored per language: each curated function word counts 1, so does each accented little word ("é",
   "há") and each little word the language shares with others ("la": Spanish, French, Italian, never Portuguese; both
   lists in concierge/i18n/data), each language-specific topic word 0.5 (one that another language writes every day,
   `everyday_words.yaml`, 0.5 for both: "mas", "tarde" are Portuguese too), each topic phrase only that language's lists
   hold 1 (1 for both when another language writes each of its words every day: "nos vamos", "comida típica";
   its words then count as no other language's little words: "secador de pelo" is Spanish, although "pelo" alone
   is Portuguese; so does a word pair of `word_pairs.yaml`: "o es" is the Spanish "or", "a que horas" Portuguese), each
   everyday word of `own_words.yaml` ("custa") 1, so does each word holding a letter only that language writes
   (`letters.yaml`: Polish "ą", "ł", Portuguese "ã", German "ß"; once per word), so does chat shorthand only one
   language types
   (`knowledge/data/shorthand.yaml`: "hj", "tbm"), English chat words ("pls": `chat_words.yaml`) 1 only when nothing
   else in the message is any language's own, and lingua (restricted to the ten supported languages, offline) adds up
   to 2 by its confidence when there are at least `MIN_LETTERS` letters of real words to judge (less weight below
   `FULL_WEIGHT_LETTERS`).
4. The prior is the conversation's language ("sticky"), else the reservation's, else the language of the
   phone number's country, else the property's default. The guest switches away from it only when another
   language leads the prior by `SWITCH_MARGIN` (`WEAK_PRIOR_MARGIN` when the prior is only the phone's country or
   the property's default and the message has two words of its own). With no evidence, or a single word in a
   conversation that already has a language ("ok", "thanks", "merci", an emoji), the prior stays.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import phonenumbers
from babel.languages import get_official_languages

from concierge.core.text import fold
from concierge.i18n.keywords import WORD, keyword_phrases, keyword_words
from knowledge import shorthand
from knowledge.lexicon import COMMON_BY_LANGUAGE, FUNCTION_WORDS, SHARED_FUNCTION_WORDS, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_words, load_yaml_data

_WORD = WORD
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")

# Letters of language-bearing words needed before the statistical detector is asked at all.
MIN_LETTERS = 6
# Weight of the detector's confidence (0..1) against curated function words (1 each).
DETECTOR_WEIGHT = 2.0
# From this many letters the detector has its full weight.
FULL_WEIGHT_LETTERS = 20
# How far another language must lead the prior to switch the conversation's language.
SWITCH_MARGIN = 1.0
# A phone's country (or the property's default) says less about the guest than a booking's language or the
# conversation so far (a US number writes Spanish as often as not): two words of the message's own need lead it
# only so far (one word, "towels", is too easily taken for a third language).
WEAK_PRIOR_MARGIN = 0.5
WEAK_PRIORS = frozenset({"phone", "property"})


@dataclass(frozen=True)
class LanguageDecision:
    language: str
    reason: str  # "script", "detected", "sticky", "reservation", "phone", "property"
    scores: dict[str, float]


_FUNCTION = {lang: frozenset(fold(w) for w in words) for lang, words in FUNCTION_WORDS.items()}
_KEYWORD_WORDS, _LOANWORDS, _COGNATES, _UNREAD = keyword_words()
_NEUTRAL = _LOANWORDS | frozenset(fold(w) for w in SHARED_FUNCTION_WORDS) | {"ok", "okay"}


def _data_words(name: str) -> dict[str, frozenset[str]]:
    """A per-language word list of concierge/i18n/data (matched lowercase, accents kept)."""
    path = Path(__file__).parent / "data" / name
    found = language_words(path, load_yaml_data(path), SUPPORTED_LANGUAGES, required=False)
    return {lang: frozenset(words) for lang, words in found.items()}


# "é", "há": evidence for one language only with their accent, which folding takes away.
_ACCENTED = _data_words("accented_words.yaml")
# Words several languages share ("la", "ha"): evidence for each of them against the others.
_SHARED = _data_words("shared_words.yaml")
# "secador de pelo" is Spanish as a whole, although "pelo" alone is a Portuguese little word; so is "o es" (or is),
# although "o" alone is the Portuguese article: topic phrases and word pairs only one language writes.
# "custa", "fica", "cadê": everyday words of one language that the retriever still reads.
_OWN = {lang: frozenset(fold(w) for w in found) for lang, found in _data_words("own_words.yaml").items()}
# "pls", "thx": a language's only when nothing else in the message is another language's.
_CHAT = _data_words("chat_words.yaml")
_NEUTRAL |= frozenset(w for found in _CHAT.values() for w in found)
# "zimą", "não", "weiß": a letter no other supported language writes.
_LETTERS = {lang: frozenset("".join(found)) for lang, found in _data_words("letters.yaml").items()}
_PAIRS = {
    lang: tuple(tuple(fold(w) for w in pair.split()) for pair in found)
    for lang, found in _data_words("word_pairs.yaml").items()
}


def _everyday_words() -> dict[str, frozenset[str]]:
    """Per language, the topic words of other languages it writes every day (`everyday_words.yaml`, folded)."""
    found = _data_words("everyday_words.yaml")
    return {lang: frozenset(fold(w) for w in found.get(lang, ())) for lang in SUPPORTED_LANGUAGES}


_EVERYDAY = _everyday_words()


def _shorthand_words() -> dict[str, frozenset[str]]:
    """Per language, the chat shorthand only its guests type (`knowledge/data/shorthand.yaml`: "hj", "tbm", "obg"
    are Portuguese): not one letter ("x", "q"), no other language's shorthand ("tb", "pq") or little word."""
    typed = shorthand.typed_words()
    little = {w for lang in SUPPORTED_LANGUAGES for w in _FUNCTION.get(lang, frozenset()) | _EVERYDAY[lang]}
    little |= {fold(w) for found in (*_SHARED.values(), *_OWN.values()) for w in found} | _NEUTRAL
    little |= {fold(w) for found in COMMON_BY_LANGUAGE.values() for w in found}
    return {
        lang: frozenset(
            w for w in found if len(w) > 1 and w not in little and not any(w in typed[o] for o in typed if o != lang)
        )
        for lang, found in typed.items()
    }


_SHORTHAND = _shorthand_words()


def _little_words() -> dict[str, frozenset[str]]:
    """Per language, every word it writes every day (folded): function, common, own, shared and everyday words."""
    return {
        lang: _FUNCTION.get(lang, frozenset())
        | frozenset(fold(w) for w in COMMON_BY_LANGUAGE.get(lang, ()))
        | _OWN.get(lang, frozenset())
        | frozenset(fold(w) for w in _SHARED.get(lang, ()))
        | _EVERYDAY[lang]
        for lang in SUPPORTED_LANGUAGES
    }


def _topic_phrases() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Per language, the topic phrases and word pairs that are evidence for it: its own, and another language's
    topic phrase whose every word it writes every day too ("nos vamos", a Spanish topic phrase, is as Portuguese: "nós
    vamos"; "comida típica"), so that such a phrase weighs 1 for both and tips neither against the other."""
    own = keyword_phrases()
    little = _little_words()
    found = {lang: [*own.get(lang, ()), *_PAIRS.get(lang, ())] for lang in SUPPORTED_LANGUAGES}
    for lang, phrases in own.items():  # word pairs ("o es", "a que horas") are one language's by hand
        for phrase in phrases:
            for other in SUPPORTED_LANGUAGES:
                if other != lang and phrase not in found[other] and all(w in little[other] for w in phrase):
                    found[other].append(phrase)
    return {lang: tuple(phrases) for lang, phrases in found.items() if phrases}


_TOPIC_PHRASES = _topic_phrases()


def _topic_evidence() -> dict[str, frozenset[str]]:
    """Per language, the single topic words that are evidence for it: its own, and another language's topic words
    that it writes every day too ("tarde", a Spanish topic word, is as Portuguese: "boa tarde"; "is" is as Dutch as it
    is English), so that such a word weighs as much for both and tips neither against the other."""
    return {lang: words | _EVERYDAY[lang] | _COGNATES[lang] for lang, words in _KEYWORD_WORDS.items()}


_TOPIC_WORDS = _topic_evidence()


@lru_cache(maxsize=1)
def _detector() -> Any:
    """lingua restricted to the supported languages (models ship in the wheel; loaded once per process)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, lang.upper()) for lang in SUPPORTED_LANGUAGES]
    # Low-accuracy mode (trigram models only) loads in under a second instead of ~10 s on a busy machine;
    # the curated function words and the priors make up for what it loses on very short texts.
    builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode()
    return builder.with_preloaded_language_models().build()


def warm_up() -> None:
    """Load the detector's models now (under a second) instead of during the first guest's turn."""
    _detector()


@lru_cache(maxsize=4096)  # every turn asks for its guest's number: parsing it costs more than the rest of the decision
def phone_language(phone: str | None) -> str | None:
    """The supported language of the phone number's country (+34 → es, +44 → en), if one is official there."""
    if not phone:
        return None
    try:
        number = phonenumbers.parse(phone.removeprefix("whatsapp:"))
    except phonenumbers.NumberParseException:
        return None
    # Fictional and unassigned ranges have no region: the country calling code still names the country.
    region = phonenumbers.region_code_for_number(number) or phonenumbers.region_code_for_country_code(
        number.country_code or 0
    )
    if not region or region == "001":
        return None
    for language in get_official_languages(region, de_facto=True):
        primary = language.split("_", 1)[0]
        if primary in SUPPORTED_LANGUAGES:
            return primary
    return None


def _detector_scores(text: str) -> dict[str, float]:
    values = _detector().compute_language_confidence_values(text)
    return {v.language.iso_code_639_1.name.lower(): float(v.value) for v in values if v.value > 0.01}


def _phrases_in(words: list[str]) -> dict[str, list[tuple[str, ...]]]:
    """Per language, its own topic phrases that the message holds whole, in order."""
    text = f" {' '.join(words)} "
    return {
        lang: held
        for lang, phrases in _TOPIC_PHRASES.items()
        if (held := [phrase for phrase in phrases if f" {' '.join(phrase)} " in text])
    }


def _without_loanwords(tokens: list[str]) -> list[str]:
    """The words that are no loanword, written whole ("wifi", "check-out") or in two words ("check out" is
    "check-out": "il check out e alle 11?" is no German because lingua reads "check out" so)."""
    folded = [fold(w) for w in tokens]
    loan = {i for i, w in enumerate(folded) if w in _LOANWORDS}
    for i, (first, second) in enumerate(zip(folded, folded[1:], strict=False)):
        if f"{first}-{second}" in _LOANWORDS:
            loan |= {i, i + 1}
    return [w for i, w in enumerate(tokens) if i not in loan]


def detect_language(
    text: str, *, current: str | None, reservation: str | None, default: str, phone: str | None = None
) -> LanguageDecision:
    """Decide the reply language once per turn; short or ambiguous messages keep the prior language."""
    by_phone = phone_language(phone)
    prior, prior_reason = next(
        (lang, reason)
        for lang, reason in (
            (current, "sticky"),
            (reservation, "reservation"),
            (by_phone, "phone"),
            (default, "property"),
        )
        if lang
    )
    if _KANA.search(text):
        return LanguageDecision("ja", "script", {"ja": 1.0})
    if _HAN.search(text):
        return LanguageDecision("zh", "script", {"zh": 1.0})
    originals = _without_loanwords(_WORD.findall(text))
    words = [w for w in (fold(w) for w in originals) if w not in _NEUTRAL]
    lowered = [w.lower() for w in originals]
    scores: dict[str, float] = {}
    phrases = _phrases_in([fold(w) for w in _WORD.findall(text)])
    for lang in SUPPORTED_LANGUAGES:
        held = frozenset(w for other, found in phrases.items() if other != lang for phrase in found for w in phrase)
        score = sum(1.0 for w in words if w in _FUNCTION.get(lang, ()) and w not in held)
        score += 1.0 * len(phrases.get(lang, ()))
        score += sum(1.0 for w in lowered if w in _ACCENTED.get(lang, ()))
        score += sum(1.0 for w in words if w in _OWN.get(lang, ()) or w in _SHORTHAND.get(lang, ()))
        score += sum(1.0 for w in lowered if w in _SHARED.get(lang, ()) and fold(w) not in held)
        score += sum(0.5 for w in words if w in _TOPIC_WORDS.get(lang, ()))
        score += sum(1.0 for w in lowered if _LETTERS.get(lang, frozenset()).intersection(w))
        if score:
            scores[lang] = score
    chat = {lang: n for lang, found in _CHAT.items() if (n := sum(1.0 for w in lowered if w in found))}
    if len(chat) == 1 and set(scores) <= set(chat):  # "wifi password pls": nothing else is any language's
        lang, count = next(iter(chat.items()))
        scores[lang] = scores.get(lang, 0.0) + count
    if (
        current and len(words) <= 1
    ):  # "ok", "thanks", "merci", an emoji: not enough to leave the conversation's language
        return LanguageDecision(prior, prior_reason, scores)
    read = [w for w in originals if fold(w) not in _UNREAD]
    letters = sum(len(w) for w in read)  # "qual è la": shared little words still tell lingua a lot
    if letters >= MIN_LETTERS:
        # Short texts fool statistical detectors: their say grows with the letters they are given.
        weight = DETECTOR_WEIGHT * min(1.0, letters / FULL_WEIGHT_LETTERS)
        for lang, confidence in _detector_scores(" ".join(read)).items():  # accents are evidence
            scores[lang] = round(scores.get(lang, 0.0) + weight * confidence, 3)
    if not scores:
        return LanguageDecision(prior, prior_reason, scores)
    best, best_score = max(scores.items(), key=lambda item: (item[1], item[0] == prior))
    margin = WEAK_PRIOR_MARGIN if prior_reason in WEAK_PRIORS and len(words) >= 2 else SWITCH_MARGIN
    if best != prior and best_score - scores.get(prior, 0.0) < margin:
        return LanguageDecision(prior, prior_reason, scores)
    if best == prior:
        return LanguageDecision(prior, prior_reason if best_score < SWITCH_MARGIN else "detected", scores)
    return LanguageDecision(best, "detected", scores)
