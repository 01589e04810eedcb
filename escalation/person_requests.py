"""A guest asking for a person, in any supported language, and what we answer them."""

import re
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from concierge.core.settings import get_settings
from concierge.core.text import fold
from concierge.guard.phrases import normalize, phrase_pattern
from concierge.i18n import gettext_for
from escalation import notify
from escalation.models import Urgency
from knowledge.lexicon import SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_file
from knowledge.models import Property

# Matched on folded text (lowercase, no accents). Phrases, not single words, so "personal" or "agent orange"
# questions stay questions; "human"/"humano" alone are common enough requests to keep.
_PATTERNS = {
    "en": r"\b(talk|speak|chat|write)\w*\s+(to|with)\s+(a\s+|an\s+|the\s+|some\s*|your\s+)?"
    r"(real\s+|live\s+|actual\s+)?(person|human|body|one|agent|operator|host|owner|manager|staff|someone|somebody)"
    r"|\b(real|actual|live)\s+(person|human|agent)|\bhuman\s+(please|agent)|^\s*(human|agent|operator)\W*$"
    r"|\b(connect|transfer)\s+me\b|\bcustomer\s+service\b"
    r"|\b(someone|somebody|anyone)\s+(call|ring|phone)\s+me\b|\b(call|ring|phone)\s+me\s+back\b|\bgive\s+me\s+a\s+(call|ring)\b",
    "es": r"\bhablar\s+con\s+(una\s+|un\s+|el\s+|la\s+|alguien|algun)|\bpersona\s+real\b|\bun\s+humano\b"
    r"|\b(agente|operador|anfitrion|propietario|dueno)\b.*\bpor\s+favor\b|^\s*(humano|agente|operador)\W*$",
    "fr": r"\bparler\s+(a|avec)\s+(une\s+|un\s+|l'|le\s+|la\s+|quelqu)|\bvraie\s+personne\b|\b(un|une)\s+humain"
    r"|^\s*(humain|agent|operateur)\W*$",
    "de": r"\bmit\s+(einem|einer|jemandem|dem|der)\s*(echten\s+)?(mensch|person|mitarbeiter|gastgeber|vermieter|)\w*"
    r"\s+(sprechen|reden|schreiben)|\bechte[nr]?\s+(person|mensch)|^\s*(mensch|mitarbeiter)\W*$",
    "it": r"\bparlare\s+con\s+(una\s+|un\s+|qualcuno|l'|il\s+|la\s+)|\bpersona\s+reale\b|\bun\s+umano\b"
    r"|^\s*(umano|operatore)\W*$",
    "pt": r"\bfalar\s+com\s+(uma\s+|um\s+|alguem|o\s+|a\s+)|\bpessoa\s+real\b|\bum\s+humano\b|\batendente\b"
    r"|^\s*(humano|atendente)\W*$",
    "nl": r"\b(praten|spreken)\s+met\s+(een|iemand|de)|\bmet\s+(een\s+|iemand|de\s+)\w*\s*(praten|spreken)"
    r"|\becht(e)?\s+(persoon|mens)\b|\been\s+mens\b|^\s*(mens|medewerker)\W*$",
    "pl": r"\b(rozmawiac|porozmawiac|mowic)\s+z\s+(kims|osoba|czlowiekiem|konsultantem|gospodarzem|wlascicielem)"
    r"|\b(z\s+)?(prawdziwa|zywa)\s+osoba|\bz\s+czlowiekiem\b|^\s*(czlowiek|konsultant)\W*$",
    "ja": r"(人|担当者|スタッフ|オーナー|ホスト|オペレーター)(と|に)(話|つな|繋)|人間|担当者をお願い",
    "zh": r"人工|真人|转人|找人|(跟|和|与)(人|工作人员|房东|客服)(说话|聊|谈|沟通)|客服",
}
_ASKS = re.compile("|".join(f"(?:{p})" for p in _PATTERNS.values()))
# A person asked for sideways ("could Marta give me a quick call?"): data in the guard's phrase syntax, per language,
# matched in every language (guests mix them).
_SIDEWAYS_FILE = Path(__file__).parent / "data" / "person_requests.yaml"


def phrases_pattern(path: Path) -> re.Pattern[str]:
    """One pattern of the phrases a file holds per language; an error for a file with none, whose empty alternation
    would match every message (every guest handed to a person)."""
    phrases = [
        phrase for words in language_file(path, SUPPORTED_LANGUAGES).values() for phrase in words if phrase.strip()
    ]
    if not phrases:
        raise ValueError(f"{path} holds no phrases")
    return re.compile("|".join(phrase_pattern(phrase) for phrase in phrases))


_SIDEWAYS = phrases_pattern(_SIDEWAYS_FILE)


def asks_for_person(text: str) -> bool:
    """Whether the guest asks to talk to a person (any supported language)."""
    return bool(_ASKS.search(fold(text).replace("ł", "l")) or _SIDEWAYS.search(normalize(text)))  # ł: no fold


def person_requested_reply(session: Session, *, prop: Property, language: str, now: datetime) -> str:
    """The answer to "talk to a person": a person was alerted, and when they will reply (quiet hours aware)."""
    _ = gettext_for(language)
    until = notify.quiet_until(session, prop=prop, now=now)
    if until is not None:
        return _(
            "I have passed your message to our team. They reply from %(time)s (local time), so a person will "
            "write to you here then. If this is an emergency, tell me what is happening.",
            time=until.strftime("%H:%M"),
        )
    minutes = round(notify.sla_minutes(get_settings())[Urgency.high])
    return _(
        "I have passed your message to our team, and a person will reply to you here within about %(minutes)s minutes.",
        minutes=minutes,
    )


def already_handled_reply(language: str) -> str:
    """The answer when a hand-back already settled the same request: no new hand-off, a way to add what is new."""
    _ = gettext_for(language)
    return _(
        "Our team has already looked into this. If something has changed, tell me what is new and I will pass "
        "it on to them."
    )
