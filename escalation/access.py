"""Which conversations and traces a person may open: only those of their properties, and every opening is audited.

Anything else is answered exactly like a page that does not exist (a 404).
"""

from sqlmodel import Session

from concierge.conversation import traces
from concierge.conversation.models import Conversation
from concierge.conversation.traces import TraceView
from concierge.core.errors import NotFound
from concierge.guard import privacy as guard_service
from concierge.users.models import User
from concierge.users.service import visible_property
from knowledge.models import Property


def open_conversation(
    session: Session, *, user: User, conversation_id: int, action: str
) -> tuple[Conversation, Property]:
    """The conversation and its property if the user may see it (the access is audited); NotFound otherwise."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("page not found")
    prop = session.get_one(Property, conversation.property_id)
    visible_property(session, user=user, slug=prop.slug)
    guard_service.record_access(session, user_id=user.id, action=action, conversation_id=conversation_id)
    return conversation, prop


def open_trace(session: Session, *, user: User, trace_id: int) -> tuple[TraceView, Property]:
    """The trace and its property if the user may see the conversation (the access is audited); NotFound otherwise."""
    view = traces.trace_view(session, trace_id=trace_id)
    if view is None:
        raise NotFound("page not found")
    prop = session.get_one(Property, view.conversation.property_id)
    visible_property(session, user=user, slug=prop.slug)  # another property's trace: the same 404
    assert view.conversation.id is not None
    guard_service.record_access(session, user_id=user.id, action="trace", conversation_id=view.conversation.id)
    return view, prop
