"""Live updates for the console: one poller per process reads a cheap change marker; every open stream waits on it.

Each open console tab used to compute its page's fingerprint (its user, scope, queue and transcript) every second.
Now one thread per process reads `change_marker()` (a few indexed reads, no transcript) every interval while any
stream is listening, and bumps `version` when it changes; a stream recomputes its fingerprint only then (and at
its heartbeat, in case a change the marker does not see slipped by). Ten tabs cost one read per second, not ten.
"""

import hashlib
import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import func
from sqlmodel import Session, col, select

from concierge.conversation.models import Message
from concierge.core.db import session_scope
from concierge.users.audit import AuditEvent
from escalation.models import ConversationNote, Escalation, EscalationStatus

log = logging.getLogger(__name__)

UNRESOLVED = [EscalationStatus.open, EscalationStatus.claimed]


def change_marker(session: Session) -> str:
    """A digest that changes whenever a console page could: a message, a note, a staff action (every one is
    audited) or the state of an unresolved escalation (status, urgency, claimer)."""
    last = select(func.max(Message.id)).scalar_subquery(), select(func.max(AuditEvent.id)).scalar_subquery()
    last_message, last_audit, last_note = session.exec(
        select(*last, select(func.max(ConversationNote.id)).scalar_subquery())
    ).one()
    unresolved = session.exec(
        select(Escalation.id, Escalation.status, Escalation.urgency, Escalation.claimed_by)
        .where(col(Escalation.status).in_(UNRESOLVED))
        .order_by(col(Escalation.id))
    ).all()
    state = (last_message, last_audit, last_note, [tuple(row) for row in unresolved])
    return hashlib.sha256(repr(state).encode()).hexdigest()[:16]


def read_marker() -> str:
    """`change_marker` in a short read-only transaction of its own."""
    with session_scope(readonly=True) as session:
        return change_marker(session)


class Poller:
    """Reads the marker every `interval` seconds while streams ask for `version()`; stops when nobody has asked
    for `idle_after` seconds and starts again at the next ask."""

    def __init__(self, interval: float, *, read: Callable[[], str] = read_marker, idle_after: float = 10.0) -> None:
        self.interval = interval
        self.read = read
        self.idle_after = idle_after
        self._lock = threading.Lock()
        self._version = 0
        self._marker: str | None = None
        self._wanted_at = 0.0
        self._running = False
        self.reads = 0  # how many times the marker was read (tests and curious operators)

    def version(self) -> int:
        """The current version (it goes up when the marker changes); keeps the poller running."""
        with self._lock:
            self._wanted_at = time.monotonic()
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="console-live", daemon=True).start()
            return self._version

    def _run(self) -> None:
        while True:
            with self._lock:
                if time.monotonic() - self._wanted_at > self.idle_after:
                    self._running = False
                    return
            try:
                marker = self.read()
            except Exception:  # the database may be briefly away: streams keep their heartbeat rechecks
                log.warning("console live-update marker unavailable", exc_info=True)
            else:
                with self._lock:
                    self.reads += 1
                    if marker != self._marker:
                        self._marker = marker
                        self._version += 1
            time.sleep(self.interval)
