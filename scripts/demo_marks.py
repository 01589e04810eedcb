"""Mark real replies of the demo property and export them as the marked cases `make eval` runs.

    DATABASE_URL=sqlite:///./scratch.db python scripts/demo_marks.py play    # guests write, print every reply
    DATABASE_URL=sqlite:///./scratch.db python scripts/demo_marks.py mark    # the marks below, then --export

`play` imports examples/casa-azul.yaml into an empty database and lets guests write through the real turn pipeline
(the environment's responders); it prints each reply. The marks in MARKS are what a person decided after reading
those replies; `mark` checks each reply still says what was read (a changed concierge stops the script instead of
marking a reply nobody read), marks it with the console's service as the demo owner, and writes the cases with
`concierge eval --property casa-azul --marked --export tests/evals/marked/casa-azul.yaml`.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLUG = "casa-azul"
OWNER = "marks@casa-azul.example"
EXPORT = ROOT / "tests" / "evals" / "marked" / f"{SLUG}.yaml"
CONVERSATIONS = [  # (guest phone, messages): Ana is staying now, John arrives next week, the others have no booking
    ("+34611111111", ["hola! el wifi no me funciona, cuál es la contraseña?"]),
    ("+447700900123", ["hey, can we leave our suitcases somewhere before check in?"]),
    ("+447700900123", ["is there anywhere to park a car near the flat", "how much is it per day?"]),
    ("+15550001234", ["Do you allow dogs? We have a small one"]),
    ("+33612340000", ["Bonjour, on peut fumer sur le balcon ?"]),
    ("+34611111111", ["a qué hora tenemos que dejar el piso el último día?"]),
    ("+4915100000001", ["Wo kann ich den Müll entsorgen?"]),
    ("+15550001234", ["my kid cut his hand badly and it won't stop bleeding"]),
    ("+15550001235", ["can I get a refund if I cancel next week?"]),
]
# (conversation index, message index, a phrase the reply said when it was read, verdict, topic, note); the emergency
# guidance (7) is a system message, not a bot reply, and cannot be marked.
MARKS = [
    (0, 0, "sol-y-mar-2024", "right", "", ""),
    (1, 0, "is your question about check-in or luggage storage?", "should-answer", "luggage", "asked back"),
    (2, 0, "Parking Mediterrani", "right", "", ""),
    (2, 1, "I don't have that information", "should-answer", "parking", "the price is in the parking entry"),
    (3, 0, "Pets are not allowed", "right", "", ""),
    (4, 0, "You can smoke on the balcony", "right", "", ""),
    (5, 0, "La salida es antes de las 11:00", "right", "", ""),
    (6, 0, "The bins are on the corner", "right", "", ""),
    (8, 0, "I can't decide on payments or prices myself", "right", "", ""),
]


def concierge(*args: str, check: bool = True) -> None:
    subprocess.run([sys.executable, "-m", "concierge.cli", *args], cwd=ROOT, check=check)


def play() -> None:
    """Import the demo and let the guests write; print each reply with its id."""
    from concierge.conversation import service
    from concierge.core.db import session_scope
    from concierge.core.modelbase import utcnow
    from concierge.core.settings import get_settings
    from concierge.turn.runner import TurnRunner
    from knowledge import service as knowledge_service

    concierge("db", "upgrade")
    concierge("import", "examples/casa-azul.yaml")
    runner = TurnRunner(get_settings())
    for index, (phone, messages) in enumerate(CONVERSATIONS):
        for position, body in enumerate(messages):
            with session_scope() as session:
                prop = knowledge_service.get_property(session, slug=SLUG)
                assert prop.id is not None
                address = knowledge_service.property_numbers(session, property_id=prop.id)[0]
                service.receive(
                    session,
                    prop=prop,
                    channel="sms",
                    property_address=address,
                    guest_address=phone,
                    body=body,
                    now=utcnow(),
                )
            runner.run_next()
            result = runner.last_result
            print(f"[{index}.{position}] {body}\n    -> {result.reply if result else None!r}\n")


def mark() -> None:
    """Mark the replies read in `play` with the console's service, then export the cases."""
    from sqlmodel import col, select

    from concierge.conversation.models import Message, Trace
    from concierge.core.db import session_scope
    from concierge.core.modelbase import utcnow
    from concierge.users import service as users_service
    from escalation import marking

    with session_scope() as session:
        user = users_service.create_user(
            session, email=OWNER, role="owner", password="demo marks only", property_slugs=[SLUG], language="en"
        )
        # One turn per guest message, in the order `play` sent them (a guest writing again continues their thread).
        turns = list(session.exec(select(Trace.reply_message_id).order_by(col(Trace.id))))
        order = [(i, j) for i, (_phone, messages) in enumerate(CONVERSATIONS) for j in range(len(messages))]
        reply_ids = dict(zip(order, turns, strict=True))
        for conversation, position, phrase, verdict, topic, note in MARKS:
            reply = session.get_one(Message, reply_ids[(conversation, position)])
            if phrase and phrase not in reply.body:
                raise SystemExit(
                    f"[{conversation}.{position}] no longer says {phrase!r}: read it again ({reply.body!r})"
                )
            assert reply.id is not None
            marking.mark_reply(
                session, user=user, reply_id=reply.id, verdict=verdict, topic=topic, note=note, now=utcnow()
            )
    EXPORT.parent.mkdir(parents=True, exist_ok=True)
    concierge("eval", "--property", SLUG, "--marked", "--export", str(EXPORT), check=False)  # 1: a case fails


if __name__ == "__main__":
    {"play": play, "mark": mark}[sys.argv[1]]()
