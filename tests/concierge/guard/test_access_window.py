"""Property-based tests of the access window: midnight, DST changes and time zones far from UTC."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from concierge.guard.secrets import CHECK_IN_HOUR, CHECK_OUT_HOUR, Access, access_for, access_window
from knowledge.models import Property, Reservation

# DST in both hemispheres, half- and quarter-hour offsets, the date line on both sides, a zone that changes at
# midnight, and UTC.
ZONES = (
    "Europe/Madrid",
    "America/New_York",
    "America/Santiago",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "America/Havana",
    "Asia/Beirut",
    "UTC",
)


def offset_changes(zone: str) -> list[date]:
    """Days on which the zone's UTC offset changes (DST starts or ends), 2025–2028."""
    tz = ZoneInfo(zone)
    days = [date(2025, 1, 1) + timedelta(days=i) for i in range(4 * 366)]
    noon = [datetime.combine(d, CHECK_OUT_HOUR, tz).utcoffset() for d in days]
    return [d for d, before, after in zip(days[1:], noon, noon[1:], strict=False) if before != after]


CHANGES = sorted({d for zone in ZONES for d in offset_changes(zone)})
zones = st.sampled_from(ZONES)
# Half the check-in days fall within a few days after some zone's DST change, where wall-clock arithmetic breaks.
check_ins = st.one_of(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
    st.builds(lambda d, k: d + timedelta(days=k), st.sampled_from(CHANGES), st.integers(0, 3)),
)
nights = st.integers(min_value=1, max_value=30)
hours = st.one_of(st.integers(min_value=0, max_value=96), st.integers(min_value=0, max_value=24 * 14))
minutes = st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60)


def stay(zone: str, check_in: date, n: int, window: int) -> tuple[Property, Reservation]:
    """A property in `zone` and a reservation of `n` nights from `check_in`."""
    prop = Property(slug="p", name="P", timezone=zone, default_language="en", access_window_hours=window)
    reservation = Reservation(
        property_id=1, guest_name="G", phone="+34611111111", check_in=check_in, check_out=check_in + timedelta(days=n)
    )
    return prop, reservation


@settings(max_examples=150, deadline=None)
@given(zone=zones, check_in=check_ins, n=nights, window=hours)
def test_window_opens_exactly_the_configured_real_hours_before_check_in(
    zone: str, check_in: date, n: int, window: int
) -> None:
    prop, reservation = stay(zone, check_in, n, window)
    starts, ends = access_window(prop, reservation)
    arrival = datetime.combine(check_in, CHECK_IN_HOUR, ZoneInfo(zone))
    # Elapsed time, not wall-clock: across a DST change "24 hours before" is still 24 hours.
    assert arrival.astimezone(UTC) - starts.astimezone(UTC) == timedelta(hours=window)
    assert ends.astimezone(ZoneInfo(zone)).time() == CHECK_OUT_HOUR
    assert starts < ends


@settings(max_examples=150, deadline=None)
@given(zone=zones, check_in=check_ins, n=nights, window=hours, offset=minutes)
def test_access_flips_exactly_at_the_window_edges(zone: str, check_in: date, n: int, window: int, offset: int) -> None:
    prop, reservation = stay(zone, check_in, n, window)
    starts, ends = access_window(prop, reservation)
    for edge, before, after in ((starts, Access.too_early, Access.allowed), (ends, Access.allowed, Access.ended)):
        now = edge.astimezone(UTC) + timedelta(minutes=offset)
        expected = before if now < edge else (after if now > edge else Access.allowed)
        if edge is starts and now > ends:
            expected = Access.ended
        if edge is ends and now < starts:
            expected = Access.too_early
        assert access_for(prop, reservation, now=now) == expected


@settings(max_examples=100, deadline=None)
@given(zone=zones, check_in=check_ins, n=nights, window=hours, seconds=st.integers(0, 60 * 60 * 24 * 40))
def test_access_is_monotonic_in_time(zone: str, check_in: date, n: int, window: int, seconds: int) -> None:
    """Once open it never reads "too early" again, and once ended it never reopens, whatever the local clock does."""
    prop, reservation = stay(zone, check_in, n, window)
    starts, _ends = access_window(prop, reservation)
    origin = starts.astimezone(UTC) - timedelta(days=20)
    earlier = access_for(prop, reservation, now=origin + timedelta(seconds=seconds))
    later = access_for(prop, reservation, now=origin + timedelta(seconds=seconds + 3600))
    order = [Access.too_early, Access.allowed, Access.ended]
    assert order.index(later) >= order.index(earlier)


@settings(max_examples=100, deadline=None)
@given(zone=zones, check_in=check_ins, n=nights, second=st.integers(-120, 120))
def test_around_local_midnight_of_check_in_day_a_24h_window_is_open(
    zone: str, check_in: date, n: int, second: int
) -> None:
    """With a 24 h window the code is out from 15:00 the day before, so local midnight of the check-in day is open."""
    prop, reservation = stay(zone, check_in, n, 24)
    midnight = datetime.combine(check_in, datetime.min.time(), ZoneInfo(zone)).astimezone(UTC)
    assert access_for(prop, reservation, now=midnight + timedelta(seconds=second)) == Access.allowed


def test_spring_forward_day_has_a_full_24_hour_window() -> None:
    """Madrid skips 02:00–03:00 on 29 March 2026: the window still opens 24 real hours before 15:00."""
    prop, reservation = stay("Europe/Madrid", date(2026, 3, 29), 2, 24)
    starts, _ = access_window(prop, reservation)
    assert starts.astimezone(UTC) == datetime(2026, 3, 28, 13, 0, tzinfo=UTC)
    assert access_for(prop, reservation, now=datetime(2026, 3, 28, 13, 30, tzinfo=UTC)) == Access.allowed
