"""`concierge chat`: a terminal conversation with the concierge, as one guest, without Twilio."""

import sys
import time

from concierge.channels.sender import Sender
from concierge.channels.simulator import store_guest_message
from concierge.conversation import service
from concierge.conversation.models import Channel
from concierge.core.db import session_scope
from concierge.core.errors import InvalidInput
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.turn.runner import TurnRunner
from knowledge import service as knowledge_service


def _replies_after(slug: str, phone: str, after_id: int) -> list[tuple[int, str]]:
    with session_scope(readonly=True) as session:
        return [
            (m.id or 0, m.body)
            for m in service.transcript_of(session, slug=slug, channel=Channel.simulator, guest_address=phone)
            if m.direction == "out" and (m.id or 0) > after_id
        ]


def chat_loop(*, slug: str, phone: str, timeout: float) -> int:
    """Read lines from stdin, print the concierge's replies; end with an empty line, EOF or Ctrl-C."""
    if not phone.startswith("+") or not phone[1:].isdigit():
        raise InvalidInput([f"--phone: {phone!r} is not an E.164 number like +34611111111"])
    settings = get_settings()
    runner, sender = TurnRunner(settings), Sender(settings, now=utcnow)
    with session_scope(readonly=True) as session:
        prop = knowledge_service.get_property(session, slug=slug)
        print(f"Chatting with {prop.name} as {phone}. Empty line or Ctrl-D to quit.")
    seen = max((i for i, _ in _replies_after(slug, phone, 0)), default=0)
    interactive = sys.stdin.isatty()
    while True:
        try:
            line = input("you> " if interactive else "")
        except (EOFError, KeyboardInterrupt):
            break
        if not line.strip():
            break
        with session_scope() as session:
            store_guest_message(session, slug=slug, phone=phone, body=line)
        deadline = time.monotonic() + timeout
        replies: list[tuple[int, str]] = []
        while not replies and time.monotonic() < deadline:
            busy = runner.run_next() | sender.send_next()
            replies = _replies_after(slug, phone, seen)
            if not replies and not busy:
                time.sleep(0.1)
        if not replies:
            print("(no reply yet: is another worker holding the job?)", file=sys.stderr)
        for reply_id, body in replies:
            print(f"concierge> {body}")
            seen = max(seen, reply_id)
    return 0
