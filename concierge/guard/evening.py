"""Whether a message is about an evening the guests host at the house: people over, and a party, music, drinks, a
barbecue or a dinner (`data/evening_events.yaml`, `data/evening_people.yaml`, `data/evening_home.yaml`).

"we met some lovely people on the beach, could we invite them back to ours for paella tonight?",
"友達を何人か呼んで飲み会をしてもいいですか", "周六晚上几个朋友来烧烤，可以吗？": whatever hour it ends,
such an evening is what the house rules (no parties, quiet hours) are about, and a person decides
(turn/rules.py). Each word begins a word of the message, so one stem covers its endings ("Freunden",
"znajomych", "amiche"); the message's language and English are read. Words of the house (`evening_home.yaml`)
tell an evening at the house from one out ("a bar for a birthday drink?" names no house).
"""

import re

from concierge.core.text import fold
from concierge.guard.hours import EVENING, late_hours, names_the_night, past_evening_limit
from concierge.guard.lexicon import CLASSES, DATA
from concierge.guard.spoken import with_digits
from knowledge.lexicon import SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_file

MIDNIGHT = 24  # an evening that goes on to this hour or later is one the house rules are about, whatever it is
_ELIDED_HOUR = re.compile(r"(?<=\w)'(?=\d)")  # "fino all'1": the hour after an elided word is an hour told
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)


def _pattern(found: list[str], *, whole: bool) -> re.Pattern[str] | None:
    """Words as one pattern: a Latin word starts a word (and ends one when `whole`); a Chinese or Japanese word is
    found anywhere (no spaces between words there)."""
    parts = []
    for word in sorted({fold(w) for w in found}, key=len, reverse=True):
        escaped = re.escape(word).replace(r"\ ", r"\s+")
        latin = bool(_LATIN.search(word))
        parts.append(rf"(?<!\w){escaped}(?!\w)" if latin and whole else rf"(?<!\w){escaped}" if latin else escaped)
    return re.compile("|".join(parts)) if parts else None


def _per_language(
    name: str, *, whole: bool, extra: str | None = None, without: str | None = None
) -> dict[str, re.Pattern[str] | None]:
    found = language_file(DATA / name, SUPPORTED_LANGUAGES)
    left_out = language_file(DATA / without, SUPPORTED_LANGUAGES) if without else {}
    return {
        language: _pattern(
            [
                w
                for w in [*found.get(language, ()), *(CLASSES[extra].get(language, ()) if extra else ())]
                if w not in left_out.get(language, ())
            ],
            whole=whole,
        )
        for language in SUPPORTED_LANGUAGES
    }


_EVENTS = _per_language("evening_events.yaml", whole=False)
_LOUD = _per_language("evening_loud.yaml", whole=False)
_PEOPLE = _per_language("evening_people.yaml", whole=False, extra="companions")
# Friends and relatives, not "guests" or "people": beside an hour alone, those may be the house's next guests.
_FRIENDS = _per_language("evening_people.yaml", whole=False, extra="companions", without="evening_guests.yaml")
_OTHERS = _per_language("evening_others.yaml", whole=False)
_INVITE = _per_language("evening_invite.yaml", whole=False)
_HOME = _per_language("evening_home.yaml", whole=True)
_OUT = _per_language("evening_out.yaml", whole=True)


def _names(patterns: dict[str, re.Pattern[str] | None], folded: str, language: str) -> bool:
    return any(p is not None and p.search(folded) for p in (patterns.get(language), patterns.get("en")))


def hosts_an_evening(text: str, *, language: str) -> bool:
    """Whether the message names people over and an evening with them (a party, music, drinks, a barbecue), or
    people over until past midnight ("vengono degli amici, possiamo stare sul balcone fino alle due di notte?")."""
    folded = fold(text)
    if not _names(_PEOPLE, folded, language) or someone_elses(text, language=language):
        return False
    if _names(_EVENTS, folded, language):
        return True
    return (
        _names(_FRIENDS, folded, language)
        and names_the_night(text)
        and any(h >= MIDNIGHT for h in night_hours(text, language=language))
    )


def someone_elses(text: str, *, language: str) -> bool:
    """Whether the evening is someone else's: the neighbours, the people upstairs or next door, and no word of
    inviting them ("the people upstairs have been playing music till 1am", `evening_others.yaml`)."""
    folded = fold(text)
    return _names(_OTHERS, folded, language) and not _names(_INVITE, folded, language)


def loud(text: str, *, language: str) -> bool:
    """Whether the evening is one the quiet hours are about: a party or music (`evening_loud.yaml`), or an hour of
    the night. A candle-light dinner for two is not."""
    folded = fold(text)
    return _names(_LOUD, folded, language) or any(h >= 22 for h in night_hours(text, language=language))


def at_the_house(text: str, *, language: str) -> bool:
    """Whether the message puts its evening at the house ("back to ours", "chez nous", "来家里", "in the garden")."""
    return _names(_HOME, fold(text), language)


def goes_out(text: str, *, language: str) -> bool:
    """Whether the message asks for a place out and names none of the house ("friends for dinner, a restaurant
    nearby?", `evening_out.yaml`)."""
    folded = fold(text)
    return _names(_OUT, folded, language) and not _names(_HOME, folded, language)


def night_hours(text: str, *, language: str) -> list[int]:
    """The evening hours a message names in digits or in words ("bis halb zwölf", "tot een uur of 12 's nachts"), read
    as the end of an evening (guard/hours.py `late_hours`: 1 at night is 25)."""
    folded = _ELIDED_HOUR.sub(" ", fold(text))
    return late_hours(folded) + late_hours(with_digits(folded, language))


def stays_up_past(text: str, entry_texts: list[str], *, language: str) -> bool:
    """Whether the message asks about this evening going on past the evening hour a rule entry gives, in digits or
    in words ("Mogen we vanavond tot half 12 op het terras blijven zitten?" beside quiet hours from 22:00): an
    evening word ("tonight", "vanavond", "今晚") says the hour is the evening's, not an arrival's."""
    folded = _ELIDED_HOUR.sub(" ", fold(text))
    if not any(word in folded for word in EVENING):
        return False
    return any(past_evening_limit(t, entry_texts) for t in (folded, with_digits(folded, language)))
