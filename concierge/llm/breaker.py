"""A circuit breaker per provider: stop calling a failing provider, probe it again after a pause."""

import threading
import time
from collections.abc import Callable
from enum import StrEnum

from concierge.core import metrics


class BreakerState(StrEnum):
    closed = "closed"  # calls flow
    open = "open"  # calls are skipped until the reset time has passed
    half_open = "half_open"  # one probe call decides: success closes, failure opens again


class CircuitBreaker:
    """Opens after `failures` consecutive failures; after `reset_seconds` lets a single probe through.

    `on_change` hears every change of state (the router publishes it as the `concierge_llm_breaker_state` gauge).
    """

    def __init__(
        self,
        *,
        failures: int,
        reset_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[BreakerState], None] | None = None,
    ) -> None:
        self.failures = failures
        self.reset_seconds = reset_seconds
        self.clock = clock
        self.on_change = on_change
        self._lock = threading.Lock()
        self._state = BreakerState.closed
        self._consecutive = 0
        self._opened_at = 0.0
        self._probing = False

    @property
    def state(self) -> BreakerState:
        """The state as of now (an open breaker past its reset time reads as half-open)."""
        with self._lock:
            return self._current()

    def _current(self) -> BreakerState:
        if self._state is BreakerState.open and self.clock() - self._opened_at >= self.reset_seconds:
            self._set(BreakerState.half_open)
            self._probing = False
        return self._state

    def _set(self, state: BreakerState) -> None:
        changed = state is not self._state
        self._state = state
        if changed and self.on_change is not None:
            self.on_change(state)

    def allow(self) -> bool:
        """May a call go out now? In half-open only one probe at a time is allowed."""
        with self._lock:
            state = self._current()
            if state is BreakerState.closed:
                return True
            if state is BreakerState.half_open and not self._probing:
                self._probing = True
                return True
            return False

    def success(self) -> None:
        """A call succeeded: close."""
        with self._lock:
            self._set(BreakerState.closed)
            self._consecutive = 0
            self._probing = False

    def failure(self) -> None:
        """A call failed: open when the probe failed or the failures in a row reach the limit."""
        with self._lock:
            self._consecutive += 1
            if self._current() is BreakerState.half_open or self._consecutive >= self.failures:
                self._set(BreakerState.open)
                self._opened_at = self.clock()
                self._probing = False


def published_as(provider: str) -> Callable[[BreakerState], None]:
    """An `on_change` that publishes the provider's state as the `concierge_llm_breaker_state` gauge."""
    return lambda state: metrics.set_breaker_state(provider=provider, state=state.value)
