"""The sign-in throttle: per-address limits that expire, per-account slow-down, bounded memory."""

import pytest

from concierge.users import throttle
from concierge.users.throttle import SignInThrottle


def make(now: list[float]) -> SignInThrottle:
    return SignInThrottle(
        address_limit=3, window_seconds=60, account_threshold=2, max_delay_seconds=4, clock=lambda: now[0]
    )


def test_an_address_is_blocked_for_the_window_only() -> None:
    now = [0.0]
    t = make(now)
    for _ in range(3):
        t.failed(address="203.0.113.9", email="a@example.com")
    assert t.address_blocked("203.0.113.9") and not t.address_blocked("192.0.2.7")
    now[0] = 61
    assert not t.address_blocked("203.0.113.9")


def test_an_accounts_failures_slow_down_until_it_signs_in() -> None:
    now = [0.0]
    t = make(now)
    counts = [t.failed(address=f"198.51.100.{i}", email="Owner@Example.com") for i in range(6)]
    assert counts == [1, 2, 3, 4, 5, 6]  # counted per account, whatever the address
    assert [t.delay(c) for c in counts] == [0.0, 0.5, 1.0, 2.0, 4.0, 4.0]  # capped
    t.succeeded("owner@example.com")
    assert t.account_failures("owner@example.com") == 0


def test_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle, "MAX_TRACKED", 10)
    t = make([0.0])
    for i in range(100):
        t.failed(address=f"10.0.0.{i}", email=f"user{i}@example.com")
    assert len(t._addresses) == 10 and len(t._accounts) == 10
