"""Property packs: stays given relative to the day of the import ("today-1", "today+8")."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from concierge.core.errors import InvalidInput
from concierge.core.modelbase import utcnow
from knowledge.pack import dump_pack, load_pack_file, parse_pack
from tests.factories import ROOT, pack_data


def _with_stay(check_in: str, check_out: str, timezone: str = "Europe/Madrid") -> dict[str, object]:
    data = pack_data()
    data["property"]["timezone"] = timezone
    data["reservations"][0] |= {"check_in": check_in, "check_out": check_out}
    return data


def test_relative_stays_are_days_from_today_at_the_property() -> None:
    for zone in ("Europe/Madrid", "Pacific/Kiritimati", "Pacific/Pago_Pago"):  # UTC+14 and UTC-11
        today = utcnow().astimezone(ZoneInfo(zone)).date()
        pack = parse_pack(_with_stay("today-1", "today + 4", zone))
        stay = pack.reservations[0]
        assert (stay.check_in, stay.check_out) == (today - timedelta(days=1), today + timedelta(days=4)), zone
        assert parse_pack(_with_stay("today", "today+8", zone)).reservations[0].check_in == today


def test_a_bad_relative_date_is_reported_with_its_path() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_pack(_with_stay("tomorrow", "today+x"))
    assert any(p.startswith("reservations[0].check_in: ") for p in caught.value.problems)
    assert any(
        p.startswith("reservations[0].check_out: 'today+x' is not a date: use YYYY-MM-DD, today, today+N or today-N")
        for p in caught.value.problems
    )
    with pytest.raises(InvalidInput) as order:
        parse_pack(_with_stay("today+2", "today+1"))
    assert order.value.problems == ["reservations[0]: check_out must be after check_in"]


def test_the_demo_pack_has_a_guest_staying_now_and_one_arriving_soon() -> None:
    pack = load_pack_file(ROOT / "examples" / "casa-azul.yaml")
    today = utcnow().astimezone(ZoneInfo(pack.property.timezone)).date()
    ana, john = pack.reservations
    assert ana.check_in < today < ana.check_out
    assert today + timedelta(days=1) < john.check_in <= today + timedelta(days=14)
    exported = dump_pack(pack)  # export writes the dates the import resolved, never "today"
    assert "today" not in exported and ana.check_in.isoformat() in exported
