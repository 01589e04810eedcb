"""Measure the alert kinds and keep their state: fire at most once per window, resolve once back under.

The once-per-window guard is one conditional UPDATE on the kind's row ("notified_at older than the window"):
of several worker processes evaluating at the same moment, exactly one sees its update match a row, and only
that one notifies. The rows are created on first use; a concurrent creator's insert is simply ignored.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from concierge.conversation import outbox
from concierge.conversation.models import Trace
from concierge.core.settings import Settings
from concierge.ops.alerts.models import AlertState, AlertStatus
from escalation.models import Escalation, EscalationStatus

log = logging.getLogger(__name__)

KINDS = ("fallback_rate", "output_checks", "outbox_age", "unclaimed_escalations")


@dataclass(frozen=True)
class Measure:
    """One alert kind's measurement against its threshold."""

    kind: str
    value: float
    threshold: float
    over: bool
    detail: str = ""  # e.g. "3 of 10 model turns"


@dataclass(frozen=True)
class Change:
    """An alert that fired or resolved in this evaluation (this process notifies it)."""

    measure: Measure
    event: str  # "fired" | "resolved"


def measure(session: Session, *, settings: Settings, now: datetime) -> list[Measure]:
    """The four measurements over the last window (the outbox and escalations as they stand now)."""
    since = now - timedelta(minutes=settings.alert_window_minutes)
    model_turns = fallbacks = blocked = 0
    for data in session.exec(select(Trace.data).where(col(Trace.created_at) >= since)):
        llm = data.get("llm") or {}
        if llm.get("calls"):
            model_turns += 1
            fallbacks += bool(llm.get("fallback"))
        blocked += bool(data.get("checks"))
    rate = fallbacks / model_turns if model_turns else 0.0
    _count, oldest = outbox.backlog_stats(session)
    age = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    unclaimed_before = now - timedelta(minutes=settings.alert_unclaimed_minutes)
    unclaimed = session.exec(
        select(func.count())
        .select_from(Escalation)
        .where(Escalation.status == EscalationStatus.open, col(Escalation.created_at) <= unclaimed_before)
    ).one()
    return [
        Measure(
            "fallback_rate",
            round(rate, 3),
            settings.alert_fallback_rate,
            model_turns >= settings.alert_fallback_min_turns and rate > settings.alert_fallback_rate,
            f"{fallbacks} of {model_turns} model turns",
        ),
        Measure(
            "output_checks",
            float(blocked),
            float(settings.alert_output_check_failures),
            blocked >= settings.alert_output_check_failures,
        ),
        Measure(
            "outbox_age", round(age, 1), settings.alert_outbox_age_seconds, age > settings.alert_outbox_age_seconds
        ),
        Measure(
            "unclaimed_escalations",
            float(unclaimed),
            float(settings.alert_unclaimed_escalations),
            unclaimed >= settings.alert_unclaimed_escalations,
            f"open longer than {settings.alert_unclaimed_minutes:g} minutes",
        ),
    ]


def _ensure_row(session: Session, kind: str, now: datetime) -> None:
    if session.get(AlertState, kind) is not None:
        return
    try:
        with session.begin_nested():
            session.add(AlertState(kind=kind, created_at=now))
            session.flush()
    except IntegrityError:  # another process created it at the same moment
        pass


def record(session: Session, *, measures: list[Measure], window_minutes: float, now: datetime) -> list[Change]:
    """Store the measurements; return the alerts this call fired or resolved (each at most once per window)."""
    changes = []
    window_start = now - timedelta(minutes=window_minutes)
    for m in measures:
        _ensure_row(session, m.kind, now)
        row = col(AlertState.kind) == m.kind
        if m.over:
            due = or_(col(AlertState.notified_at).is_(None), col(AlertState.notified_at) <= window_start)
            fired = session.exec(
                update(AlertState)
                .where(row, due)
                .values(status=AlertStatus.firing, fired_at=now, notified_at=now, resolved_at=None)
            ).rowcount
            if fired == 1:
                changes.append(Change(m, "fired"))
        else:
            resolved = session.exec(
                update(AlertState)
                .where(row, col(AlertState.status) == AlertStatus.firing)
                .values(status=AlertStatus.ok, resolved_at=now)
            ).rowcount
            if resolved == 1:
                changes.append(Change(m, "resolved"))
        session.exec(update(AlertState).where(row).values(value=m.value, threshold=m.threshold, checked_at=now))
    session.expire_all()  # the ORM's copies of the rows are stale after the bulk updates
    for change in changes:
        log.warning("alert %s", change.event, extra={"alert": change.measure.kind, "value": change.measure.value})
    return changes


def states(session: Session) -> list[AlertState]:
    """Every alert kind's stored state."""
    return list(session.exec(select(AlertState).order_by(col(AlertState.kind))))
