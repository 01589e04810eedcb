"""The party a guest says will stay, and the maximum the house rules give (concierge/guard/headcount.py)."""

import pytest

from concierge.guard.headcount import maximum_guests, party_size


@pytest.mark.parametrize(
    ("language", "text", "size"),
    [
        ("en", "my sister decided to come after all so there will be 5 of us, is that alright?", 5),
        ("en", "we are 2 adults plus a baby of 4 months", 3),
        ("es", "al final seríamos 6, ¿pasa algo?", 6),
        ("fr", "on sera 5 adultes et un bébé", 6),
        ("de", "Wir wären zu fünft, also 5 Personen", 5),
        ("it", "saremmo in 5 con il neonato", 5),
        ("nl", "we zijn met 7 personen", 7),
        ("pl", "będzie nas 4 dorosłych i niemowlę", 5),
        ("zh", "我们一共6个人", 6),
        ("nl", "mijn schoonouders komen ook, dan zijn we met acht", 8),
        ("en", "that'd make us 8, hope that's fine", 8),
        ("it", "possiamo stare in 8?", 8),
        ("fr", "nous serons huit personnes", 8),
        ("zh", "我们一共八个人", 8),
    ],
)
def test_the_party_is_counted_however_it_is_said(language: str, text: str, size: int) -> None:
    assert party_size(text, language=language) == size


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "our flight lands at 6am, can we leave the bags somewhere?"),
        ("en", "is the cot suitable for an 8 month old?"),
        ("es", "llegamos a las 15:30 con el bebé"),
        ("de", "Wir kommen am 5. an"),
        ("en", "we'll be there at eight, where do we park?"),
        ("it", "sei sicuro che il parcheggio è gratis?"),
    ],
)
def test_times_ages_and_dates_are_no_headcount(language: str, text: str) -> None:
    assert party_size(text, language=language) is None


@pytest.mark.parametrize(
    ("text", "most"),
    [
        ("Maximum 4 guests. No parties or events.", 4),
        ("Quiet hours from 22:00. Max. 6 people, no tents.", 6),
        ("4 personnes maximum. Ni fêtes ni événements.", 4),
        ("Höchstens 3 Gäste (das Schlafsofa zählt mit).", 3),
        ("Quiet hours from 23:00 to 8:00. No pets.", None),
    ],
)
def test_the_maximum_is_read_from_the_rules_entry(text: str, most: int | None) -> None:
    assert maximum_guests({"topic": "house_rules", "content": {"en": text}}) == most


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Könnten Sie uns für heute Abend einen Tisch für 4 Personen reservieren?"),
        ("en", "could you book a boat trip for 6 people on saturday?"),
    ],
)
def test_a_table_booked_for_us_is_no_headcount(language: str, text: str) -> None:
    assert party_size(text, language=language) is None
