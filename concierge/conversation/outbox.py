"""Outbox service: claim replies that are due, record attempts, and follow Twilio's delivery status."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Connection, String, bindparam, case, literal, literal_column, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from concierge.conversation.models import Author, Conversation, Outbox, OutboxStatus, Owner
from concierge.core import queue
from concierge.core.backoff import Backoff

OUTBOX = queue.Queue(
    table=Outbox,
    pending=OutboxStatus.pending,
    failed=OutboxStatus.failed,
    due_at="next_attempt_at",
    error="error_message",
    claimed=OutboxStatus.sending,
    claimed_at="attempt_started_at",  # an attempt older than `stale_after` never finished: reconciled, then resent
    in_order_of="conversation_id",  # a conversation's replies leave in order
)

# How far a status may move: a late "sent" callback never undoes "delivered".
_RANK = {
    OutboxStatus.pending: 0,
    OutboxStatus.sending: 1,
    OutboxStatus.sent: 2,
    OutboxStatus.undelivered: 3,
    OutboxStatus.failed: 3,
    OutboxStatus.delivered: 4,
}
_TWILIO_STATUS = {
    "accepted": OutboxStatus.sent,
    "scheduled": OutboxStatus.sent,
    "queued": OutboxStatus.sent,
    "sending": OutboxStatus.sent,
    "sent": OutboxStatus.sent,
    "delivered": OutboxStatus.delivered,
    "read": OutboxStatus.delivered,
    "undelivered": OutboxStatus.undelivered,
    "failed": OutboxStatus.failed,
}


@dataclass(frozen=True)
class Delivery:
    """A claimed outbox row, detached from the session: what the sender needs for one attempt."""

    id: int
    channel: str
    to_address: str
    from_address: str
    body: str
    attempts: int
    reconcile_since: datetime | None  # set when a previous attempt may have reached Twilio before a crash
    queued_at: datetime  # when the reply was queued: retries stop OUTBOX_RETRY_HOURS later
    conversation_id: int
    message_id: int  # the reply in the transcript
    author: str = ""  # an Author (metrics count replies by author)
    content_sid: str | None = None  # an approved WhatsApp template instead of free text
    content_variables: str | None = None  # its variables, as the JSON object Twilio expects


def delivery_due(db: Session | Connection, *, now: datetime, stale_after: float) -> bool:
    """Whether `claim_delivery` would find a reply (a read: on SQLite it does not take the write lock)."""
    return queue.is_due(db, OUTBOX, now=now, lease_seconds=stale_after)


def claim_delivery(db: Session | Connection, *, now: datetime, stale_after: float) -> Delivery | None:
    """Claim the next due reply (in order per conversation); bot replies to a human-owned chat are cancelled."""
    params = {"now": now, "claimed_before": now - timedelta(seconds=stale_after), "attempt_at": now}
    connection = queue.connection_of(db)  # Core statements: a session's pending changes go first
    while True:
        row = connection.execute(_claim_statement(), params).first()  # Core: plain rows, no ORM state
        if row is None:
            return None
        if row.status == OutboxStatus.cancelled:
            continue  # a person owns the conversation now: the bot must not talk over them
        return Delivery(
            id=row.id,
            channel=row.channel,
            to_address=row.to_address,
            from_address=row.from_address,
            body=row.body,
            attempts=row.attempts,
            reconcile_since=row.reconcile_from,
            queued_at=row.created_at,
            conversation_id=row.conversation_id,
            message_id=row.message_id,
            author=row.author,
            content_sid=row.content_sid,
            content_variables=row.content_variables,
        )


@cache
def _claim_statement() -> Any:
    """`claim_delivery`'s one statement, built once: the oldest due reply becomes this attempt (or is cancelled when
    it is the bot's and a person owns the conversation), and comes back. It was three statements through the ORM
    (read the row, read the owner, flush the claim), the largest part of a delivery's database CPU
    (docs/benchmarks.md, "Concurrent turns", fifth pass).

    Every SET expression reads the row as it was: a reply still "sending" is an attempt that never finished, so
    `reconcile_from` keeps that attempt's start (or an earlier unanswered one's) and the sender looks for it at
    Twilio before sending again.
    """
    outbox = cast(Any, Outbox).__table__
    due = aliased(Outbox)  # not the updated table itself, which the subquery would be correlated with
    oldest_due = (
        select(col(due.id))
        .where(*queue.due_criteria(OUTBOX, due))
        .order_by(col(due.id))
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    owner = select(col(Conversation.owner)).where(col(Conversation.id) == outbox.c.conversation_id).scalar_subquery()
    talks_over = (outbox.c.author == literal_column(f"'{Author.bot}'")) & (owner != literal_column(f"'{Owner.bot}'"))
    crashed = outbox.c.status == literal_column(f"'{OutboxStatus.sending}'")

    def unless_cancelled(value: Any, column: Any) -> Any:
        return case((talks_over, column), else_=value)

    started = bindparam("attempt_at", type_=outbox.c.attempt_started_at.type)
    return (
        update(outbox)
        .where(outbox.c.id == oldest_due)
        .values(
            status=case(
                (talks_over, literal_column(f"'{OutboxStatus.cancelled}'")),
                else_=literal_column(f"'{OutboxStatus.sending}'"),
            ),
            attempts=unless_cancelled(outbox.c.attempts + 1, outbox.c.attempts),
            attempt_started_at=unless_cancelled(started, outbox.c.attempt_started_at),
            reconcile_from=unless_cancelled(
                func.coalesce(outbox.c.reconcile_from, case((crashed, outbox.c.attempt_started_at))),
                outbox.c.reconcile_from,
            ),
        )
        .returning(*outbox.c)
    )


# One statement, built once: loading the row and flushing it through the ORM was a third of a delivery's
# database CPU (docs/benchmarks.md, "Concurrent turns", fifth pass). A status callback that came first stays.
_BEFORE_SENT = [status for status, rank in _RANK.items() if rank < _RANK[OutboxStatus.sent]]
_MARK_SENT = (
    update(Outbox)
    .where(col(Outbox.id) == bindparam("outbox_id"))
    .values(
        twilio_sid=func.coalesce(bindparam("twilio_sid", type_=String), col(Outbox.twilio_sid)),
        status=case(
            (col(Outbox.status).in_([literal_column(f"'{s}'") for s in _BEFORE_SENT]), literal(OutboxStatus.sent)),
            else_=col(Outbox.status),
        ),
        sent_at=func.coalesce(col(Outbox.sent_at), bindparam("now", type_=cast(Any, Outbox).__table__.c.sent_at.type)),
    )
)


def mark_sent(db: Session | Connection, *, outbox_id: int, twilio_sid: str | None, now: datetime) -> None:
    """The provider accepted the reply (or the simulator showed it)."""
    queue.connection_of(db).execute(_MARK_SENT, {"outbox_id": outbox_id, "twilio_sid": twilio_sid, "now": now})


def retry_or_fail(
    session: Session,
    *,
    delivery: Delivery,
    retry_hours: float,
    code: str | None,
    error: str,
    now: datetime,
    backoff: Backoff,
    retry_after: float | str | None = None,
    min_delay: float = 0.0,
    maybe_sent: bool = False,
) -> bool:
    """A retryable failure: due again after a backoff (True), or failed once `retry_hours` since it was queued.

    `maybe_sent` (no answer: Twilio may have the message) makes the next attempt look for it before resending.
    """
    # The first unanswered attempt is where reconciliation looks from; a later one never moves it.
    reconcile = {"reconcile_from": func.coalesce(col(Outbox.reconcile_from), col(Outbox.attempt_started_at))}
    return queue.retry_or_fail(
        session,
        OUTBOX,
        row_id=delivery.id,
        attempts=delivery.attempts,
        max_attempts=None,  # time decides, not a count: an outage of hours must not lose the reply
        give_up_at=delivery.queued_at + timedelta(hours=retry_hours),
        error=error,
        now=now,
        backoff=backoff,
        retry_after=retry_after,
        min_delay=min_delay,
        on_retry=reconcile if maybe_sent else None,
        on_fail={"error_code": code},
    )


def mark_failed(session: Session, *, outbox_id: int, code: str | None, error: str) -> None:
    """A permanent failure (bad number, WhatsApp window closed, not configured)."""
    queue.fail(session, OUTBOX, row_id=outbox_id, error=error, values={"error_code": code})


FAILED = (OutboxStatus.failed, OutboxStatus.undelivered)


@dataclass(frozen=True)
class StatusChange:
    """What a status callback did to one reply."""

    outbox_id: int
    conversation_id: int
    message_id: int
    body: str
    before: str
    after: str

    @property
    def failed_now(self) -> bool:
        """Twilio gave up on a reply it had accepted (undelivered or failed), and this callback says so first."""
        return self.after in FAILED and self.before not in FAILED


def apply_status(
    session: Session, *, twilio_sid: str, status: str, error_code: str | None, outbox_id: int | None = None
) -> StatusChange | None:
    """Apply a Twilio status callback; never moves a reply backwards. None when the SID is unknown."""
    row = session.exec(select(Outbox).where(Outbox.twilio_sid == twilio_sid)).first()
    if row is None and outbox_id is not None:
        # The callback names our row: a crash after Twilio accepted the send but before we recorded the SID.
        row = session.get(Outbox, outbox_id)
        if row is not None and row.twilio_sid is None:
            row.twilio_sid = twilio_sid
    new = _TWILIO_STATUS.get(status)
    if row is None or new is None:
        return None
    before = row.status
    if _RANK[new] >= _RANK[OutboxStatus(row.status)]:
        row.status = new
        row.error_code = error_code or row.error_code
    session.flush()
    assert row.id is not None
    return StatusChange(row.id, row.conversation_id, row.message_id, row.body, before=before, after=row.status)


def update_delivery(
    session: Session, *, twilio_sid: str, status: str, error_code: str | None, outbox_id: int | None = None
) -> bool:
    """Apply a Twilio status callback; never moves a reply backwards. False when the SID is unknown."""
    change = apply_status(session, twilio_sid=twilio_sid, status=status, error_code=error_code, outbox_id=outbox_id)
    return change is not None


def sid_recorded(session: Session, *, twilio_sid: str) -> bool:
    """Whether some outbox row already owns this Twilio SID."""
    return session.exec(select(Outbox.id).where(Outbox.twilio_sid == twilio_sid)).first() is not None


def backlog(session: Session) -> int:
    """Replies waiting to leave."""
    waiting = col(Outbox.status).in_([OutboxStatus.pending, OutboxStatus.sending])
    return int(session.exec(select(func.count()).select_from(Outbox).where(waiting)).one())


def backlog_stats(session: Session) -> tuple[int, datetime | None]:
    """Replies not yet handed to Twilio (pending, retrying or sending) and when the oldest of them was queued."""
    waiting = col(Outbox.status).in_([OutboxStatus.pending, OutboxStatus.sending])
    count, oldest = session.exec(select(func.count(), func.min(col(Outbox.created_at))).where(waiting)).one()
    return int(count), oldest
