"""Output checks on a model's reply before it may reach a guest.

Deterministic and cheap: every code, number, time, price, phone, email and link must appear in the
context the model was given; sensitive content only when the secrets policy allows; no refund, discount,
compensation, early check-in, late check-out, extra night or extra guest granted (promises.py: judged by what a
sentence grants, quoting the property's written policy is allowed); the reply
is in the turn's language and fits a text message. Findings name a kind for the trace (never the value)
and a detail for the regeneration request to the model.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from concierge.core.text import fold
from concierge.guard.promises import promised
from concierge.i18n.detect import detect_language

MAX_REPLY_CHARS = 1200
LANGUAGE_EVIDENCE = 2.0  # function-word score of another language that marks a reply as written in it
MIN_FOREIGN_WORDS = 3  # Latin words a Japanese or Chinese reply needs (besides quotes) to count as another language

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]]+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\(?\d[\d ().-]{7,}\d")
_AMPM = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s?m\b\.?", re.IGNORECASE)
_TIME = re.compile(r"(?<![\w.:])([01]?\d|2[0-3])(?::([0-5]\d)(?!\d)|h([0-5]\d)?\b)")
_HHMM = re.compile(r"\b\d{2}:\d{2}\b")
_DIGIT_TOKEN = re.compile(r"[\w+:/.-]*\d[\w+:/.-]*")
_DIGITS = re.compile(r"\d+")
_LETTERS = re.compile(r"[^\W\d_]")
# A number with a unit or ordinal suffix ("3pm", "15h", "1st", "20km"): only its number must be grounded.
_NUMBER_WITH_SUFFIX = re.compile(r"^\d+(?:[.,:]\d+)?(?:st|nd|rd|th|er|e|o|a|h|hs|am|pm|min|mins|km|m|kg|x)?$")
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@dataclass(frozen=True)
class OutputContext:
    grounding: list[str]  # texts the reply may quote: the entries given to the model and booking facts
    secrets: list[str]  # sensitive texts this guest may not receive now
    policy: list[str]  # the published knowledge base, where a refund or late check-out policy would be stated
    language: str  # the turn's reply language
    quoted: list[str] = field(default_factory=list)  # the guest's words: may be echoed, never confirm a secret


@dataclass(frozen=True)
class Finding:
    kind: str  # for the trace: "ungrounded_number", "secret", "promise:refund", "language", …
    detail: str  # for the model's second try; may quote the reply, never a secret

    def __str__(self) -> str:
        return self.kind


def check_reply(reply: str, context: OutputContext) -> list[Finding]:
    """Every reason this reply may not be sent; an empty list means it may."""
    findings: list[Finding] = []
    if not reply.strip():
        return [Finding("empty", "the reply is empty")]
    if len(reply) > MAX_REPLY_CHARS:
        findings.append(Finding("too_long", f"the reply is longer than {MAX_REPLY_CHARS} characters"))
    findings += _secrets(reply, context)
    if not any(f.kind == "secret" for f in findings):
        findings += _ungrounded(reply, [*context.grounding, *context.quoted])
    findings += _promises(reply, context.policy, context.language)
    findings += _language(_unquoted(reply, context.grounding), context.language)
    return findings


def _unquoted(reply: str, grounding: list[str]) -> str:
    """The reply without the owner's texts it quotes word for word: an entry written only in Spanish may be quoted
    to a Portuguese guest (as the offline responder does); the reply's own words must be in the guest's language."""
    flat = " ".join(reply.split())
    for text in sorted({" ".join(t.split()) for t in grounding}, key=len, reverse=True):
        if len(text) >= 20 and text in flat:
            flat = flat.replace(text, " ")
    return flat


@lru_cache(maxsize=512)  # the same knowledge texts are normalized turn after turn
def _normalize(text: str) -> str:
    """Folded text with times as zero-padded 24-hour "HH:MM" ("3 pm", "15h", "9.30" alike on both sides)."""

    def from_12h(match: re.Match[str]) -> str:
        hour, minutes, half = int(match.group(1)) % 12, match.group(2) or "00", match.group(3).lower()
        return f"{hour + 12 if half == 'p' else hour:02d}:{minutes}"

    def padded(match: re.Match[str]) -> str:
        return f"{int(match.group(1)):02d}:{match.group(2) or match.group(3) or '00'}"

    return _TIME.sub(padded, _AMPM.sub(from_12h, fold(text)))


def _times(text: str) -> set[str]:
    return set(_HHMM.findall(text))


def _contains(text: str, token: str) -> bool:
    """`token` occurs in `text` as a whole word ("20" is not in "2024")."""
    return re.search(rf"(?<!\w){re.escape(token)}(?!\w)", text) is not None


def _numbers(text: str) -> set[int]:
    return {int(d) for d in _DIGITS.findall(text)}


def _phones(text: str) -> set[str]:
    found = set()
    for match in _PHONE.findall(text):
        digits = re.sub(r"\D", "", match)
        if len(digits) >= 9:
            found.add(digits)
    return found


def _ungrounded(reply: str, grounding: list[str]) -> list[Finding]:
    haystack = _normalize("\n".join(grounding))
    compact = re.sub(r"\s+", " ", haystack)
    known_numbers = _numbers(haystack) | {int(p) for p in _phones(haystack)}
    known_phones = _phones(haystack)
    text = _normalize(reply)
    findings: list[Finding] = []
    for pattern, kind in ((_URL, "ungrounded_link"), (_EMAIL, "ungrounded_email")):
        for match in pattern.findall(text):
            value = match.rstrip(".,;:!?")
            if value not in compact:
                findings.append(Finding(kind, f"{value!r} is not in the FACTS"))
        text = pattern.sub(" ", text)
    for match in _PHONE.findall(text):
        digits = re.sub(r"\D", "", match)
        if len(digits) >= 9:
            if digits not in known_phones:
                findings.append(Finding("ungrounded_phone", f"{match.strip()!r} is not in the FACTS"))
            text = text.replace(match, " ")
    known_times = _times(haystack)
    for value in _times(text):
        if value not in known_times:
            findings.append(Finding("ungrounded_time", f"{value!r} is not in the FACTS"))
    text = _HHMM.sub(" ", text)
    for token in _DIGIT_TOKEN.findall(text):
        token = token.strip(".,;:!?-/")
        if not token or _contains(compact, token):
            continue
        mixed = _LETTERS.search(token) and not _NUMBER_WITH_SUFFIX.match(token)
        if mixed:  # a code or password like "sol-y-mar-2025" must appear exactly as written
            findings.append(Finding("ungrounded_code", f"{token!r} is not in the FACTS"))
            continue
        value = re.sub(r"[.,]0+$", "", token)  # "50.00" is the 50 of the facts
        missing = [d for d in _DIGITS.findall(value) if int(d) not in known_numbers]
        if missing:
            findings.append(Finding("ungrounded_number", f"{token!r} is not in the FACTS"))
    return findings


def _secrets(reply: str, context: OutputContext) -> list[Finding]:
    if not context.secrets:
        return []
    public = _normalize("\n".join(context.grounding))
    text = _normalize(reply)
    for secret in context.secrets:
        folded = _normalize(secret)
        if folded.strip() and folded.strip() in text:
            return [Finding("secret", "the reply contains access details this guest may not receive")]
        for token in _DIGIT_TOKEN.findall(folded):
            token = token.strip(".,;:!?-/")
            if len(token) >= 3 and not _contains(public, token) and _contains(text, token):
                return [Finding("secret", "the reply contains access details this guest may not receive")]
    return []


def promises(reply: str, policy: list[str], *, language: str = "en") -> list[str]:
    """What a reply commits the house to beyond quoting the stated policy: refund, discount, … (normally nothing)."""
    return promised(reply, policy, language=language)


def _promises(reply: str, policy: list[str], language: str) -> list[Finding]:
    return [
        Finding(
            f"promise:{category}",
            f"the reply grants or promises {category.replace('_', ' ')}; only people may grant that: quote the "
            "property's written policy word for word and say that a member of the team will follow up",
        )
        for category in promised(reply, policy, language=language)
    ]


def _language(reply: str, language: str) -> list[Finding]:
    reply = _EMAIL.sub(" ", _URL.sub(" ", reply))  # "casa.test/guide" is an address, not Portuguese
    if not re.search(r"[^\W\d_]", reply):  # nothing of its own to judge (only quotes, numbers)
        return []
    has_cjk = bool(_CJK.search(reply))
    if language in ("ja", "zh"):
        # A few Latin words of its own ("Code: 4821.", "Wi-Fi") beside quoted owner's text are no other language.
        wrong = not has_cjk and len(re.findall(r"[^\W\d_]{2,}", reply)) >= MIN_FOREIGN_WORDS
        detected = "other" if wrong else language
    else:
        decision = detect_language(reply, current=language, reservation=None, default=language)
        detected, scores = decision.language, decision.scores
        # The detector is tuned for guests' short messages: reject only on clear evidence of another language.
        clear = decision.reason == "script" or scores.get(detected, 0.0) >= LANGUAGE_EVIDENCE
        wrong = detected != language and clear and scores.get(language, 0.0) * 2 <= scores.get(detected, 0.0)
    if wrong:
        return [Finding("language", f"the reply is not in the guest's language ({language}) but in {detected}")]
    return []


_DIGIT_RUN = re.compile(r"(?<!\d)\d{3,}(?!\d)")


def withheld_digits(reply: str, sensitive_texts: list[str]) -> bool:
    """Whether a reply carries any run of three or more digits of a sensitive entry, whichever entry it came from.

    The final check for a guest without access: a door code the owner also wrote into the garage instructions is
    still the door code, so it is withheld even though a non-sensitive entry grounds it."""
    secret = {run for text in sensitive_texts for run in _DIGIT_RUN.findall(text)}
    return bool(secret) and not secret.isdisjoint(_DIGIT_RUN.findall(reply))
