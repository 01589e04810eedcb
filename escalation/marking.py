"""Marking bot replies: a staff member's mark becomes a regression case; a guest's "that's wrong" waits for staff.

Only a person who may open the conversation can mark its replies (escalation/access.py: anyone else gets the same
404 as for a page that does not exist); every mark is audited through the one audit writer. The case keeps the
guest's words with phone numbers, e-mail addresses and the names of the property's guests and staff removed.
"""

import re
from datetime import datetime

from sqlmodel import Session

from concierge.conversation import loop, marks
from concierge.conversation.marks import ReplyMark
from concierge.conversation.models import Conversation, Message
from concierge.conversation.service import guest_phone
from concierge.core.errors import InvalidInput, NotFound
from concierge.guard.phrases import says_reply_was_wrong
from concierge.guard.privacy import conversation_target
from concierge.users import audit
from concierge.users.models import Role, User
from concierge.users.service import visible_property
from escalation import access
from knowledge import service as knowledge_service
from knowledge.models import Property

CONTEXT_MESSAGES = 2  # the guest's messages before the marked one that a case replays (follow-ups need them)
CASE_LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "nl", "pl", "ja", "zh")  # the realistic suites' languages
_PHONE = re.compile(r"\+?\d[\d ().-]{5,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def entry_topics(session: Session, *, property_id: int) -> list[str]:
    """The topics of the property's published entries, in the version's order (what "should have answered" offers)."""
    version = knowledge_service.published_version(session, property_id=property_id)
    return [str(e["topic"]) for e in version.entries] if version else []


def entry_titles(session: Session, *, property_id: int) -> dict[str, str]:
    """The published entries' titles by topic, in the version's order (the owner's own words for each entry)."""
    version = knowledge_service.published_version(session, property_id=property_id)
    return {str(e["topic"]): str(e.get("title") or "") for e in version.entries} if version else {}


def fixed_marks(session: Session, *, prop: Property) -> frozenset[int]:
    """The property's marks whose cases pass on the published version (when last played): no fix to suggest."""
    assert prop.id is not None
    version = knowledge_service.published_version(session, property_id=prop.id)
    return loop.fixed_marks(session, slug=prop.slug, published=version.version if version else None)


def scrub(session: Session, *, prop: Property, text: str) -> str:
    """The text without phone numbers, e-mail addresses and the names of the property's guests and staff."""
    assert prop.id is not None
    text = _EMAIL.sub("[email]", _PHONE.sub("[phone]", text))
    names = [r.guest_name for r in knowledge_service.list_reservations(session, property_id=prop.id)]
    names += [s.name for s in knowledge_service.list_staff(session, property_id=prop.id)]
    # "Ana García" as a whole first, then each of its words of 3+ letters ("Ana", "García"), any case.
    words = {" ".join(n.split()) for n in names if n.strip()} | {w for n in names for w in n.split() if len(w) >= 3}
    for name in sorted(words, key=len, reverse=True):
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in name.split()) + r"(?!\w)"
        text = re.sub(pattern, "[name]", text, flags=re.IGNORECASE)
    return text


def _expectation(verdict: str, *, topic: str, reply: Message, escalated: bool) -> tuple[str, list[str]]:
    """What the reply should have done, as a realistic case kind and its topics ("" : nothing to test)."""
    given = marks.reply_topics(reply)
    if verdict == marks.ANSWER or (verdict in (marks.WRONG_TOPIC, marks.WRONG_FACTS) and topic):
        return "answer", [topic]
    if verdict == marks.HAND_OVER:
        return "person", []
    if verdict == marks.WRONG_FACTS and given:
        return "answer", given  # the same entry, with its facts corrected by the owner
    if verdict in (marks.WRONG_TOPIC, marks.WRONG_FACTS, marks.NO_ENTRY):
        return "unknown", []  # no entry answers it: the concierge should have handed it over, quoting nothing
    if given:
        return "answer", given  # right: keep it right
    return ("unknown", []) if escalated else ("", [])


def mark_reply(
    session: Session, *, user: User, reply_id: int, verdict: str, topic: str, note: str, now: datetime
) -> ReplyMark:
    """Mark a bot reply and keep its case; NotFound outside the user's properties, InvalidInput for a bad form."""
    reply = marks.reply_of(session, message_id=reply_id)
    if reply is None:
        raise NotFound("page not found")
    conversation, prop = access.open_conversation(
        session, user=user, conversation_id=reply.conversation_id, action="mark"
    )
    assert prop.id is not None and conversation.id is not None
    if verdict not in marks.STAFF_VERDICTS:
        raise InvalidInput([f"verdict: one of {', '.join(marks.STAFF_VERDICTS)}"])
    if topic and topic not in entry_topics(session, property_id=prop.id):
        raise InvalidInput(["topic: not an entry of this property"])
    if verdict == marks.ANSWER and not topic:
        raise InvalidInput(["topic: choose the entry the reply should have used"])
    inbound = marks.answered(session, reply=reply)
    if inbound is None:
        raise InvalidInput(["reply: no guest message before it"])
    trace = marks.trace_of(session, reply=reply)
    escalated = bool(trace and trace.data.get("escalate"))
    kind, topics = _expectation(verdict, topic=topic, reply=reply, escalated=escalated)
    before = marks.guest_messages_before(session, message=inbound, limit=CONTEXT_MESSAGES)
    mark = marks.add(
        session,
        ReplyMark(
            property_id=prop.id,
            conversation_id=conversation.id,
            reply_message_id=reply_id,
            verdict=verdict,
            user_id=user.id,
            note=scrub(session, prop=prop, text=note.strip())[:2000],
            knowledge_version=reply.knowledge_version,
            messages=[scrub(session, prop=prop, text=m.body) for m in [*before, inbound]] if kind else [],
            language=_case_language(inbound, conversation),
            guest=_guest_kind(session, prop=prop, conversation=conversation, at=inbound.created_at),
            expect_kind=kind,
            expect_topics=topics,
            created_at=now,
        ),
    )
    detail = {"reply": reply_id, "mark": mark.id, "verdict": verdict, "knowledge_version": reply.knowledge_version}
    audit.record(
        session, user_id=user.id, action="reply.mark", target=conversation_target(conversation.id), detail=detail
    )
    return mark


def _case_language(inbound: Message, conversation: Conversation) -> str:
    language = (inbound.language or conversation.language or "en").split("-")[0]
    return language if language in CASE_LANGUAGES else "en"


def _guest_kind(session: Session, *, prop: Property, conversation: Conversation, at: datetime) -> str:
    assert prop.id is not None
    today = knowledge_service.local_date(prop, now=at)
    stay = knowledge_service.reservation_for(
        session, property_id=prop.id, phone=guest_phone(conversation.guest_address), today=today
    )
    if stay is None:
        return "unknown"
    return "booked" if stay.check_in <= today else "upcoming"  # the eval guest with a stay ahead of them


def guest_mark(session: Session, *, message: Message, now: datetime) -> ReplyMark | None:
    """A guest saying the reply right before was wrong ("that's wrong", "no, I asked about…"): a mark for staff."""
    if message.direction != "in" or not says_reply_was_wrong(message.body):
        return None
    reply = marks.last_reply_before(session, message=message)
    if reply is None or reply.id is None:
        return None
    conversation = session.get_one(Conversation, message.conversation_id)
    mark = ReplyMark(
        property_id=conversation.property_id,
        conversation_id=message.conversation_id,
        reply_message_id=reply.id,
        verdict=marks.GUEST,
        knowledge_version=reply.knowledge_version,
        created_at=now,
    )
    return marks.add(session, mark)


def get_case(session: Session, *, prop: Property, mark_id: int) -> ReplyMark:
    """A regression case of this property (not deleted), or NotFound: another property's case is a 404 too."""
    mark = session.get(ReplyMark, mark_id)
    if mark is None or mark.property_id != prop.id or not mark.expect_kind or mark.case_deleted:
        raise NotFound("page not found")
    return mark


def apply_fixes(session: Session, *, prop: Property, fixes: dict[str, str]) -> list[int]:
    """A published draft answers these cases with a new entry: each now expects that entry (mark id → topic)."""
    fixed = []
    for mark_id, topic in fixes.items():
        mark = session.get(ReplyMark, int(mark_id))
        if mark is not None and mark.property_id == prop.id and mark.expect_kind and not mark.case_deleted:
            mark.expect_kind, mark.expect_topics = "answer", [topic]
            session.add(mark)
            fixed.append(int(mark_id))
    return fixed


def delete_case(session: Session, *, user: User, mark_id: int, slug: str) -> ReplyMark:
    """An owner (or admin) deletes a case of their property; the mark itself stays. NotFound otherwise."""
    prop = visible_property(session, user=user, slug=slug)
    mark = session.get(ReplyMark, mark_id)
    if mark is None or mark.property_id != prop.id or user.role not in (Role.owner, Role.admin):
        raise NotFound("page not found")
    mark.case_deleted = True
    session.add(mark)
    audit.record(
        session, user_id=user.id, action="case.delete", target=f"property:{prop.slug}", detail={"mark": mark_id}
    )
    return mark
