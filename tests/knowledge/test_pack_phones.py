"""Pack phone numbers: written the way people write them, stored as E.164; impossible ones refused with
`path: message`."""

import pytest
from sqlmodel import select

from concierge.core.db import session_scope
from concierge.core.errors import InvalidInput
from knowledge import service as knowledge_service
from knowledge.models import PropertyNumber, StaffMember
from knowledge.pack import e164, parse_pack
from tests.factories import pack_data


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("+34 600 000 001", "+34600000001"),
        ("+1 (500) 555-0006", "+15005550006"),
        ("whatsapp:+1 500 555 0006", "whatsapp:+15005550006"),
        ("+44 7700 900123", "+447700900123"),
        ("+34600000001", "+34600000001"),
    ],
)
def test_numbers_are_normalised_to_e164(written: str, stored: str) -> None:
    assert e164(written) == stored


def test_a_pack_with_spaced_numbers_imports_them_normalised(database_url: str) -> None:
    data = pack_data()
    data["property"]["phone_numbers"] = ["+1 500 555 0006", "whatsapp:+1 (500) 555-0006"]
    data["staff"][0]["phone"] = "+34 600 000 001"
    data["reservations"][0]["phone"] = "+34 611 11 11 11"
    pack = parse_pack(data)
    assert pack.property.phone_numbers == ["+15005550006", "whatsapp:+15005550006"]
    assert pack.staff[0].phone == "+34600000001"
    assert pack.reservations[0].phone == "+34611111111"
    with session_scope() as session:
        prop, _ = knowledge_service.import_pack(session, pack=pack, author="test")
        numbers = session.exec(select(PropertyNumber.number).where(PropertyNumber.property_id == prop.id)).all()
        assert sorted(numbers) == ["+15005550006", "whatsapp:+15005550006"]
        staff = session.exec(select(StaffMember.phone).where(StaffMember.property_id == prop.id)).all()
        assert staff == ["+34600000001"]


def test_impossible_numbers_are_refused_with_their_path() -> None:
    data = pack_data()
    data["property"]["phone_numbers"] = ["+15005550006", "+1 500 555 0006"]  # the same number twice
    data["staff"][0]["phone"] = "+34 600"
    data["reservations"][0]["phone"] = "600000001"
    with pytest.raises(InvalidInput) as raised:
        parse_pack(data)
    assert raised.value.problems == [
        "property.phone_numbers: a number is listed twice",
        "staff[0].phone: '+34 600' is not a phone number: wrong length for +34",
        "reservations[0].phone: '600000001' is not an international number: write it with + and the country code",
    ]
