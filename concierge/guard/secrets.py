"""Secrets policy: access codes go only to the booked guest's phone inside the access window."""

from datetime import datetime, time, timedelta
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
    """The window as aware datetimes in the property's zone."""
    zone = ZoneInfo(prop.timezone)
    starts = datetime.combine(reservation.check_in, CHECK_IN_HOUR, zone) - timedelta(hours=prop.access_window_hours)
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
