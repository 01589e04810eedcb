"""Evaluate the alerts in one transaction: measure, record the state changes, queue the admins' messages."""

import logging
import time
from collections.abc import Callable
from datetime import datetime

from concierge.core.db import session_scope
from concierge.core.settings import Settings
from concierge.ops.alerts import notify
from concierge.ops.alerts import service as alert_service
from concierge.ops.alerts.service import Change, Measure

log = logging.getLogger(__name__)


def check(settings: Settings, *, now: datetime) -> tuple[list[Measure], list[Change]]:
    """Measure every alert kind and notify what fired or resolved (once per window, across processes)."""
    with session_scope(readonly=True) as session:  # aggregates (30 ms+): not inside SQLite's write lock
        measures = alert_service.measure(session, settings=settings, now=now)
    with session_scope() as session:
        changes = alert_service.record(
            session, measures=measures, window_minutes=settings.alert_window_minutes, now=now
        )
        if changes:
            notify.notify_admins(session, changes=changes, settings=settings, now=now)
    return measures, changes


class AlertChecker:
    """The worker's alert loop step: evaluates every ALERT_CHECK_SECONDS, not on every poll."""

    def __init__(self, settings: Settings, now: Callable[[], datetime]) -> None:
        self.settings = settings
        self.now = now
        self._last: float | None = None

    def run_next(self) -> bool:
        """Evaluate if due; True when an alert fired or resolved (its messages wait in the outbox)."""
        if not self.settings.alerts_enabled:
            return False
        started = time.monotonic()
        if self._last is not None and started - self._last < self.settings.alert_check_seconds:
            return False
        self._last = started
        _measures, changes = check(self.settings, now=self.now())
        return bool(changes)
