"""A short guest name must not block normal answers: names are matched as whole words, a single name shorter than
four letters is not watched (a full name is), and nothing the property published counts as a name."""

from datetime import date, timedelta

from concierge.core.db import session_scope
from concierge.guard import privacy
from concierge.guard.policy import private_leaks
from knowledge.models import Property, Reservation
from tests.factories import ANA, STRANGER, ask


def book(prop: Property, name: str, phone: str) -> None:
    with session_scope() as s:
        assert prop.id is not None
        start = date.today() + timedelta(days=40)
        s.add(Reservation(property_id=prop.id, guest_name=name, phone=phone, check_in=start, check_out=start))


def test_a_booking_for_mar_does_not_withhold_the_wifi_password(prop: Property) -> None:
    book(prop, "Mar", "+34622222222")
    for phone in (ANA, STRANGER):
        result = ask(prop, "what is the wifi password?", phone=phone)
        assert "sol-y-mar-2024" in (result["reply"] or ""), result["trace"].get("checks")
        assert not any(c.startswith("private_withheld") for c in result["trace"]["checks"])


def test_names_are_whole_words_short_single_names_and_published_words_are_not_watched() -> None:
    published = "Network CasaTest-5G, password sol-y-mar-2024. Walk to Playa Marina."
    watched = privacy.watched_names(["Mar", "Eva", "Mar Soler", "Marina", "Ana López"], published=published)
    assert watched == ["Ana López", "Mar Soler"]
    assert private_leaks("Ana López is in room 2", private=watched) == ["name"]
    assert private_leaks("Mar Soler checked out", private=watched) == ["name"]
    assert private_leaks("Ana Lópezová is not her", private=watched) == []
    assert private_leaks("password sol-y-mar-2024", private=watched) == []
