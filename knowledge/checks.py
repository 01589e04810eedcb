"""Content checks on knowledge entries: does a non-sensitive entry carry something that looks like an access code?
Which entries does a reply quote (the evals' and the marked cases' judge of "answered with")?"""

import re
from datetime import date
from typing import Any

from concierge.core.text import fold

# Words that introduce an access code, folded (lowercase, no accents), in the supported languages.
_CODE_WORDS = (
    r"code|codes|codigo|codice|kod|kodu|pin|passcode|keycode|keypad|combination|combinacion|combinazione"
    r"|combinaison|zahlencode|turcode|tuercode|zugangscode|toegangscode|deurcode|cijfercode|clave"
    r"|暗証番号|暗号|ドアコード|コード|门禁码|门锁密码|密码锁|开门密码"
)
# ...unless they name something else: a postal code, a country calling code, a dress code.
_NOT_ACCESS = re.compile(r"(?:zip|post|postal|area|country|dress|promo|discount|qr)\s*$|^\s*(?:postal|postale|zip)\b")
_CODE = re.compile(
    rf"(?<![a-z])(?P<word>{_CODE_WORDS})(?P<gap>[^\d+]{{0,40}}?)(?P<digits>(?<![\d+])\d{{3,8}}(?![\d:.,]\d))",
    re.UNICODE,
)


def looks_like_code(text: str) -> str | None:
    """The fragment that looks like an access code ("code: 4821"), or None; a heuristic, tuned to not
    flag times ("15:00"), prices, addresses without a code word, postal codes or Wi-Fi passwords."""
    folded = fold(text)
    for match in _CODE.finditer(folded):
        before = folded[max(0, match.start() - 12) : match.start()]
        after = match.group("gap")
        if _NOT_ACCESS.search(before) or _NOT_ACCESS.search(after):
            continue
        if "\n" in after or re.search(r"[.!?。]\s", after):  # the number belongs to another sentence
            continue
        return match.group(0).strip()
    return None


def in_effect(entry: dict[str, Any], *, today: date) -> bool:
    """Whether an entry applies today (its optional effective dates are inclusive, in the property's zone)."""
    starts, ends = entry.get("effective_from"), entry.get("effective_until")
    if starts and today < date.fromisoformat(str(starts)):
        return False
    return not (ends and today > date.fromisoformat(str(ends)))


def entries_in_effect(entries: list[dict[str, Any]], *, today: date) -> list[dict[str, Any]]:
    """The entries that apply today; the others are invisible to retrieval and the responder."""
    return [entry for entry in entries if in_effect(entry, today=today)]


_DIGIT_RUN = re.compile(r"(?<!\d)\d{3,}(?!\d)")


def digit_runs(text: str) -> set[str]:
    """Every run of three or more digits in a text ("4821", "2024"; "15:00" has none)."""
    return set(_DIGIT_RUN.findall(text))


def _name(entry: dict[str, Any]) -> str:
    return f"{entry.get('topic')!s} ({entry.get('title')!s})"


def secret_digits_in_the_open(entries: list[dict[str, Any]], *, where: str = "knowledge") -> list[str]:
    """A problem for every non-sensitive entry that contains a digit run of a sensitive entry (a door code written
    into the garage instructions reaches anyone who asks about the garage), naming both entries."""
    owners: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if entry.get("sensitive"):
            for text in (entry.get("content") or {}).values():
                for run in digit_runs(str(text)):
                    owners.setdefault(run, entry)
    problems = []
    for index, entry in enumerate(entries):
        if entry.get("sensitive"):
            continue
        for language, text in (entry.get("content") or {}).items():
            for run in sorted(digit_runs(str(text)) & owners.keys()):
                problems.append(
                    f"{where}[{index}].content.{language}: the entry {_name(entry)} contains {run}, a number of the "
                    f"sensitive entry {_name(owners[run])}: remove it, or mark this entry sensitive"
                )
    return problems


MIN_SENTENCE = 20
_SENTENCE_END = re.compile(r"(?<=[.!?;。；])\s+|(?<=[。；！？])")


def sentences(entry: dict[str, Any]) -> list[str]:
    """The entry's sentences long enough to identify it, in every language, whitespace collapsed."""
    found = []
    for text in entry["content"].values():
        for part in _SENTENCE_END.split(" ".join(str(text).split())):
            part = part.strip()
            if len(part) >= MIN_SENTENCE:
                found.append(part)
    return found


def cited_topics(reply: str, entries: list[dict[str, Any]]) -> list[str]:
    """The topics of the entries the reply quotes at least one sentence of."""
    flat = " ".join(reply.split())
    return [e["topic"] for e in entries if any(s in flat for s in sentences(e))]
