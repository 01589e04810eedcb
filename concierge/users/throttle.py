"""Sign-in throttling that slows attackers without locking anyone out.

Two counters, in the memory of the web process that checks passwords:

- **per client address**: failed sign-ins in a sliding window; past the limit, that address's attempts are refused
  without a password check until the window has moved on. Another address (the owner at home) is not affected.
- **per account** (any email, with an account or not, so the answer says nothing about which exist): consecutive
  failures; past the threshold every further failure is answered later and later (capped). The right password
  still signs in at once: a stranger who knows the admin's email can make guessing slow, never keep the admin out.

Both are bounded in size (the oldest entries are forgotten first), so a flood of addresses or emails cannot grow
the process.
"""

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_TRACKED = 10_000  # addresses and emails remembered at most, each


class SignInThrottle:
    """Failure counts per client address and per account (see the module docstring)."""

    def __init__(
        self,
        *,
        address_limit: int,
        window_seconds: float,
        account_threshold: int,
        max_delay_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.address_limit = address_limit
        self.window = window_seconds
        self.account_threshold = account_threshold
        self.max_delay = max_delay_seconds
        self.clock = clock
        self._addresses: OrderedDict[str, deque[float]] = OrderedDict()
        self._accounts: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def address_blocked(self, address: str) -> bool:
        """Whether this address has used up its failures for the window."""
        with self._lock:
            failures = self._addresses.get(address)
            if failures is None:
                return False
            self._forget_old(failures)
            return len(failures) >= self.address_limit

    def account_failures(self, email: str) -> int:
        """Consecutive failures on this account within the window (0 once the window has passed)."""
        with self._lock:
            count, last = self._accounts.get(_key(email), (0, 0.0))
            return count if self.clock() - last < self.window else 0

    def delay(self, failures: int) -> float:
        """Extra seconds before answering a failure, for an account with this many consecutive failures."""
        over = failures - self.account_threshold
        return 0.0 if over < 0 else min(self.max_delay, 0.5 * 2 ** min(over, 16))

    def failed(self, *, address: str, email: str) -> int:
        """Count a failure; returns the account's consecutive failures now."""
        now = self.clock()
        with self._lock:
            failures = self._addresses.pop(address, None) or deque()
            self._forget_old(failures)
            failures.append(now)
            self._addresses[address] = failures
            key = _key(email)
            count, last = self._accounts.pop(key, (0, 0.0))
            count = (count if now - last < self.window else 0) + 1
            self._accounts[key] = (count, now)
            for table in (self._addresses, self._accounts):
                while len(table) > MAX_TRACKED:
                    table.popitem(last=False)
            return count

    def succeeded(self, email: str) -> None:
        """The account's owner signed in: its failures are forgotten (the address's are not)."""
        with self._lock:
            self._accounts.pop(_key(email), None)

    def _forget_old(self, failures: deque[float]) -> None:
        horizon = self.clock() - self.window
        while failures and failures[0] < horizon:
            failures.popleft()


def _key(email: str) -> str:
    return email.strip().lower()
