"""The dashboard's period: the last 7, 30 or 90 days, or a from/to range of dates in the property's time zone."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from concierge.core.errors import DomainError

PERIODS = {"7d": 7, "30d": 30, "90d": 90}
DEFAULT_PERIOD = "7d"
MAX_DAYS = 366  # a custom range longer than a year would make a chart of unreadable bars


class BadPeriod(DomainError):
    """A period parameter the dashboard does not understand (400, with what is accepted)."""

    status_code = 400


@dataclass(frozen=True)
class Period:
    """Whole local days [start, end] and the UTC instants [since, until) that cover them."""

    start: date
    end: date  # inclusive
    since: datetime
    until: datetime
    key: str  # "7d", "30d", "90d" or "custom"

    @property
    def days(self) -> list[date]:
        """Every day of the period, oldest first."""
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadPeriod(f"{name}: {value[:20]!r} is not a date (use YYYY-MM-DD)") from None


def make_period(start: date, end: date, *, timezone: str, key: str = "custom") -> Period:
    """The period of local days start..end at a property in `timezone`."""
    zone = ZoneInfo(timezone)
    return Period(
        start=start,
        end=end,
        since=_midnight(start, zone),
        until=_midnight(end + timedelta(days=1), zone),
        key=key,
    )


def parse_period(*, period: str | None, start: str | None, end: str | None, timezone: str, now: datetime) -> Period:
    """The period a request asks for: `from`+`to` dates, else `period` (7d, 30d, 90d; 7d by default)."""
    if start or end:
        if not (start and end):
            raise BadPeriod("give both from and to (YYYY-MM-DD), or a period: 7d, 30d or 90d")
        first, last = _date(start, "from"), _date(end, "to")
        if first > last:
            raise BadPeriod("from must not be after to")
        if (last - first).days + 1 > MAX_DAYS:
            raise BadPeriod(f"a period can cover at most {MAX_DAYS} days")
        return make_period(first, last, timezone=timezone)
    key = period or DEFAULT_PERIOD
    if key not in PERIODS:
        raise BadPeriod(f"period: {key[:20]!r} is not one of {', '.join(PERIODS)}")
    today = now.astimezone(ZoneInfo(timezone)).date()
    return make_period(today - timedelta(days=PERIODS[key] - 1), today, timezone=timezone, key=key)
