"""The one backoff function: full jitter under an exponential ceiling and a cap, never sooner than Retry-After."""

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from concierge.core.backoff import Backoff, delay, parse_retry_after

NOW = datetime(2030, 5, 17, 12, 0, tzinfo=UTC)


def test_ceiling_doubles_per_attempt_from_base() -> None:
    top = 1 - 1e-12  # the largest value random.random() can return
    assert [delay(attempt, base=2, cap=1000, rng=lambda: top) for attempt in range(5)] == pytest.approx(
        [2, 4, 8, 16, 32]
    )


def test_wait_is_the_random_fraction_of_the_ceiling() -> None:
    assert delay(3, base=2, cap=1000, rng=lambda: 0.0) == 0.0
    assert delay(3, base=2, cap=1000, rng=lambda: 0.25) == 4.0
    assert delay(3, base=2, cap=1000, rng=lambda: 0.5) == 8.0


def test_cap_bounds_the_ceiling_even_for_huge_attempts() -> None:
    assert delay(10, base=2, cap=60, rng=lambda: 0.5) == 30.0
    assert delay(10_000, base=2, cap=60, rng=lambda: 0.5) == 30.0  # no overflow
    assert delay(-1, base=2, cap=60, rng=lambda: 0.5) == 1.0  # a negative attempt counts as the first


def test_full_jitter_spreads_waits_over_the_whole_range() -> None:
    rng = random.Random(14).random
    waits = [delay(4, base=1, cap=300, rng=rng) for _ in range(2000)]
    assert all(0 <= wait <= 16 for wait in waits)
    assert min(waits) < 0.5 and max(waits) > 15.5  # from almost nothing to almost the ceiling
    assert 7 < sum(waits) / len(waits) < 9  # uniform: the mean is half the ceiling


def test_retry_after_seconds_is_a_floor() -> None:
    assert delay(0, base=1, cap=300, retry_after=30, rng=lambda: 0.5) == 30.0
    assert delay(0, base=1, cap=300, retry_after="30", rng=lambda: 0.5) == 30.0  # the header's text
    assert delay(8, base=1, cap=300, retry_after=3, rng=lambda: 0.5) == 128.0  # a longer backoff wins


def test_retry_after_is_capped() -> None:
    assert delay(0, base=1, cap=60, retry_after=86_400, rng=lambda: 0.5) == 60.0
    assert delay(0, base=1, cap=60, retry_after=-5, rng=lambda: 0.5) == 0.5  # nonsense is no floor


def test_retry_after_http_date() -> None:
    header = format_datetime(NOW + timedelta(seconds=90), usegmt=True)
    assert header.endswith("GMT")
    assert parse_retry_after(header, now=NOW.timestamp()) == 90.0
    assert parse_retry_after(format_datetime(NOW - timedelta(hours=1), usegmt=True), now=NOW.timestamp()) == 0.0
    future = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    assert delay(0, base=1, cap=600, retry_after=future, rng=lambda: 0.0) == 600.0  # honoured, up to the cap


def test_unreadable_retry_after_is_ignored() -> None:
    for value in (None, "", "  ", "soon", "Wed, 99 Foo 2015", "inf", "nan"):
        assert parse_retry_after(value) is None
    assert delay(1, base=1, cap=60, retry_after="soon", rng=lambda: 0.5) == 1.0
    assert parse_retry_after("2.5") == 2.5


def test_backoff_policy_carries_its_parameters() -> None:
    backoff = Backoff(base=5, cap=3600, rng=lambda: 0.5)
    assert [backoff.delay(attempt) for attempt in range(3)] == [2.5, 5.0, 10.0]
    assert backoff.delay(0, retry_after=20) == 20.0
