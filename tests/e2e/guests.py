"""Simulated guests: each sends its messages one after another as signed webhooks, retrying like Twilio.

Used by the crash tests and by `scripts/bench/load.py`, with `QUESTIONS`. A guest resends the same MessageSid until the
server acknowledges it (connection refused while a server restarts, or a 5xx), so a message is lost only
if the server acknowledged it and then never answered.
"""

import asyncio
import random
import time
from dataclasses import dataclass, field

import httpx

from tests.factories import sign, webhook_form

# One question per topic, and a string only that topic's reply contains (in whatever language it comes).
QUESTIONS = [
    ("wifi password?", "sol-y-mar-2024"),
    ("what time is check-in?", "15:00"),
    ("where can I park?", "Mar 3"),
    ("when does the pool open?", "10:00"),
    ("where do I put the trash?", "21:00"),
]
TRASH = {"topic": "trash", "title": "Trash", "content": {"en": "Bins are in the courtyard, pickup at 21:00."}}


@dataclass
class Traffic:
    """What the guests sent and how the server acknowledged it."""

    sent: dict[str, list[str]] = field(default_factory=dict)  # guest address → bodies, in sending order
    acks: list[float] = field(default_factory=list)  # seconds from first attempt to the 200, per message
    acked_at: dict[str, float] = field(default_factory=dict)  # MessageSid → time.monotonic() of its 200
    errors: int = 0  # attempts that failed (connection refused, 5xx) and were retried


async def run_guest(
    client: httpx.AsyncClient,
    url: str,
    *,
    guest: str,
    to: str,
    bodies: list[str],
    traffic: Traffic,
    think: float = 0.0,
    retry_delay: float = 0.2,
    give_up_after: float = 120.0,
) -> None:
    """Send `bodies` in order from `guest`; each waits for its acknowledgement, then an exponential think time."""
    traffic.sent.setdefault(guest, [])
    for body in bodies:
        params = webhook_form(body, sender=guest, to=to)
        headers = {"X-Twilio-Signature": sign(url, params)}
        started = time.monotonic()
        while True:
            try:
                response = await client.post(url, data=params, headers=headers)
                if response.status_code == 200:
                    break
                if response.status_code < 500:
                    raise AssertionError(f"webhook refused with {response.status_code}: {response.text}")
            except httpx.TransportError:
                pass
            traffic.errors += 1
            if time.monotonic() - started > give_up_after:
                raise AssertionError("the server never acknowledged a webhook")
            await asyncio.sleep(retry_delay)
        now = time.monotonic()
        traffic.acks.append(now - started)
        traffic.acked_at[params["MessageSid"]] = now
        traffic.sent[guest].append(body)
        if think:
            await asyncio.sleep(random.expovariate(1 / think))


async def run_guests(
    url: str, conversations: dict[str, list[str]], *, to: str, concurrency: int, think: float = 0.0
) -> Traffic:
    """Run every guest's conversation, at most `concurrency` guests at a time."""
    traffic = Traffic()
    limit = asyncio.Semaphore(concurrency)

    async def one(client: httpx.AsyncClient, guest: str, bodies: list[str]) -> None:
        async with limit:
            await run_guest(client, url, guest=guest, to=to, bodies=bodies, traffic=traffic, think=think)

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=10, limits=limits) as client:
        await asyncio.gather(*(one(client, guest, bodies) for guest, bodies in conversations.items()))
    return traffic
