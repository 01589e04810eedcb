"""Whether a change of dates makes the stay longer at its end (`data/longer_stay.yaml`).

"Could we keep the flat one more night?", "quedarnos una noche más", "延泊できますか" ask for a later departure: the
check-out entry is the policy a person decides on, not the refund policy that moving or shortening a booking quotes.
"""

import re
from functools import cache

from concierge.guard.lexicon import DATA
from concierge.guard.phrases import normalize, wordings_pattern
from knowledge.lexicon import SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_file

_LONGER = language_file(DATA / "longer_stay.yaml", SUPPORTED_LANGUAGES)


@cache
def _pattern(language: str) -> re.Pattern[str]:
    return wordings_pattern(_LONGER, language)


def extends_stay(text: str, *, language: str) -> bool:
    """Whether the message asks to stay longer at the end (its language's wordings, or English)."""
    return _pattern(language).search(normalize(text)) is not None
