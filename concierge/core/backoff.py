"""How long a retry loop waits: exponential backoff with full jitter, never sooner than the server's `Retry-After`.

Every retry loop uses it: turn jobs, outbox sends, escalation notifications and the model router's calls.
Full jitter (a uniform wait between zero and the exponential ceiling) spreads the retries of many failing rows
so they do not all come back at the same moment.
"""

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

MAX_EXPONENT = 62  # 2**62 seconds is past any cap: beyond it the ceiling stops growing (and never overflows)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a `Retry-After` header (seconds or an HTTP date); None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = moment.timestamp() - (time.time() if now is None else now)
    return max(0.0, seconds) if math.isfinite(seconds) else None


def delay(
    attempt: int,
    *,
    base: float,
    cap: float,
    retry_after: float | str | None = None,
    rng: Callable[[], float] = random.random,
) -> float:
    """Seconds before retry number `attempt` (0 first): uniform in [0, min(cap, base·2^attempt)], ≥ Retry-After.

    A server's `Retry-After` (seconds, or the header's text: seconds or an HTTP date) is honoured up to `cap`,
    so a misbehaving header cannot park the work for days.
    """
    ceiling = min(cap, base * 2.0 ** min(max(attempt, 0), MAX_EXPONENT))
    wait = rng() * ceiling
    floor = parse_retry_after(retry_after) if isinstance(retry_after, str) else retry_after
    if floor is not None:
        wait = max(wait, min(max(floor, 0.0), cap))
    return wait


@dataclass(frozen=True)
class Backoff:
    """One retry loop's policy: `base` seconds doubling per attempt up to `cap`, with full jitter from `rng`."""

    base: float
    cap: float
    rng: Callable[[], float] = random.random

    def delay(self, attempt: int, *, retry_after: float | str | None = None) -> float:
        """Seconds before retry number `attempt` (0 first), never sooner than `retry_after`."""
        return delay(attempt, base=self.base, cap=self.cap, retry_after=retry_after, rng=self.rng)
