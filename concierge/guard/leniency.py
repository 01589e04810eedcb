"""Whether a guest asks for a rule to be bent rather than what the rule is (`data/leniency.yaml`).

"Would the owner mind if he smoked just one inside?", "hope it's not a problem, nothing crazy", "ausnahmsweise":
the owner's view asked sideways, a one-off, a reassurance offered with the request. "Is smoking allowed on the
balcony?" has none of them: it asks what the rule is, and the entry answers it.
"""

import re
from functools import cache

from concierge.guard.lexicon import DATA, LENIENCY
from concierge.guard.phrases import normalize, wordings_pattern
from knowledge.lexicon import SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_file

_FLEXIBILITY = language_file(DATA / "flexibility.yaml", SUPPORTED_LANGUAGES)


@cache
def _pattern(language: str) -> re.Pattern[str]:
    return wordings_pattern(LENIENCY, language)


def asks_for_leniency(text: str, *, language: str) -> bool:
    """Whether the message asks the host to tolerate something as an exception (its language's wordings, or English)."""
    return _pattern(language).search(normalize(text)) is not None


@cache
def _flexibility(language: str) -> re.Pattern[str]:
    return wordings_pattern(_FLEXIBILITY, language)


def asks_for_flexibility(text: str, *, language: str) -> bool:
    """Whether the message asks if a time can move ("any flexibility on the check-out?", "Spielraum", "延ばす":
    `data/flexibility.yaml`), in its language or English."""
    return _flexibility(language).search(normalize(text)) is not None
