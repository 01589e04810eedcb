"""Guests can say a reply was wrong: "that's wrong" right after a bot reply marks it for staff to confirm."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from concierge.conversation import marks
from concierge.conversation.marks import GUEST, ReplyMark
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.guard.phrases import says_reply_was_wrong
from escalation import marking
from knowledge.models import Property
from tests.factories import ANA, JOHN, STRANGER, add_user, guest_says, sign_in, trace_of


@pytest.mark.parametrize(
    ("phone", "complaint"),
    [
        (JOHN, "That's wrong, I asked about the parking"),
        (ANA, "No, eso está mal. Pregunté por el aparcamiento"),
        (STRANGER, "Das stimmt nicht, ich habe nach dem Parkplatz gefragt"),
    ],
)
def test_a_guest_saying_the_reply_was_wrong_marks_it(prop: Property, phone: str, complaint: str) -> None:
    first = guest_says(prop, "what is the wifi password?", phone=phone)
    reply_id = trace_of(first.id).reply_message_id
    guest_says(prop, complaint, phone=phone)
    with session_scope() as s:
        mark = s.exec(select(ReplyMark)).one()
    assert (mark.verdict, mark.reply_message_id, mark.user_id, mark.expect_kind) == (GUEST, reply_id, None, "")


def test_no_mark_without_a_bot_reply_before_or_without_the_words(prop: Property) -> None:
    guest_says(prop, "that's wrong", phone=JOHN)  # the first message: no reply to mark
    guest_says(prop, "and the parking?", phone=JOHN)
    with session_scope() as s:
        assert s.exec(select(ReplyMark)).all() == []


@pytest.mark.parametrize(
    "text",
    ["c'est faux", "Non è quello che ho chiesto", "Dat klopt niet", "Nie o to pytałem", "Isso está errado", "違います"],
)
def test_the_phrases_of_the_other_languages(text: str) -> None:
    assert says_reply_was_wrong(text) and says_reply_was_wrong("不对，我问的是停车")


@pytest.mark.parametrize("text", ["what's the wifi?", "the wrong key is in the box", "right, thanks", "¿Dónde está?"])
def test_ordinary_messages_are_not_marks(text: str) -> None:
    assert not says_reply_was_wrong(text)


def test_staff_see_the_guests_mark_in_the_console(client: TestClient, prop: Property) -> None:
    first = guest_says(prop, "what is the wifi password?", phone=JOHN)
    guest_says(prop, "that's not what I asked", phone=JOHN)
    add_user("staff@example.com", role="staff")
    sign_in(client, "staff@example.com", next="/console")
    html = client.get(f"/console/conversations/{first.conversation_id}").text
    assert "Wrong, the guest said so" in html


def test_names_numbers_and_addresses_are_scrubbed(prop: Property) -> None:
    with session_scope() as s:
        text = "I'm john smith, Marta said call 0034 600 000 001 or mail ana@example.com; Ana López too"
        assert marking.scrub(s, prop=prop, text=text) == (
            "I'm [name], [name] said call [phone] or mail [email]; [name] too"
        )


def test_staff_confirm_or_reject_a_guests_mark(client: TestClient, prop: Property) -> None:
    first = guest_says(prop, "what is the wifi password?", phone=JOHN)
    wifi_reply = trace_of(first.id).reply_message_id
    guest_says(prop, "that's not what I asked", phone=JOHN)
    second = guest_says(prop, "what time is check-in?", phone=STRANGER)
    checkin_reply = trace_of(second.id).reply_message_id
    guest_says(prop, "no, I asked about the parking", phone=STRANGER)
    add_user("staff@example.com", role="staff")
    token = sign_in(client, "staff@example.com", next="/console")
    cases = client.get("/console/properties/casa-test/cases").text
    assert cases.count('href="/console/conversations/') == 2 and "Replies guests said were wrong" in cases
    page = client.get(f"/console/conversations/{first.conversation_id}").text
    assert "Confirm it by choosing what was wrong below, or:" in page and "The reply was right" in page

    reject = {"csrf_token": token, "verdict": "right"}
    assert client.post(f"/console/replies/{wifi_reply}/mark", data=reject, follow_redirects=False).status_code == 303
    confirm = {"csrf_token": token, "verdict": "wrong-topic", "topic": "parking"}
    assert client.post(f"/console/replies/{checkin_reply}/mark", data=confirm).status_code == 200
    assert (
        "rejected by your team: the reply was right"
        in client.get(f"/console/conversations/{first.conversation_id}").text
    )
    page = client.get(f"/console/conversations/{second.conversation_id}").text
    assert "confirmed by your team" in page and "The reply was right</button>" not in page
    assert 'href="/console/conversations/' not in client.get("/console/properties/casa-test/cases").text
    with session_scope() as s:  # only the confirmed reply counts as wrong: 1 of 4 bot replies
        assert marks.wrong_rate(s, since=utcnow() - timedelta(hours=1), until=utcnow()) == 0.25
