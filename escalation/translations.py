"""Translation lines under the console transcript: cached per message and language, asked for at most once."""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from concierge.conversation.models import Author, Conversation, Message
from concierge.llm.translate import Request, Translator
from escalation.models import MessageTranslation

log = logging.getLogger(__name__)

# Written in the guest's language; staff write their own.
TRANSLATED_AUTHORS = frozenset({Author.guest, Author.bot, Author.system})


@dataclass(frozen=True)
class Line:
    text: str | None  # None: the translation is unavailable right now (the page shows a hint)


def primary(language: str | None) -> str | None:
    """ "pt" for "pt-BR": languages are compared by their primary tag."""
    return language.split("-")[0].lower() if language else None


def needs_line(message: Message, *, conversation: Conversation, target: str) -> str | None:
    """The message's language when it differs from the staff member's (so it gets a line); None otherwise."""
    if message.author not in TRANSLATED_AUTHORS or not message.body.strip():
        return None
    source = primary(message.language or conversation.language)
    return source if source and source != primary(target) else None


def transcript_lines(
    session: Session,
    *,
    conversation: Conversation,
    messages: list[Message],
    target: str,
    translator: Translator | None,
    limit: int,
    now: datetime,
) -> dict[int, Line]:
    """Translation lines by message id: cached ones, plus up to `limit` new ones asked for now (newest first)."""
    if translator is None:
        return {}  # only the offline responder: it cannot translate, so no line and no hint
    wanted = {
        m.id: (m, source)
        for m in messages
        if m.id and (source := needs_line(m, conversation=conversation, target=target))
    }
    if not wanted:
        return {}
    cached = session.exec(
        select(MessageTranslation).where(
            col(MessageTranslation.message_id).in_(list(wanted)), MessageTranslation.language == target
        )
    )
    lines = {row.message_id: Line(row.text) for row in cached}
    missing = sorted((i for i in wanted if i not in lines), reverse=True)
    asked = [Request(key=i, text=wanted[i][0].body, source=wanted[i][1], target=target) for i in missing[:limit]]
    found = translator.translate_many(asked)
    for message_id in missing:
        result = found.get(message_id)
        lines[message_id] = Line(result.text if result else None)
        if result is not None:
            _store(
                session,
                row=MessageTranslation(
                    message_id=message_id,
                    language=target,
                    text=result.text,
                    prompt=translator.prompt.ref,
                    provider=result.provider[:128],
                    created_at=now,
                ),
            )
    return lines


def _store(session: Session, *, row: MessageTranslation) -> None:
    """Cache one translation; if another page view stored it first, theirs stays (a savepoint keeps ours valid)."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        log.info("translation already cached by another request", extra={"message_id": row.message_id})
