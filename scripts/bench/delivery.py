"""Delivery cost: the sender's CPU per reply (claim, send through the official twilio client, mark sent), alone.

    .venv/bin/python -m scripts.bench.delivery --replies 600 [--warmup 50] [--profile FILE]

Queues one reply for each of N guests (as a burst leaves them) in a fresh SQLite database with the demo pack, then
delivers them one after another from this thread to a fake Twilio on loopback (HTTP/1.1, persistent connections, as
api.twilio.com answers), as a worker's sender does. Prints the
CPU time of the delivering thread per reply (`time.thread_time`, so the fake Twilio's threads do not count), wall
time per reply, and the SQL statements per reply; `--profile FILE` writes a cProfile of the measured deliveries
(read its call counts: they do not depend on the machine's load). Run main's code from a `git archive` of it with
this script and `tests/fakes/twilio_api.py` copied in (docs/benchmarks.md, "Concurrent turns", eighth pass).
"""

import argparse
import cProfile
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> int:
    """Queue the replies, deliver them, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replies", type=int, default=600)
    parser.add_argument("--warmup", type=int, default=50, help="replies delivered before measuring")
    parser.add_argument("--profile", help="write a cProfile of the measured deliveries to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/delivery.db"
        from scripts.bench.load import prepare
        from tests.factories import ACCOUNT_SID, AUTH_TOKEN
        from tests.fakes.twilio_api import FakeTwilio

        prepare(db_url)
        with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, keep_alive=True) as fake:
            os.environ.update(
                DATABASE_URL=db_url,
                TWILIO_ACCOUNT_SID=ACCOUNT_SID,
                TWILIO_AUTH_TOKEN=AUTH_TOKEN,
                TWILIO_API_BASE_URL=fake.base_url,
                LOG_LEVEL="WARNING",
            )
            from sqlalchemy import event
            from sqlmodel import select

            from concierge.channels.sender import Sender
            from concierge.core.db import get_engine, session_scope
            from concierge.core.modelbase import utcnow
            from concierge.core.settings import get_settings
            from knowledge.models import Property
            from tests.factories import queue_replies

            with session_scope() as session:
                prop = session.exec(select(Property)).first()
            assert prop is not None
            total = args.warmup + args.replies
            for i in range(total):
                queue_replies(prop, f"Reply number {i}: the wifi password is on the fridge.", guest=f"+3466{i:07d}")
            statements = [0]
            event.listen(
                get_engine(), "before_cursor_execute", lambda *_a: statements.__setitem__(0, statements[0] + 1)
            )
            sender = Sender(get_settings(), now=utcnow)
            for _ in range(args.warmup):
                assert sender.send_next()
            statements[0] = 0
            profile = cProfile.Profile() if args.profile else None
            cpu, wall = time.thread_time(), time.perf_counter()
            if profile is not None:
                profile.enable()
            for _ in range(args.replies):
                assert sender.send_next()
            if profile is not None:
                profile.disable()
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            if profile is not None:
                profile.dump_stats(args.profile)
            assert not sender.send_next() and len(fake.messages) == total
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(
        f"{args.replies} replies: CPU {1000 * cpu / args.replies:.2f} ms per reply (sending thread), "
        f"wall {1000 * wall / args.replies:.2f} ms, statements {statements[0] / args.replies:.1f} per reply"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
