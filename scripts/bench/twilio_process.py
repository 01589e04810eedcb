"""The fake Twilio of a benchmark in a process of its own, so that it does not share a GIL with the traffic.

In the driving process, every reply the fake accepts (HTTP parsing, a record, a JSON answer) runs between the
driver's own reads of its acknowledgements and delays them: the faster the concierge answers, the slower its
acknowledgements look, which the bare endpoint's run (no replies) never pays. A real Twilio is another machine.
`received_at` is `time.monotonic()`, one clock for every process of the machine (Linux CLOCK_MONOTONIC).

    with TwilioProcess(account_sid=..., auth_token=...) as fake:   # or in_process=True: the fake in this process
        fake.base_url; fake.count(); fake.messages
"""

import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

from tests.fakes.twilio_api import FakeTwilio


def _serve(conn: Connection, account_sid: str, auth_token: str) -> None:
    with FakeTwilio(account_sid=account_sid, auth_token=auth_token) as fake:
        conn.send(fake.base_url)
        while (ask := conn.recv()) != "stop":
            conn.send(fake.requests_seen if ask == "count" else fake.messages)


class TwilioProcess:
    """A FakeTwilio in a child process (or, with `in_process`, in this one): its URL and what it received."""

    def __init__(self, *, account_sid: str, auth_token: str, in_process: bool = False) -> None:
        self._fake = FakeTwilio(account_sid=account_sid, auth_token=auth_token) if in_process else None
        self._args = (account_sid, auth_token)
        self._conn: Connection | None = None
        self._child: multiprocessing.process.BaseProcess | None = None
        self.base_url = ""

    def __enter__(self) -> "TwilioProcess":
        if self._fake is not None:
            self.base_url = self._fake.start().base_url
            return self
        context = multiprocessing.get_context("spawn")  # a clean interpreter: none of the driver's threads or state
        self._conn, child_end = context.Pipe()
        self._child = context.Process(target=_serve, args=(child_end, *self._args), daemon=True)
        self._child.start()
        if not self._conn.poll(60):
            raise RuntimeError("the fake Twilio process did not start within 60 s")
        self.base_url = self._conn.recv()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._fake is not None:
            self._fake.stop()
            return
        assert self._conn is not None and self._child is not None
        self._conn.send("stop")
        self._child.join(timeout=10)

    def _ask(self, what: str) -> Any:
        assert self._conn is not None
        self._conn.send(what)
        return self._conn.recv()

    def count(self) -> int:
        """Messages POSTed so far (a cheap poll: the records stay in the fake until `messages`)."""
        return self._fake.requests_seen if self._fake is not None else int(self._ask("count"))

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The recorded messages (sid, to, from_, body, status_callback, date_created, received_at)."""
        return self._fake.messages if self._fake is not None else list(self._ask("messages"))
