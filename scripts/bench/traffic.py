"""The load generator of `load.py`: guests on keep-alive connections sending signed webhooks with think time."""

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from tests.factories import ACCOUNT_SID, sign

PROPERTY_NUMBER = "+15005550006"  # examples/casa-azul.yaml
QUESTIONS = [
    "wifi password?",
    "¿a qué hora es el check-in?",
    "where can I park?",
    "check out time",
    "hola",
    "Wo kann ich parken?",
    "le code wifi svp",
    "is there a hairdryer?",
]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


@dataclass
class Run:
    acks: list[float] = field(default_factory=list)  # seconds
    acked_at: dict[str, list[float]] = field(default_factory=dict)  # guest → monotonic time of each 200
    errors: int = 0
    started: float = 0.0
    finished: float = 0.0


class Connection:
    """A minimal HTTP/1.1 keep-alive client: cheap enough that the load generator is not the bottleneck."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        head += "Content-Type: application/x-www-form-urlencoded\r\n"
        head += f"Content-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def guest(base: str, index: int, messages: int, think: float, run: Run, prefix: str = "+3465") -> None:
    """One guest: M signed webhooks on one keep-alive connection, each after the previous ack and a think time.

    The numbers (+3465…) stay clear of the demo pack's staff and guests (+34600000001 is its host)."""
    url = f"{base}/twilio/messages"
    phone = f"{prefix}{abs(index):07d}"
    conn = Connection(base)
    run.acked_at[phone] = []
    if think:
        await asyncio.sleep(random.uniform(0, think))  # spread the first messages like real arrivals
    for k in range(messages):
        params = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": ACCOUNT_SID,
            "From": phone,
            "To": PROPERTY_NUMBER,
            "Body": QUESTIONS[(index + k) % len(QUESTIONS)],
            "NumMedia": "0",
        }
        body = urlencode(params).encode()
        headers = {"X-Twilio-Signature": sign(url, params)}
        started = time.monotonic()
        while True:
            reused = conn.writer is not None
            try:
                if await conn.post("/twilio/messages", body, headers) == 200:
                    break
            except (OSError, asyncio.IncompleteReadError):
                conn.close()
                if reused:  # the server closed the idle keep-alive connection (5 s): reconnect, as clients do
                    continue
            run.errors += 1
            await asyncio.sleep(0.1)
        now = time.monotonic()
        run.acks.append(now - started)
        run.acked_at[phone].append(now)
        if think:
            await asyncio.sleep(random.expovariate(1 / think))
    conn.close()


async def drive(base: str, guests: int, messages: int, think: float) -> Run:
    run = Run(started=time.monotonic())
    await asyncio.gather(*(guest(base, i, messages, think, run) for i in range(guests)))
    run.finished = time.monotonic()
    return run
