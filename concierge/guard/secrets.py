"""Secrets policy: access codes go only to the booked guest's phone inside the access window."""

from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from knowledge.models import Property, Reservation

CHECK_IN_HOUR = time(15, 0)  # the window opens counted from this local time on the check-in day
CHECK_OUT_HOUR = time(12, 0)  # and closes at this local time on the check-out day


class Access(StrEnum):
    allowed = "allowed"
    too_early = "too_early"  # booked guest, window not open yet
    ended = "ended"
    no_reservation = "no_reservation"  # unknown sender: never gets a code


def access_window(prop: Property, reservation: Reservation) -> tuple[datetime, datetime]:
    """The window as aware datetimes in the property's zone, `access_window_hours` real hours long before check-in."""
    zone = ZoneInfo(prop.timezone)
    check_in = datetime.combine(reservation.check_in, CHECK_IN_HOUR, zone)
    # Subtract in UTC: aware arithmetic in a local zone is wall-clock, so across a DST change "24 hours before"
    # would be 23 or 25 real hours.
    starts = (check_in.astimezone(UTC) - timedelta(hours=prop.access_window_hours)).astimezone(zone)
    ends = datetime.combine(reservation.check_out, CHECK_OUT_HOUR, zone)
    return starts, ends


def access_for(prop: Property, reservation: Reservation | None, *, now: datetime) -> Access:
    """May this sender receive sensitive entries now? `now` must be timezone-aware."""
    if reservation is None:
        return Access.no_reservation
    starts, ends = access_window(prop, reservation)
    if now < starts:
        return Access.too_early
    if now > ends:
        return Access.ended
    return Access.allowed
