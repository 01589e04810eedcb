"""Languages left behind by an edit: the facts an edited language dropped that an untouched one still states."""

from knowledge.diff import stale_languages

BEFORE = {
    "topic": "check_in",
    "content": {
        "es": "La entrada es a partir de las 15:00.",
        "en": "Check-in is from 15:00, parking 14 €.",
        "fr": "L'arrivée se fait à partir de 15:00.",
    },
}


def _edit(**content: str) -> dict[str, object]:
    return {**BEFORE, "content": {**BEFORE["content"], **content}}  # type: ignore[dict-item]


def test_an_untouched_language_that_still_says_the_old_time_is_named() -> None:
    after = _edit(es="La entrada es a partir de las 16:00.")
    assert stale_languages(BEFORE, after) == [("en", "15:00"), ("fr", "15:00")]
    assert stale_languages(BEFORE, _edit(es="La entrada es a partir de las 16:00.", fr="À partir de 16:00.")) == [
        ("en", "15:00")
    ]


def test_nothing_to_say_when_every_language_changed_or_no_fact_was_dropped() -> None:
    everything = _edit(es="Desde las 16:00.", en="From 16:00, parking 14 €.", fr="À partir de 16:00.")
    assert stale_languages(BEFORE, everything) == []
    assert stale_languages(BEFORE, _edit(es="La entrada es desde las 15:00, sin prisa.")) == []  # wording only
    assert stale_languages(None, everything) == []  # a new entry has nothing to be stale against
