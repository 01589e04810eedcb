"""Conversation service: store inbound messages, claim turn jobs, record what a turn decided."""

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from concierge.conversation import traces
from concierge.conversation.formatting import split_reply
from concierge.conversation.inbound import receive as receive  # the conversation's entry point, re-exported
from concierge.conversation.models import (
    BOT_OWNER,
    Conversation,
    Job,
    JobStatus,
    Message,
    Outbox,
    Trace,
)
from concierge.core.errors import Conflict
from concierge.i18n import gettext_for
from concierge.llm import usage as llm_service
from escalation import person_requests as escalation_requests
from escalation import service as escalation_service
from knowledge import service as knowledge_service
from knowledge.models import KnowledgeVersion, Property, Reservation

log = logging.getLogger(__name__)


class LeaseLost(Conflict):
    """The job's lease expired and another worker took it; this worker's result is discarded."""


@dataclass(frozen=True)
class Turn:
    """Everything a turn reads, loaded in one place."""

    message: Message
    conversation: Conversation
    property: Property
    reservation: Reservation | None
    history: list[Message]
    knowledge: KnowledgeVersion | None


def guest_phone(address: str) -> str:
    """The phone number behind a channel address ("whatsapp:+34…" → "+34…")."""
    return address.removeprefix("whatsapp:")


def load_turn(session: Session, *, message_id: int, today: date, history: int) -> Turn:
    """The message to answer with its conversation, property, reservation, recent history and knowledge."""
    message = session.get_one(Message, message_id)
    conversation = session.get_one(Conversation, message.conversation_id)
    prop = session.get_one(Property, conversation.property_id)
    assert prop.id is not None
    earlier = session.exec(
        select(Message)
        .where(Message.conversation_id == conversation.id, col(Message.id) < message_id)
        .order_by(col(Message.id).desc())
        .limit(history)
    )
    return Turn(
        message=message,
        conversation=conversation,
        property=prop,
        reservation=knowledge_service.reservation_for(
            session, property_id=prop.id, phone=guest_phone(conversation.guest_address), today=today
        ),
        history=list(reversed(list(earlier))),
        knowledge=knowledge_service.published_version(session, property_id=prop.id),
    )


def _due_jobs(now: datetime) -> SelectOfScalar[Job]:
    """Due jobs, oldest first, whose conversation has nothing earlier pending or running."""
    earlier = aliased(Job)
    blocked = exists().where(
        col(earlier.conversation_id) == col(Job.conversation_id),
        col(earlier.id) < col(Job.id),
        col(earlier.status).in_([JobStatus.pending, JobStatus.running]),
    )
    due = or_(
        (col(Job.status) == JobStatus.pending) & (col(Job.available_at) <= now),
        # A worker that died mid-turn leaves an expired lease: its job is claimable again, first in line.
        (col(Job.status) == JobStatus.running) & (col(Job.lease_until) < now),
    )
    return select(Job).where(due, ~blocked).order_by(col(Job.id)).limit(1)


def job_due(session: Session, *, now: datetime) -> bool:
    """Whether `claim_job` would find a job (a read: on SQLite it does not take the write lock)."""
    return session.exec(_due_jobs(now)).first() is not None


def claim_job(session: Session, *, now: datetime, lease_seconds: float) -> Job | None:
    """Lease the oldest due job whose conversation has nothing earlier pending or running."""
    job = session.exec(_due_jobs(now).with_for_update(skip_locked=True)).first()
    if job is None:
        return None
    job.status = JobStatus.running
    job.attempts += 1
    job.lease_token = uuid.uuid4().hex
    job.lease_until = now + timedelta(seconds=lease_seconds)
    session.flush()
    return job


def release_job(session: Session, *, job_id: int, lease_token: str) -> bool:
    """Give a leased job back unfinished (shutdown): claimable at once, the attempt not counted."""
    result = session.exec(
        update(Job)
        .where(col(Job.id) == job_id, col(Job.lease_token) == lease_token, col(Job.status) == JobStatus.running)
        .values(status=JobStatus.pending, lease_token=None, lease_until=None, attempts=col(Job.attempts) - 1)
    )
    return bool(result.rowcount == 1)


def _finish_job(session: Session, *, job_id: int, lease_token: str, status: str, now: datetime, **values: Any) -> None:
    result = session.exec(
        update(Job)
        .where(col(Job.id) == job_id, col(Job.lease_token) == lease_token, col(Job.status) == JobStatus.running)
        .values({"status": status, "finished_at": now, **values})
    )
    if result.rowcount != 1:
        raise LeaseLost(f"job {job_id} is no longer leased by this worker")


def record_turn(
    session: Session, *, job_id: int, lease_token: str, now: datetime, result: dict[str, Any]
) -> Outbox | None:
    """Write a finished turn: the reply and its outbox row, any escalation, the trace; the job is done."""
    _finish_job(session, job_id=job_id, lease_token=lease_token, status=JobStatus.done, now=now)
    job = session.get_one(Job, job_id)
    # Locked: a staff takeover committing meanwhile is seen here, so the bot never answers after a person.
    conversation = escalation_service.lock_conversation(session, conversation_id=job.conversation_id)
    if result.get("language"):
        conversation.language = result["language"]
    outbox = None
    reply, author = result.get("reply", ""), "bot"
    send = result["decision"] in ("reply", "reply_escalate")
    handoff: dict[str, Any] = {"owner_at_record": conversation.owner.partition(":")[0]}
    owner_before = conversation.owner
    if result.get("escalate") and not owner_before.startswith(escalation_service.STAFF_PREFIX):
        escalation = escalation_service.open_escalation(
            session,
            conversation=conversation,
            message_id=job.message_id,
            reason=result["escalate"],
            detail=result.get("text", ""),
            urgency=result.get("urgency"),
            now=now,
        )
        handoff["escalation_id"] = escalation.id if escalation else None
        if escalation is None:  # staff handed this back already and the guest only repeated it: no loop
            reply, send = escalation_requests.already_handled_reply(result.get("language") or "en"), True
        elif owner_before == BOT_OWNER != conversation.owner:
            author = "system"  # the bot's hand-off notice leaves although people own the chat from now on
    if send and (conversation.owner == BOT_OWNER or author == "system"):
        outbox = enqueue_reply(
            session,
            conversation=conversation,
            body=reply,
            author=author,
            now=now,
            language=result.get("language"),
            knowledge_version=result.get("knowledge_version"),
            entry_ids=result.get("entry_ids", []),
        )
    elif send:
        handoff["reply_withheld"] = True  # a person took the conversation while the turn ran
    assert conversation.id is not None
    reply_message_id = outbox.message_id if outbox is not None else None
    data = {
        **traces.trace_data(
            result,
            reply=reply,
            guest_address=conversation.guest_address,
            reply_message_id=reply_message_id,
            sent=outbox is not None,
        ),
        "handoff": handoff,
    }
    if result.get("llm"):  # model calls: usage rows for budgets, spend on the trace, staff told when over budget
        llm_service.record_calls(
            session, conversation=conversation, job_id=job_id, calls=result["llm"]["calls"], now=now
        )
        data["llm"] = {
            **traces.llm_data(result["llm"]),
            "conversation_cost_usd": llm_service.conversation_cost(session, conversation_id=conversation.id),
        }
        if result["llm"].get("budget_exceeded"):
            llm_service.alert_budget(session, conversation=conversation, message_id=job.message_id, now=now)
    session.add(
        Trace(
            job_id=job_id,
            conversation_id=conversation.id,
            reply_message_id=reply_message_id,
            data=data,
            created_at=now,
        )
    )
    session.flush()
    return outbox


def fail_job(session: Session, *, job_id: int, lease_token: str, error: str, now: datetime, max_attempts: int) -> bool:
    """Record a failed attempt: retry later with backoff, or give up with a fallback reply. True if final."""
    job = session.get_one(Job, job_id)
    if job.attempts < max_attempts:
        delay = min(2**job.attempts, 60)
        _finish_job(
            session,
            job_id=job_id,
            lease_token=lease_token,
            status=JobStatus.pending,
            now=now,
            last_error=error[:500],
            available_at=now + timedelta(seconds=delay),
            finished_at=None,
        )
        return False
    _finish_job(
        session,
        job_id=job_id,
        lease_token=lease_token,
        status=JobStatus.failed,
        now=now,
        last_error=error[:500],
    )
    conversation = session.get_one(Conversation, job.conversation_id)
    prop = session.get_one(Property, conversation.property_id)
    _ = gettext_for(conversation.language or prop.default_language)
    if conversation.owner == BOT_OWNER:
        enqueue_reply(
            session,
            conversation=conversation,
            author="bot",
            now=now,
            language=conversation.language,
            body=_("Sorry, I'm having a technical problem. A member of our team will follow up with you shortly."),
        )
    escalation_service.open_escalation(
        session,
        conversation=conversation,
        message_id=job.message_id,
        reason="technical_error",
        detail=error[:500],
        now=now,
    )
    return True


def enqueue_reply(
    session: Session,
    *,
    conversation: Conversation,
    body: str,
    author: str,
    now: datetime,
    language: str | None = None,
    knowledge_version: int | None = None,
    entry_ids: list[str] | None = None,
) -> Outbox:
    """Add an outbound message to the transcript and queue it for delivery; the first part's row is returned.

    A reply too long for the channel is split (channels/formatting.py): one message and outbox row per part,
    in order, so each part is delivered and reconciled like any reply.
    """
    assert conversation.id is not None
    rows: list[Outbox] = []
    for part in split_reply(body, channel=conversation.channel) or [body]:
        message = Message(
            conversation_id=conversation.id,
            direction="out",
            author=author,
            body=part,
            language=language,
            knowledge_version=knowledge_version,
            entry_ids=entry_ids or [],
            created_at=now,
        )
        session.add(message)
        session.flush()
        assert message.id is not None
        outbox = Outbox(
            conversation_id=conversation.id,
            message_id=message.id,
            channel=conversation.channel,
            to_address=conversation.guest_address,
            from_address=conversation.property_address,
            body=part,
            author=author,
            created_at=now,
            next_attempt_at=now,
        )
        session.add(outbox)
        session.flush()  # per part: row ids give the delivery order
        rows.append(outbox)
    return rows[0]


def conversation_messages(session: Session, *, conversation_id: int) -> list[Message]:
    """A conversation's transcript, oldest first."""
    return list(
        session.exec(select(Message).where(Message.conversation_id == conversation_id).order_by(col(Message.id)))
    )


def find_conversation(session: Session, *, property_id: int, channel: str, guest_address: str) -> Conversation | None:
    """The conversation of this guest address on this channel, if it exists."""
    return session.exec(
        select(Conversation).where(
            Conversation.property_id == property_id,
            Conversation.channel == channel,
            Conversation.guest_address == guest_address,
        )
    ).first()
