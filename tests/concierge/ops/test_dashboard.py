"""The owner dashboard's numbers from real turns: messages, answers without a person, hand-offs, fallbacks,
cost, languages and knowledge-gap clusters, exactly; periods; and the gap clustering on its own."""

from datetime import date, datetime, timedelta

import pytest

from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.ops.dashboard import service as dashboard_service
from concierge.ops.dashboard.gaps import Gap, cluster, question_key
from concierge.ops.dashboard.period import BadPeriod, make_period, parse_period
from tests.factories import seed_traffic


def test_dashboard_counts_real_turns_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    at = utcnow() - timedelta(minutes=2)
    prop, _prop_b = seed_traffic(monkeypatch, at)
    period = parse_period(period="7d", start=None, end=None, timezone=prop.timezone, now=utcnow())
    with session_scope() as s:
        board = dashboard_service.build(s, prop=prop, period=period)

    assert board.messages == {
        "simulator": {"in": 4, "out": 4},
        "sms": {"in": 4, "out": 4},
        "whatsapp": {"in": 2, "out": 2},
    }
    assert (board.inbound, board.outbound) == (10, 10)
    assert dict(board.authors) == {"bot": 8, "system": 1, "staff": 1}  # staff alerts to Marta are not counted
    local_day = at.astimezone(period.since.tzinfo).date()
    assert [(d.day, d.inbound, d.outbound) for d in board.days if d.inbound or d.outbound] == [(local_day, 10, 10)]
    assert len(board.days) == 7
    # Ten messages: one failed for good (no trace), one recorded for staff only: eight turns, four plain answers.
    assert (board.turns, board.answered, board.answered_share) == (8, 4, 0.5)
    assert dict(board.reasons) == {"no_answer": 3, "human_requested": 1, "technical_error": 1}
    assert dict(board.languages) == {"en": 5, "es": 2, "fr": 1}
    assert (board.fallbacks, board.failed_turns, board.fallback_rate) == (1, 1, round(2 / 9, 4))
    # Five conversations; only Eve's never involved a person; Eve's and Carla's (resolved) wait for nobody.
    assert (board.conversations, board.without_human, board.resolved) == (5, 1, 2)
    assert board.conversations_share == 0.2
    assert (board.escalations, board.claimed) == (4, 2)
    assert (board.claim_minutes_median, board.claim_minutes_p90) == (7.0, 10.0)
    assert (board.cost_usd, board.model_calls) == (0.003, 2)
    assert (board.cost_per_conversation, board.cost_per_resolved) == (0.0006, 0.0015)

    [gym, clarified, gimnasio] = board.gaps
    assert (gym.count, gym.examples, dict(gym.languages)) == (
        2,
        ["Where is the nearest gym?", "Is there a gym nearby?"],
        {"en": 2},
    )
    assert gym.topic == "custom:gym" and gym.language == "en"
    assert (clarified.count, clarified.examples, dict(clarified.closest)) == (1, ["mediterrani?"], {"parking": 1})
    assert (gimnasio.count, gimnasio.examples, gimnasio.language) == (1, ["¿hay un gimnasio cerca?"], "es")


def test_an_empty_period_has_no_numbers_and_no_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    at = utcnow() - timedelta(minutes=2)
    prop, _prop_b = seed_traffic(monkeypatch, at)
    before = at.date() - timedelta(days=40)
    with session_scope() as s:
        board = dashboard_service.build(
            s, prop=prop, period=make_period(before, before + timedelta(days=6), timezone=prop.timezone)
        )
    assert board.empty and board.gaps == [] and board.messages == {}
    assert (board.answered_share, board.fallback_rate, board.conversations_share) == (None, None, None)
    assert (board.cost_per_conversation, board.cost_per_resolved, board.claim_minutes_median) == (None, None, None)


def test_periods_are_local_days_and_bad_ones_are_refused() -> None:
    now = datetime.fromisoformat("2026-03-10T23:30:00+00:00")  # already the 11th in Madrid
    week = parse_period(period=None, start=None, end=None, timezone="Europe/Madrid", now=now)
    assert (week.key, week.start, week.end) == ("7d", date(2026, 3, 5), date(2026, 3, 11))
    assert week.since == datetime.fromisoformat("2026-03-05T00:00:00+01:00")
    assert week.until == datetime.fromisoformat("2026-03-12T00:00:00+01:00")
    assert len(parse_period(period="90d", start=None, end=None, timezone="UTC", now=now).days) == 90
    custom = parse_period(period="7d", start="2026-01-01", end="2026-01-31", timezone="UTC", now=now)
    assert (custom.key, len(custom.days)) == ("custom", 31)
    for period, start, end, problem in (
        ("1y", None, None, "is not one of 7d, 30d, 90d"),
        (None, "2026-01-01", None, "give both from and to"),
        (None, "2026-02-01", "2026-01-01", "from must not be after to"),
        (None, "yesterday", "2026-01-01", "is not a date"),
        (None, "2024-01-01", "2026-01-01", "at most 366 days"),
    ):
        with pytest.raises(BadPeriod, match=problem) as raised:
            parse_period(period=period, start=start, end=end, timezone="UTC", now=now)
        assert raised.value.status_code == 400


def test_gap_clusters_group_the_same_question_biggest_first() -> None:
    at = datetime.fromisoformat("2026-03-10T10:00:00+00:00")
    texts = [
        "Is there a gym nearby?",
        "where is the nearest gym",
        "GYM near here??",
        "Is there a bakery nearby?",
        "any good bakery close by",
        "Can I rent bikes?",
        "Do you rent bikes? My number is +34 611 111 111",
        "Can I bring my bike?",  # shares "bike" with the rentals but asks something else (70 < 80)
    ]
    gaps = [Gap(text=t, language="en", at=at + timedelta(minutes=i), closest=[]) for i, t in enumerate(texts)]
    clusters = cluster(gaps)
    # Biggest first; among equal counts, the cluster asked most recently first.
    assert [(c.label, c.count) for c in clusters] == [("gym", 3), ("rent bikes", 2), ("bakery", 2), ("bring bike", 1)]
    rentals = clusters[1]
    assert rentals.examples == ["Do you rent bikes? My number is [phone]", "Can I rent bikes?"]  # no phone numbers
    assert rentals.topic == "custom:rent-bikes"
    assert question_key("¿Hay un gimnasio cerca de aquí?") == "gimnasio"
    assert question_key("où ?") == "ou"  # only function words: keep them rather than lose the question


def test_percentiles_are_nearest_rank() -> None:
    assert dashboard_service.percentile([], 0.9) is None
    assert dashboard_service.percentile([4.0, 10.0], 0.9) == 10.0
    assert dashboard_service.percentile([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert dashboard_service.percentile([3.0, 1.0, 2.0], 0.5) == 2.0
