"""Guests to correct: recent bot replies that quoted an entry which has changed since, for guests still staying."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from concierge.conversation.models import Author, Conversation, Message
from knowledge import service as knowledge_service
from knowledge.models import KnowledgeVersion, Property, Reservation

LOOKBACK_DAYS = 7


@dataclass(frozen=True)
class Correction:
    conversation_id: int
    guest_name: str
    guest_address: str  # as the guest wrote from (channel prefix included)
    channel: str
    check_in: str
    check_out: str
    topics: list[str]  # the quoted entries that changed or were removed since
    quoted_version: int
    quoted_at: datetime


def guests_to_correct(
    session: Session, *, prop: Property, now: datetime, days: int = LOOKBACK_DAYS
) -> list[Correction]:
    """Guests with a current or upcoming stay whose bot replies of the last `days` quoted an entry that
    is different (or gone) in the published version; one row per conversation, newest reply first."""
    assert prop.id is not None
    published = knowledge_service.published_version(session, property_id=prop.id)
    if published is None:
        return []
    current = {e["topic"]: e for e in published.entries}
    today = knowledge_service.local_date(prop, now=now)
    rows = session.exec(
        select(Message, Conversation)
        .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .where(
            Conversation.property_id == prop.id,
            Message.direction == "out",
            Message.author == Author.bot,
            col(Message.knowledge_version).is_not(None),
            col(Message.knowledge_version) != published.version,
            col(Message.created_at) >= now - timedelta(days=days),
        )
        .order_by(col(Message.id).desc())
    ).all()
    versions: dict[int, dict[str, Any]] = {}
    found: dict[int, Correction] = {}
    for message, conversation in rows:
        assert message.knowledge_version is not None and conversation.id is not None
        if message.knowledge_version not in versions:
            old = session.exec(
                select(KnowledgeVersion).where(
                    KnowledgeVersion.property_id == prop.id, KnowledgeVersion.version == message.knowledge_version
                )
            ).first()
            versions[message.knowledge_version] = {e["topic"]: e for e in (old.entries if old else [])}
        quoted = versions[message.knowledge_version]
        changed = [t for t in message.entry_ids if quoted.get(t) != current.get(t)]
        if not changed:
            continue
        if conversation.id in found:
            earlier = found[conversation.id]
            merged = earlier.topics + [t for t in changed if t not in earlier.topics]
            found[conversation.id] = Correction(**{**earlier.__dict__, "topics": merged})
            continue
        stay = _current_or_upcoming_stay(session, prop=prop, address=conversation.guest_address, today=today)
        if stay is None:
            continue
        found[conversation.id] = Correction(
            conversation_id=conversation.id,
            guest_name=stay.guest_name,
            guest_address=conversation.guest_address,
            channel=conversation.channel,
            check_in=stay.check_in.isoformat(),
            check_out=stay.check_out.isoformat(),
            topics=changed,
            quoted_version=message.knowledge_version,
            quoted_at=message.created_at,
        )
    return list(found.values())


def _current_or_upcoming_stay(session: Session, *, prop: Property, address: str, today: date) -> Reservation | None:
    assert prop.id is not None
    return knowledge_service.reservation_for(
        session, property_id=prop.id, phone=address.removeprefix("whatsapp:"), today=today
    )
