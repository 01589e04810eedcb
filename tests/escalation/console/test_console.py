"""The staff console in-process: scope (404 for other properties), claim, reply, notes, hand back, resolve, SSE."""

from fastapi.testclient import TestClient
from sqlmodel import col, select

from concierge.conversation import service
from concierge.conversation.models import Conversation, Outbox
from concierge.core.db import session_scope
from concierge.guard import privacy as guard_service
from escalation import queue as queue_service
from escalation.models import ConversationNote, Escalation, EscalationStatus
from knowledge.models import Property, Reservation, ReservationPhone
from tests.factories import add_user, ask, csrf_of, guest_asks_for_person, other_property, sign_in, store


def test_queue_lists_only_my_properties_and_other_conversations_are_404(client: TestClient, prop: Property) -> None:
    b = other_property()
    mine = guest_asks_for_person(prop)
    theirs = guest_asks_for_person(b, to="+15005550007", phone="+34622222222")
    add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    sign_in(client, "staff-a@example.com", next="/console")
    page = client.get("/console").text
    assert "Casa Test" in page and "Casa B" not in page
    assert client.get(f"/console/conversations/{mine}").status_code == 200
    assert client.get(f"/console/conversations/{theirs}").status_code == 404
    assert client.get("/console/conversations/999999").status_code == 404
    token = csrf_of(client.get(f"/console/conversations/{mine}").text)
    assert client.post(f"/console/conversations/{theirs}/claim", data={"csrf_token": token}).status_code == 404
    with session_scope() as s:
        assert s.get_one(Conversation, theirs).owner == "unassigned-human"  # untouched
        assert guard_service.audit_log(s, conversation_id=theirs) == []  # refused, so no access was recorded


def test_console_needs_sign_in_and_a_csrf_token(client: TestClient, prop: Property) -> None:
    conversation_id = guest_asks_for_person(prop)
    assert client.get("/console", follow_redirects=False).status_code == 303
    add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    sign_in(client, "staff-a@example.com", next="/console")
    assert client.post(f"/console/conversations/{conversation_id}/claim", data={}).status_code == 403


def test_claim_reply_note_hand_back(client: TestClient, prop: Property) -> None:
    conversation_id = guest_asks_for_person(prop)
    user = add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    sign_in(client, "staff-a@example.com", next="/console")
    page = client.get(f"/console/conversations/{conversation_id}")
    assert "Hand-off card" in page.text and "talk to a person" in page.text and "Ana López" in page.text
    token = csrf_of(page.text)
    url = f"/console/conversations/{conversation_id}"
    assert client.post(f"{url}/claim", data={"csrf_token": token}).status_code == 200
    with session_scope() as s:
        assert s.get_one(Conversation, conversation_id).owner == f"staff:{user.id}"
        assert s.exec(select(Escalation)).one().status == EscalationStatus.claimed
    client.post(f"{url}/reply", data={"csrf_token": token, "body": "Hola Ana, soy Marta"})
    client.post(f"{url}/note", data={"csrf_token": token, "body": "Guest wants a late checkout"})
    page = client.post(f"{url}/hand-back", data={"csrf_token": token, "note": "Late checkout agreed at 12:00"})
    assert "Late checkout agreed at 12:00" in page.text
    with session_scope() as s:
        outgoing = s.exec(select(Outbox).where(Outbox.to_address == "+34611111111").order_by(col(Outbox.id))).all()
        assert [o.author for o in outgoing] == ["system", "staff"] and outgoing[1].body == "Hola Ana, soy Marta"
        notes = [n.body for n in s.exec(select(ConversationNote))]
        assert notes == ["Guest wants a late checkout", "Late checkout agreed at 12:00"]
        assert all("late checkout" not in o.body.lower() for o in s.exec(select(Outbox)))  # notes never leave
        escalation = s.exec(select(Escalation)).one()
        assert escalation.status == EscalationStatus.resolved and escalation.handed_back
        assert s.get_one(Conversation, conversation_id).owner == "bot"
        audited = [(e.user_id, e.action) for e in guard_service.audit_log(s, conversation_id=conversation_id)]
    # Every view and action of a staff member is in the audit log, in order (the redirects are views too).
    assert audited == [
        (user.id, "conversation.view"),
        (user.id, "conversation.take_over"),
        (user.id, "conversation.view"),
        (user.id, "conversation.reply"),
        (user.id, "conversation.view"),
        (user.id, "conversation.note"),
        (user.id, "conversation.view"),
        (user.id, "conversation.hand_back"),
        (user.id, "conversation.view"),
    ]


def test_resolve_keeps_the_conversation_with_its_owner(client: TestClient, prop: Property) -> None:
    conversation_id = guest_asks_for_person(prop)
    user = add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    token = sign_in(client, "staff-a@example.com", next="/console")
    url = f"/console/conversations/{conversation_id}"
    client.post(f"{url}/claim", data={"csrf_token": token})
    client.post(f"{url}/resolve", data={"csrf_token": token, "note": "Called the guest"})
    with session_scope() as s:
        escalation = s.exec(select(Escalation)).one()
        assert escalation.status == EscalationStatus.resolved and escalation.resolution_note == "Called the guest"
        assert s.get_one(Conversation, conversation_id).owner == f"staff:{user.id}"


def test_canned_replies_per_property(client: TestClient, prop: Property) -> None:
    other_property()
    add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    token = sign_in(client, "staff-a@example.com", next="/console")
    data = {"csrf_token": token, "title": "Late checkout", "language": "es", "body": "Podemos ofrecer salida a las 12."}
    assert "Podemos ofrecer" in client.post("/console/p/casa-test/canned", data=data).text
    assert client.post("/console/p/casa-b/canned", data=data).status_code == 404
    conversation_id = guest_asks_for_person(prop)
    assert "Late checkout (Spanish)" in client.get(f"/console/conversations/{conversation_id}").text


def test_fingerprint_changes_when_the_queue_or_conversation_does(prop: Property) -> None:
    user = add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    assert user.id is not None
    empty = queue_service.fingerprint(user_id=user.id, conversation_id=None)
    conversation_id = guest_asks_for_person(prop)
    queued = queue_service.fingerprint(user_id=user.id, conversation_id=None)
    watched = queue_service.fingerprint(user_id=user.id, conversation_id=conversation_id)
    assert empty != queued
    store(prop, "are you there?")
    assert queue_service.fingerprint(user_id=user.id, conversation_id=conversation_id) != watched
    b = other_property()
    guest_asks_for_person(b, to="+15005550007", phone="+34622222222")
    # another property's escalation is not this user's news
    assert queue_service.fingerprint(user_id=user.id, conversation_id=None) == queued


def test_staff_link_a_co_travellers_number_to_a_booking(client: TestClient, prop: Property) -> None:
    friend = "+34699999999"
    before = ask(prop, "What is the door code?", phone=friend)
    assert before["reply"] is not None and "4821" not in before["reply"]  # an unknown number: no code
    with session_scope() as s:
        conversation = service.find_conversation(s, property_id=prop.id or 0, channel="sms", guest_address=friend)
        assert conversation is not None and conversation.id is not None
        conversation_id = conversation.id
        ana = s.exec(select(Reservation).where(Reservation.guest_name == "Ana López")).one()
    staff = add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    sign_in(client, "staff-a@example.com", next="/console")
    page = client.get(f"/console/conversations/{conversation_id}").text
    assert "Link this number" in page and "John Smith" in page  # every current or coming stay is offered
    token = csrf_of(page)
    url = f"/console/conversations/{conversation_id}/link"
    assert "Choose a booking" in client.post(url, data={"csrf_token": token, "reservation_id": "x"}).text
    other = other_property()
    with session_scope() as s:
        theirs = Reservation(
            property_id=other.id or 0,
            guest_name="Eve",
            phone="+34633333333",
            check_in=ana.check_in,
            check_out=ana.check_out,
        )
        s.add(theirs)
        s.flush()
        theirs_id = theirs.id
    assert client.post(url, data={"csrf_token": token, "reservation_id": str(theirs_id)}).status_code == 404
    page = client.post(url, data={"csrf_token": token, "reservation_id": str(ana.id)}).text
    assert "Ana López" in page and "Link this number" not in page
    with session_scope() as s:
        links = s.exec(select(ReservationPhone)).all()
        assert [(link.reservation_id, link.phone, link.linked_by) for link in links] == [(ana.id, friend, staff.id)]
        actions = [e.action for e in guard_service.audit_log(s, conversation_id=conversation_id)]
        assert "conversation.link_booking" in actions
    after = ask(prop, "What is the door code?", phone=friend)
    assert after["reply"] is not None and "4821" in after["reply"]  # now treated as Ana's party, inside the window
