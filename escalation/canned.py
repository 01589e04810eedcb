"""Canned replies: ready-made staff answers per property, in several languages."""

from sqlmodel import Session, col, select

from concierge.core.errors import InvalidInput, NotFound
from escalation.models import CannedReply


def list_canned(session: Session, *, property_id: int) -> list[CannedReply]:
    """A property's canned replies, by title then language."""
    return list(
        session.exec(
            select(CannedReply)
            .where(CannedReply.property_id == property_id)
            .order_by(col(CannedReply.title), col(CannedReply.language))
        )
    )


def add_canned(session: Session, *, property_id: int, title: str, language: str, body: str) -> CannedReply:
    """Add a canned reply; every field is required."""
    problems = [
        f"{name}: required"
        for name, value in (("title", title), ("language", language), ("body", body))
        if not value.strip()
    ]
    if problems:
        raise InvalidInput(problems)
    reply = CannedReply(
        property_id=property_id, title=title.strip()[:100], language=language.strip()[:16], body=body.strip()
    )
    session.add(reply)
    session.flush()
    return reply


def delete_canned(session: Session, *, property_id: int, canned_id: int) -> None:
    """Remove one of the property's canned replies."""
    reply = session.get(CannedReply, canned_id)
    if reply is None or reply.property_id != property_id:
        raise NotFound("no such canned reply")
    session.delete(reply)
    session.flush()
