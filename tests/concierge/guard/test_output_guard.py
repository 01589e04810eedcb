"""The output check: grounding of every code, number, time, price, phone, email and link; secrets; promises."""

import pytest

from concierge.guard.output import MAX_REPLY_CHARS, OutputContext, check_reply

FACTS = [
    "Network CasaTest-5G, password sol-y-mar-2024.",
    "Check-in is from 15:00. Late arrivals: call Marta on +34 600 000 001 or write to host@casa.test.",
    "Guide: https://casa.test/guide. Parking costs 12 € per day in space 14.",
]
POLICY = [*FACTS, "Cancellations more than 14 days before arrival get a full refund."]
SECRET = ["The door code is 4821."]


def kinds(
    reply: str, *, language: str = "en", secrets: list[str] | None = None, quoted: list[str] | None = None
) -> list[str]:
    context = OutputContext(
        grounding=FACTS, secrets=secrets or [], policy=POLICY, language=language, quoted=quoted or []
    )
    return [f.kind for f in check_reply(reply, context)]


@pytest.mark.parametrize(
    "reply",
    [
        "The Wi-Fi is CasaTest-5G and the password is sol-y-mar-2024.",
        "You can check in from 3 pm.",
        "You can check in from 15:00; if you arrive late, call +34600000001.",
        "Parking is €12 per day (space 14).",
        "Parking is 12.00 EUR a day.",
        "Write to host@casa.test or read https://casa.test/guide.",
        "If you cancel more than 14 days before arrival, you get a full refund.",
    ],
)
def test_grounded_replies_pass(reply: str) -> None:
    assert kinds(reply) == []


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        ("The password is sol-y-mar-2025.", "ungrounded_code"),
        ("The Wi-Fi is CasaTest-6G.", "ungrounded_code"),
        ("Check-in is from 14:00.", "ungrounded_time"),
        ("Check-in is from 2 pm.", "ungrounded_time"),
        ("Check-in is from 14h.", "ungrounded_time"),
        ("Parking is 20 € per day.", "ungrounded_number"),
        ("Call +34 600 000 009.", "ungrounded_phone"),
        ("Write to owner@casa.test.", "ungrounded_email"),
        ("Details at https://casa-test.example/guide", "ungrounded_link"),
    ],
)
def test_invented_facts_are_caught(reply: str, kind: str) -> None:
    assert kind in kinds(reply)


def test_times_compare_across_notations() -> None:
    assert kinds("Le check-in est à partir de 15h.", language="fr") == []
    assert kinds("Le check-in est à partir de 14h30.", language="fr") == ["ungrounded_time"]


def test_a_number_the_guest_wrote_may_be_echoed() -> None:
    assert kinds("For 4 guests, parking is 12 € per day.", quoted=["we are 4, where to park?"]) == []
    assert kinds("For 4 guests, parking is 12 € per day.") == ["ungrounded_number"]


def test_access_details_are_blocked_without_access_even_when_the_guest_guessed_them() -> None:
    assert kinds("The door code is 4821.", secrets=SECRET) == ["secret"]
    assert kinds("Yes, 4821 is right.", secrets=SECRET, quoted=["is the code 4821?"]) == ["secret"]
    assert kinds("The door code is 4821.", secrets=[]) == ["ungrounded_number"]  # not given: not grounded either


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        ("So sorry! We'll give you a 10% discount on your stay.", "promise:discount"),
        ("Of course, late check-out until 14:00 is fine.", "promise:late_check_out"),
        ("Sure, early check-in is possible.", "promise:early_check_in"),
        ("We will compensate you for the inconvenience.", "promise:compensation"),
        ("Le daremos un descuento.", "promise:discount"),
    ],
)
def test_promises_the_knowledge_base_does_not_make_are_caught(reply: str, kind: str) -> None:
    assert kind in kinds(reply, language="es" if "daremos" in reply else "en")


def test_a_refund_policy_in_the_knowledge_base_is_no_permission_to_grant_one() -> None:
    # The word "refund" is in the policy; quoting the policy passes, granting a refund never does.
    assert kinds("Cancellations more than 14 days before arrival get a full refund.") == []
    granted = "Of course. I have approved a full refund for you, and you will receive a full refund today."
    assert kinds(granted) == ["promise:refund"]


def test_reply_language_must_match_the_turn() -> None:
    assert kinds("La contraseña del wifi es sol-y-mar-2024.", language="en") == ["language"]
    assert kinds("La contraseña del wifi es sol-y-mar-2024.", language="es") == []
    assert kinds("The password is sol-y-mar-2024.", language="ja") == ["language"]
    assert kinds("パスワードは sol-y-mar-2024 です。", language="ja") == []


def test_empty_and_overlong_replies_are_rejected() -> None:
    assert kinds("   ") == ["empty"]
    assert "too_long" in kinds("Check-in is from 15:00. " * (MAX_REPLY_CHARS // 20))


def test_findings_never_carry_the_secret() -> None:
    context = OutputContext(grounding=FACTS, secrets=SECRET, policy=POLICY, language="en")
    (finding,) = check_reply("The door code is 4821.", context)
    assert "4821" not in finding.detail and "4821" not in str(finding)
