"""The console's live updates: a change marker that moves when a page could, and one poller per process however
many streams listen."""

import threading
import time

from sqlmodel import select

from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from escalation import live
from escalation import service as escalation_service
from escalation import staff as staff_service
from escalation.models import Escalation
from knowledge.models import Property
from tests.factories import guest_asks_for_person, store


def marker() -> str:
    return live.read_marker()


def test_the_marker_moves_with_messages_notes_and_escalations_and_only_then(prop: Property) -> None:
    empty = marker()
    assert marker() == empty  # nothing happened
    conversation_id = guest_asks_for_person(prop)
    asked = marker()
    assert asked != empty
    store(prop, "are you there?")
    messaged = marker()
    assert messaged != asked
    with session_scope() as s:
        staff_service.add_note(s, conversation_id=conversation_id, author="staff:1", body="call her", now=utcnow())
    noted = marker()
    assert noted != messaged
    with session_scope() as s:
        escalation = s.exec(select(Escalation)).one()
        assert escalation.id is not None
        escalation_service.claim(s, escalation_id=escalation.id, staff_id="staff:1", now=utcnow())
    assert marker() != noted  # claimed: the queue row changes
    assert marker() == marker()


def test_one_poller_reads_once_per_interval_however_many_streams_listen() -> None:
    value = ["a"]
    poller = live.Poller(0.05, read=lambda: value[0], idle_after=0.3)
    versions: list[int] = []
    stop = threading.Event()

    def stream() -> None:
        while not stop.is_set():
            versions.append(poller.version())
            time.sleep(0.01)

    streams = [threading.Thread(target=stream) for _ in range(20)]
    for thread in streams:
        thread.start()
    time.sleep(0.5)
    first = poller.version()
    value[0] = "b"  # something changed
    time.sleep(0.2)
    changed = poller.version()
    stop.set()
    for thread in streams:
        thread.join()
    assert changed == first + 1
    assert 5 <= poller.reads <= 20  # 0.7 s at one read per 0.05 s: not one per stream per tick (20× that)
    time.sleep(0.6)  # nobody listens: the poller stops reading
    idle_reads = poller.reads
    time.sleep(0.2)
    assert poller.reads == idle_reads
    assert poller.version() == changed  # and asking again starts it
