"""Whether the clock times a guest names are inside the check-in or check-out hours their entry gives.

"We arrive at 17:00, can we get in then?" names a time, but one the check-in hours already allow: the entry answers
it, no person needs to decide. Only times that say unambiguously which hour they are count: a 24-hour time ("16:00",
"18 Uhr", "17h", "16時"), an hour with am/pm, or an hour with a word of the afternoon or evening ("夕方5時", "下午三点",
"in the evening"). A bare "at 5" could be the morning: it stays a request for a person.
"""

import re
from functools import cache

from concierge.core.text import fold
from concierge.guard.lexicon import CLASSES, DATA
from concierge.guard.tokens import INTRODUCES_TIME
from knowledge.index import phrase_pattern
from knowledge.lexicon import SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_file
from knowledge.policy import Category

# Words that put a bare hour in the afternoon or evening, in every language (`data/hours.yaml`).
EVENING: tuple[str, ...] = tuple(
    fold(w) for found in language_file(DATA / "hours.yaml", SUPPORTED_LANGUAGES).values() for w in found
)
# Friends or relatives, or a pet, named beside a time: the time is when they come, not the booked guests' own
# arrival ("unos amigos vienen a cenar a las 21h, pueden entrar?"), and the request is theirs to decide.
_OTHERS = {
    category: phrase_pattern(word for found in CLASSES[name].values() for word in found)
    for category, name in ((Category.pet_exception, "animal"), (Category.extra_guests, "companions"))
}
_CJK_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CJK_NUMBER = r"(十[一二]?|[一二两三四五六七八九])"
# An hour: digits with minutes, a unit (h, uhr, u, am, pm) or a Japanese or Chinese hour sign after it. A Latin unit
# is a word of its own: "4 amigos", "2 hijos" name no hour.
_HOUR = re.compile(
    rf"(?<![\d:.,])({INTRODUCES_TIME})?(\d{{1,2}})(?:[:.h](\d{{2}}))?\s?(am|pm|a\.m\.|p\.m\.|uhr|h|u|時|时|点)?"
    r"(?<![a-z](?=[a-z]))"
    r"(?!\d|[:.,]\d|\s?(?:%|€|kg|km|min))"
)
_CJK_HOUR = re.compile(_CJK_NUMBER + r"[点時时]")
_ENTRY_HOUR = re.compile(r"(?<![\d:])([01]?\d|2[0-3])[:.]([0-5]\d)(?!\d)")


def entry_hour(text: str) -> int | None:
    """The hour an entry's text gives first ("Check-in is from 15:00": 15)."""
    found = _ENTRY_HOUR.search(text)
    return int(found.group(1)) if found else None


def guest_hours(text: str) -> list[int] | None:
    """The hours a message names, each read as a 24-hour clock; None when one of them could be morning or evening."""
    folded = fold(text)
    evening = any(word in folded for word in EVENING)
    hours: list[int] = []
    for match in _HOUR.finditer(folded):
        introduced, hour, minutes = match.group(1), int(match.group(2)), match.group(3)
        unit = (match.group(4) or "").replace(".", "")
        if not unit and not minutes and not (introduced and 13 <= hour <= 23):
            return None  # "at 5", "2 kids": neither surely a time nor surely its half of the day ("verso le 19" is)
        hours.append(_clock(hour, unit, evening=evening))
    for match in _CJK_HOUR.finditer(folded):
        numeral = match.group(1)  # "六", "十", "十二": ten and what follows it
        hour = _CJK_NUMERALS[numeral] if len(numeral) == 1 else 10 + _CJK_NUMERALS[numeral[1]]
        hours.append(_clock(hour, "時", evening=evening))
    if not hours or any(h < 0 for h in hours):
        return None
    return hours


def _clock(hour: int, unit: str, *, evening: bool) -> int:
    """The hour on a 24-hour clock, or -1 when the half of the day is unknown."""
    if hour > 23:
        return -1
    if unit == "pm" or (hour < 12 and evening and unit != "am"):
        return hour + 12 if hour < 12 else hour
    if unit == "am" or hour >= 12:
        return hour
    return hour if unit in ("uhr", "h", "u") and hour >= 7 else -1  # "7h", "9 Uhr": a 24-hour time says morning


def inside_hours(text: str, entry_text: str, *, arriving: bool) -> bool:
    """Whether every time the message names is inside the entry's hours: from its check-in hour on (`arriving`), or
    up to its check-out hour."""
    hours, policy = guest_hours(text), entry_hour(entry_text)
    if hours is None or policy is None:
        return False
    return all(h >= policy for h in hours) if arriving else all(h <= policy for h in hours)


def without_times(text: str) -> str:
    """The folded text without the clock times it names (so that "六点" is not read as a word asking for a time)."""
    return _CJK_HOUR.sub(" ", _HOUR.sub(" ", fold(text)))


# Words of the guest's own travel per language (`data/travel.yaml`), and what ends a clause.
_TRAVEL = {
    language: phrase_pattern(found)
    for language, found in language_file(DATA / "travel.yaml", SUPPORTED_LANGUAGES).items()
}
_CLAUSE_END = re.compile(r"[,;:!?\n\uff0c\u3002\uff1f\uff01\uff1b\u3001]|\.(?!\d)")
_TRAVEL_GAP = 5  # words at most between a travel word and the hour told after it ("flight home isn't until 7pm")
# Words that start another clause in that gap ("late flight home so could we stay till 4": the hour is asked for).
_BREAKS = {
    language: phrase_pattern(found)
    for language, found in language_file(DATA / "travel_breaks.yaml", SUPPORTED_LANGUAGES).items()
}


def without_travel_times(text: str, *, language: str) -> str:
    """The folded text without the hours of the guest's own travel, each with the word it is told beside ("our flight
    is at 6pm", "el tren sale a las 18h", "18時のフライト", "火车下午四点"): when a plane, train or boat leaves or lands
    is no hour asked for the house. Only the first hour after a travel word in its clause, or one right before it."""
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    breaks = [_BREAKS.get(code) for code in (language, "en")]
    for pattern in dict.fromkeys(_TRAVEL.get(code) for code in (language, "en")):
        for word in pattern.finditer(folded) if pattern else ():
            hours = [m for regex in (_HOUR, _CJK_HOUR) for m in regex.finditer(folded) if m.group(0).strip()]
            after = [
                m
                for m in hours
                if m.start() >= word.end() and _close(folded[word.end() : m.start()], breaks, _TRAVEL_GAP)
            ]
            before = [
                m for m in hours if m.end() <= word.start() and _close(folded[m.end() : word.start()], breaks, 1, 4)
            ]
            if after:
                spans.append((word.start(), min(after, key=lambda m: m.start()).end()))
            elif before:
                spans.append((max(before, key=lambda m: m.end()).start(), word.end()))
    kept = "".join(" " if any(start <= i < end for start, end in spans) else ch for i, ch in enumerate(folded))
    return re.sub(r" {2,}", "  ", kept) if spans else folded


def _close(gap: str, breaks: list[re.Pattern[str] | None], words: int, chars: int = 40) -> bool:
    """Whether a gap between a travel word and an hour keeps them in one phrase: no clause ends in it, few words."""
    broken = _CLAUSE_END.search(gap) or any(p and p.search(gap) for p in breaks)
    return len(gap) <= chars and not broken and len(re.findall(r"\w+", gap)) <= words


def others_named(text: str, *, language: str | None = None) -> Category | None:
    """The request a message is about when it names a pet (pets) or friends or relatives (extra guests), else None.
    With `language`, only that language's words and English count: "prima" is a cousin in Spanish, but "invece che
    prima" is Italian for "instead of earlier"."""
    folded = fold(text)
    found_in = _own_others(language) if language else _OTHERS
    return next((category for category, found in found_in.items() if found and found.search(folded)), None)


@cache
def _own_others(language: str) -> dict[Category, re.Pattern[str] | None]:
    """`_OTHERS` with the words of one language and English only."""
    return {
        category: phrase_pattern(
            word for code in dict.fromkeys((language, "en")) for word in CLASSES[name].get(code, ())
        )
        for category, name in ((Category.pet_exception, "animal"), (Category.extra_guests, "companions"))
    }


# Midnight in every language, an hour after it in words ("until one in the morning": `data/small_hours.yaml`), and
# the words that end a bare hour ("till 1"), folded (`data/midnight.yaml`, `data/until.yaml`).
_MIDNIGHT, _SMALL_HOURS = (
    phrase_pattern(w for found in language_file(DATA / name, SUPPORTED_LANGUAGES).values() for w in found)
    for name in ("midnight.yaml", "small_hours.yaml")
)
_UNTIL = "|".join(
    sorted(
        {
            re.escape(fold(w))
            for found in language_file(DATA / "until.yaml", SUPPORTED_LANGUAGES).values()
            for w in found
        },
        key=len,
        reverse=True,
    )
)
_ENDS_WITH_UNTIL = re.compile(rf"(?<!\w)(?:{_UNTIL})\s+(?:[^\W\d]+\.?\s+){{0,2}}$")
_ENTRY_EVENING = 18  # a rule entry's hours from this one on are when quiet hours start or a place closes


def late_hours(text: str) -> list[int]:
    """The hours a message names, read as the end of an evening ("till 1": 25, "till 11.30": 23, "bis 23 Uhr": 23,
    "até a meia-noite": 24, "bis ein Uhr nachts": 25, "夜11時": 23); morning hours ("till 11 Uhr", "at 9am") are
    left out."""
    folded = fold(text)
    evening = any(word in folded for word in EVENING)
    hours = [24] if _MIDNIGHT and _MIDNIGHT.search(folded) else []
    hours += [25] if _SMALL_HOURS and _SMALL_HOURS.search(folded) else []
    for match in _HOUR.finditer(folded):
        hour, minutes, unit = int(match.group(2)), match.group(3), (match.group(4) or "").replace(".", "")
        if not unit and not minutes and not _ENDS_WITH_UNTIL.search(folded[: match.start(2)]):
            continue  # "2 kids", "for 3 hours": no hour
        if hour == 12 and not unit and not minutes and not evening:
            continue  # "till 12 on saturday": noon as likely as midnight
        hours.append(_night(hour, unit, evening=evening or not unit))
    for match in _CJK_HOUR.finditer(folded):
        numeral = match.group(1)
        hours.append(
            _night(
                _CJK_NUMERALS[numeral] if len(numeral) == 1 else 10 + _CJK_NUMERALS[numeral[1]], "時", evening=evening
            )
        )
    return [h for h in hours if h >= _ENTRY_EVENING]


_AM_HOUR = re.compile(r"\d\s*a\.?m\b")


def names_the_night(text: str) -> bool:
    """Whether a message puts its hours at night: an evening word ("tonight", "ce soir", "今晚"), midnight, an hour
    after it in words, or "1am". "could we stay on till 3 on sunday?" has none: 3 is as likely the afternoon."""
    folded = fold(text)
    return (
        any(word in folded for word in EVENING)
        or bool(_MIDNIGHT and _MIDNIGHT.search(folded))
        or bool(_SMALL_HOURS and _SMALL_HOURS.search(folded))
        or bool(_AM_HOUR.search(folded))
    )


def _night(hour: int, unit: str, *, evening: bool) -> int:
    """An hour on a clock that runs on past midnight (1 at night is 25), or -1 when it is no hour."""
    if hour > 24:
        return -1
    if unit == "am":
        return hour + 24 if hour < 6 or hour == 12 else hour
    if unit == "pm":
        return hour + 12 if hour < 12 else hour
    if hour < 6 or hour == 24:
        return hour + 24 if hour < 6 else 24
    if hour == 12:
        return 24 if evening else 12
    return hour + 12 if hour < 12 and evening else hour


def past_evening_limit(text: str, entry_texts: list[str]) -> bool:
    """Whether the message names an hour later than the evening hour a rule entry gives (quiet hours from 22:00, a hot
    tub open until 22:00): "music till 1", "bis ca. 23 Uhr", "até a meia-noite" ask to bend that rule."""
    limits = [
        int(m.group(1)) for t in entry_texts for m in _ENTRY_HOUR.finditer(t) if int(m.group(1)) >= _ENTRY_EVENING
    ]
    return bool(limits) and any(h > min(limits) for h in late_hours(text))


# Friends or relatives named beside a gathering ("unos amigos vienen a cenar", "degli amici per una grigliata"): an
# evening the guests host at the house, whose hour is when it ends. A gathering word may begin a longer one ("cena",
# "cenar"; "grill", "grillen").
_HOSTING = {
    language: (
        re.compile(
            rf"(?<!\w)(?:{'|'.join(re.escape(fold(w)) for w in CLASSES['companions'].get(language, ()))})(?!\w)"
        ),
        re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(fold(w)) for w in CLASSES['gathering'].get(language, ()))})"),
    )
    for language in SUPPORTED_LANGUAGES
    if CLASSES["companions"].get(language) and CLASSES["gathering"].get(language)
}


def names_a_gathering(text: str, *, language: str) -> bool:
    """Whether a message names friends or relatives and a gathering ("vienen unos amigos a cenar")."""
    patterns = _HOSTING.get(language)
    folded = fold(text)
    return patterns is not None and all(p.search(folded) for p in patterns)
