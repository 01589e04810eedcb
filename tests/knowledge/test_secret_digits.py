"""An access code outside the sensitive entries: refused at save and at import, and withheld from a guest without
access whatever entry it came from."""

from typing import Any

import pytest

from concierge.core.db import session_scope
from concierge.core.errors import InvalidInput
from knowledge import editing
from knowledge import service as knowledge_service
from knowledge.models import Property
from knowledge.pack import parse_pack
from tests.factories import ANA, STRANGER, ask, pack_data

GARAGE = {
    "topic": "parking",
    "title": "Garage",
    "sensitive": False,
    "content": {"en": "The garage gate opens when you type 4821 on the keypad."},
}


def entries_of(prop: Property) -> list[dict[str, Any]]:
    with session_scope() as s:
        assert prop.id is not None
        version = knowledge_service.published_version(s, property_id=prop.id)
        assert version is not None
        return list(version.entries)


def test_saving_a_door_code_in_a_non_sensitive_entry_is_refused_naming_both(prop: Property) -> None:
    with pytest.raises(InvalidInput) as refused, session_scope() as s:
        assert prop.id is not None
        editing.save_entry(s, property_id=prop.id, entry=dict(GARAGE), replaces="parking", author="owner@example.com")
    [problem] = refused.value.problems
    assert "parking (Garage)" in problem and "access" in problem and "4821" in problem
    assert all(e["topic"] != "parking" or "4821" not in str(e) for e in entries_of(prop))


def test_importing_a_pack_with_the_code_in_the_open_is_refused(prop: Property) -> None:
    data = pack_data()
    data["knowledge"] = [e for e in data["knowledge"] if e["topic"] != "parking"] + [GARAGE]
    with pytest.raises(InvalidInput) as refused:
        parse_pack(data)
    index = len(data["knowledge"]) - 1
    expected = f"knowledge[{index}].content.en: the entry parking (Garage)"
    assert any(p.startswith(expected) for p in refused.value.problems)


def test_the_final_check_withholds_a_code_copied_into_another_entry(prop: Property) -> None:
    # Saved before this check existed (published directly): the last line of defence must still hold.
    entries = [e for e in entries_of(prop) if e["topic"] != "parking"] + [GARAGE]
    with session_scope() as s:
        assert prop.id is not None
        knowledge_service.publish(s, property_id=prop.id, entries=entries, author="old", summary="+parking")
    stranger = ask(prop, "how do I open the garage gate?", phone=STRANGER)
    assert stranger["reply"] and "4821" not in stranger["reply"]
    assert "secret_withheld:digits" in stranger["trace"]["checks"]
    booked = ask(prop, "how do I open the garage gate?", phone=ANA)  # inside her window: she may have it
    assert "4821" in (booked["reply"] or "")
