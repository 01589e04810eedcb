"""Record a turn: the one place a turn's result is written, its reply queued and its escalations opened.

A turn runs on a read-only session; its result is written here in one transaction: the job is finished, the
reply goes to the outbox (unless a person took the conversation meanwhile), any escalation is opened, model usage
is recorded and the trace is stored. A turn that fails for good gets the fallback reply and an escalation.

Whether the reply leaves, and as which author, is the graph's decision (`TurnResult.send`, `.author`). Only two
things need the locked, current conversation and are decided here, marked "record-time override".
"""

import logging
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from concierge.conversation import jobs, service, traces
from concierge.conversation.models import Author, Conversation, JobStatus, Message, Owner, is_staff
from concierge.core.observability import pseudonym
from concierge.i18n import gettext_for
from concierge.llm import usage
from concierge.llm.types import Route
from concierge.turn.result import TurnResult
from escalation import emergency, marking
from escalation import person_requests as escalation_requests
from escalation import service as escalation_service
from escalation.models import Escalation, Urgency
from knowledge.models import Property

log = logging.getLogger(__name__)


def record_turn(session: Session, *, job: jobs.Lease, now: datetime, result: TurnResult) -> int | None:
    """Write a finished turn: the reply and its outbox row, any escalation, the trace; the job is done. The reply's
    message id when one leaves."""
    job_id = job.job_id
    jobs.finish_job(session, job_id=job_id, lease_token=job.lease_token, status=JobStatus.done, now=now)
    # Locked: a staff takeover committing meanwhile is seen here, so the bot never answers after a person.
    conversation = escalation_service.lock_conversation(session, conversation_id=job.conversation_id)
    if result.language:
        conversation.language = result.language
    reply, author, send = result.reply, result.author, result.send  # the decide node's decision
    owner_before = conversation.owner
    handoff: dict[str, Any] = {"owner_at_record": owner_before.partition(":")[0]}
    leaves = send and (owner_before == Owner.bot or result.despite_owner)
    escalation = None
    if result.escalation and owner_before != Owner.bot and result.escalation.urgency == Urgency.emergency:
        # An emergency while people own the chat: raised, the on-call staff alerted again, the SLA clock restarted.
        escalation = emergency.raise_to_emergency(
            session,
            conversation=conversation,
            message_id=job.message_id,
            reason=result.escalation.reason,
            detail=result.escalation.detail,
            now=now,
        )
        handoff["escalation_id"], handoff["raised"] = escalation.id, True
    elif result.escalation and not is_staff(owner_before):
        escalation = escalation_service.open_escalation(
            session,
            conversation=conversation,
            message_id=job.message_id,
            reason=result.escalation.reason,
            detail=result.escalation.detail,
            urgency=result.escalation.urgency,
            now=now,
            tell_guest=not leaves,  # a reply leaving now carries the notice, after its own text
        )
        handoff["escalation_id"] = escalation.id if escalation else None
        if escalation is None:
            # Record-time override (1 of 2): staff handed this back already and the guest only repeated it, which
            # only the conversation's escalations tell. No new hand-off (no loop): the "already handled" reply.
            reply, author, send = escalation_requests.already_handled_reply(result.language or "en"), Author.bot, True
            leaves = owner_before == Owner.bot
    if escalation is not None and leaves:
        # Safety guidance (or the reply) first, then "a person is on the way" when a round owes it: one message.
        notice = emergency.guest_notice(escalation, language=result.language, now=now)
        reply = f"{reply}\n\n{notice}" if notice else reply
    reply_message_id = None
    if leaves:
        reply_message_id = service.queue_reply(
            session,
            conversation=conversation,
            body=reply,
            author=author,
            now=now,
            language=result.language,
            knowledge_version=result.knowledge_version,
            entry_ids=result.entry_ids,
        )
    elif send:
        # Record-time override (2 of 2): a person took the conversation while the turn ran: the reply is withheld.
        handoff["reply_withheld"] = True
    assert conversation.id is not None
    data = {
        **trace_data(
            result,
            reply=reply,
            guest_address=conversation.guest_address,
            reply_message_id=reply_message_id,
            sent=reply_message_id is not None,
        ),
        "handoff": handoff,
    }
    llm = result.trace.llm
    if llm:  # model calls: usage rows for budgets, spend on the trace, staff told when over budget
        usage.record_calls(session, conversation=conversation, job_id=job_id, calls=result.model_calls, now=now)
        data["llm"] = usage.llm_data(llm)
        if llm.get("route") != Route.offline:  # with no model configured there is no spend to add up
            data["llm"]["conversation_cost_usd"] = usage.conversation_cost(session, conversation_id=conversation.id)
        if llm.get("budget_exceeded"):
            alert_budget(session, conversation=conversation, message_id=job.message_id, now=now)
    traces.add_trace(
        session,
        job_id=job_id,
        conversation_id=conversation.id,
        reply_message_id=reply_message_id,
        data=data,
        now=now,
    )
    if result.disputes_reply:  # "that's wrong" right after a bot reply: that reply is marked for staff to confirm
        marking.guest_mark(session, message=session.get_one(Message, job.message_id), now=now)
    session.flush()
    return reply_message_id


def trace_data(
    result: TurnResult, *, reply: str, guest_address: str | None, reply_message_id: int | None, sent: bool
) -> dict[str, Any]:
    """The turn's trace: decisions, scores, timings and model calls, never the guest's text or phone number."""
    trace = result.trace
    return {
        "nodes": trace.nodes,
        "guest": pseudonym(guest_address) if guest_address else None,
        "input": {"message_id": trace.message_id, "chars": trace.input_chars},
        "language": result.language,
        "language_reason": trace.language_reason,
        "verdict": trace.verdict,
        "screen": trace.screen,
        "outcome": result.outcome,
        "access": str(trace.access) if trace.access else None,
        "candidates": [{"topic": c.topic, "score": c.score, "matched": c.matched} for c in trace.candidates],
        "selected": trace.selected,
        "clarify": trace.clarify,
        "responder": result.responder,
        "entry_ids": result.entry_ids,
        "knowledge_version": result.knowledge_version,
        "checks": result.checks,
        "escalate": result.escalation.reason if result.escalation else None,
        "decision": result.decision,
        "reply": {
            "message_id": reply_message_id,
            "chars": len(reply),
            "digest": traces.reply_digest(reply) if reply else None,
            "sent": sent,
        },
        "release": trace.release,
        "degraded": trace.degraded,
    }


def fail_turn(session: Session, *, job_id: int, lease_token: str, error: str, now: datetime, max_attempts: int) -> bool:
    """Record a failed attempt: retry later with backoff, or give up with a fallback reply. True if final."""
    job = jobs.retry_or_fail(
        session, job_id=job_id, lease_token=lease_token, error=error, now=now, max_attempts=max_attempts
    )
    if job.status != JobStatus.failed:
        return False
    conversation = session.get_one(Conversation, job.conversation_id)
    prop = session.get_one(Property, conversation.property_id)
    _ = gettext_for(conversation.language or prop.default_language)
    if conversation.owner == Owner.bot:
        service.enqueue_reply(
            session,
            conversation=conversation,
            author=Author.bot,
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


def alert_budget(session: Session, *, conversation: Conversation, message_id: int | None, now: datetime) -> bool:
    """Tell staff once per local day that the property's model budget is spent; True if alerted now."""
    prop = session.get_one(Property, conversation.property_id)
    already = session.exec(
        select(Escalation.id).where(
            Escalation.property_id == prop.id,
            Escalation.reason == usage.BUDGET_REASON,
            col(Escalation.created_at) >= usage.day_start(prop, now=now),
        )
    ).first()
    if already is not None:
        return False
    escalation_service.open_escalation(
        session,
        conversation=conversation,
        message_id=message_id,
        reason=usage.BUDGET_REASON,
        detail="The daily model budget is spent: replies come from the offline responder until midnight.",
    )
    log.warning("daily model budget spent", extra={"property_id": prop.id})
    return True
