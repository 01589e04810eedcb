"""Model usage: record a turn's calls, sum spend per property per day and per conversation, the calls on a trace."""

import logging
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from concierge.conversation.models import Conversation
from concierge.llm.models import ModelCall
from concierge.llm.types import FALLBACK_ROUTES, Route
from knowledge.models import Property

log = logging.getLogger(__name__)

BUDGET_REASON = "llm_budget_exceeded"


def day_start(prop: Property, *, now: datetime) -> datetime:
    """Midnight of `now`'s day in the property's time zone, in UTC (budgets are per local day)."""
    zone = ZoneInfo(prop.timezone)
    return datetime.combine(now.astimezone(zone).date(), time(0), zone).astimezone(UTC)


def spent_today(session: Session, *, prop: Property, now: datetime) -> float:
    """What the property's turns spent on models since local midnight, in USD."""
    total = session.exec(
        select(func.coalesce(func.sum(ModelCall.cost_usd), 0.0)).where(
            ModelCall.property_id == prop.id, col(ModelCall.created_at) >= day_start(prop, now=now)
        )
    ).one()
    return float(total)


def conversation_cost(session: Session, *, conversation_id: int) -> float:
    """What a conversation's turns spent on models, in USD."""
    total = session.exec(
        select(func.coalesce(func.sum(ModelCall.cost_usd), 0.0)).where(ModelCall.conversation_id == conversation_id)
    ).one()
    return float(total)


def record_calls(
    session: Session, *, conversation: Conversation, job_id: int, calls: list[dict[str, Any]], now: datetime
) -> None:
    """Store the model calls of one turn (skipped providers are on the trace only)."""
    assert conversation.id is not None
    for call in calls:
        if "attempt" not in call:  # breaker open or deadline: no call went out
            continue
        session.add(
            ModelCall(
                property_id=conversation.property_id,
                conversation_id=conversation.id,
                job_id=job_id,
                provider=call["provider"][:128],
                purpose=call.get("purpose", "answer"),
                outcome=call["outcome"],
                input_tokens=call.get("input_tokens", 0),
                cached_tokens=call.get("cached_tokens", 0),
                output_tokens=call.get("output_tokens", 0),
                cost_usd=call.get("cost_usd", 0.0),
                priced=call.get("priced", True),
                created_at=now,
            )
        )
    session.flush()


def _call(call: dict[str, Any]) -> dict[str, Any]:
    """One model call as the trace shows it: provider, model, prompt, tokens, cost, latency, retry, error."""
    provider, _sep, model = str(call.get("provider", "")).partition(":")
    outcome = call.get("outcome")
    error = None
    if outcome != "ok":
        error = f"{outcome} {call['status']}" if call.get("status") else outcome
    return {
        **call,
        "vendor": provider,
        "model": model or None,
        "retry": int(call.get("attempt") or 1) > 1,
        "error": error,
    }


def llm_data(llm: dict[str, Any]) -> dict[str, Any]:
    """The router's record with each call spelled out and the turn's retries and errors counted."""
    calls = [_call(c) for c in llm.get("calls", [])]
    chain = llm.get("chain") or []
    # A fallback: the offline responder answered for the models, or a provider after the first one did.
    later_provider = (
        llm.get("route") == Route.model and bool(calls) and bool(chain) and calls[-1]["provider"] != chain[0]
    )
    return {
        **llm,
        "calls": calls,
        "retries": sum(1 for c in calls if c["retry"]),
        "errors": sum(1 for c in calls if c["error"]),
        "fallback": llm.get("route") in FALLBACK_ROUTES or later_provider,
    }
