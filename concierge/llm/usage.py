"""Model usage service: record a turn's calls, sum spend per property per day and per conversation."""

import logging
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from concierge.conversation.models import Conversation
from concierge.llm.models import ModelCall
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
                output_tokens=call.get("output_tokens", 0),
                cost_usd=call.get("cost_usd", 0.0),
                priced=call.get("priced", True),
                created_at=now,
            )
        )
    session.flush()
