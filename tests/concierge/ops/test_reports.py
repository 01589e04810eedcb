"""The drift report from traces of seeded traffic: last 7 days against the previous 28."""

from datetime import timedelta
from pathlib import Path

import pytest

from concierge.cli import main
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.ops import reports
from concierge.turn.runner import TurnRunner
from knowledge.models import Property
from tests.factories import ANA, JOHN, guest_says


def turn_at(prop: Property, body: str, *, phone: str, days_ago: float) -> None:
    """A guest's message `days_ago` days old, answered a second later."""
    when = utcnow() - timedelta(days=days_ago)
    guest_says(
        prop, body, phone=phone, at=when, runner=TurnRunner(get_settings(), now=lambda: when + timedelta(seconds=1))
    )


@pytest.fixture
def traffic(prop: Property) -> Property:
    for days_ago, body in (
        (20, "¿dónde puedo aparcar?"),
        (15, "contraseña del wifi"),
        (10, "¿a qué hora es el check-in?"),
    ):
        turn_at(prop, body, phone=ANA, days_ago=days_ago)
    turn_at(prop, "where can I park the car?", phone=JOHN, days_ago=2)
    turn_at(prop, "can I bring my horse to the opera?", phone=JOHN, days_ago=1)
    turn_at(prop, "old message outside both periods", phone=ANA, days_ago=40)
    return prop


def test_drift_compares_the_last_week_with_the_four_before(traffic: Property) -> None:
    with session_scope() as s:
        report = reports.drift(s, now=utcnow(), property_id=traffic.id)
    assert report["recent"]["turns"] == 2 and report["baseline"]["turns"] == 3
    assert report["rates"]["answer_rate"] == {"recent": 0.5, "baseline": 1.0, "delta": -0.5}
    assert report["rates"]["escalation_rate"] == {"recent": 0.5, "baseline": 0.0, "delta": 0.5}
    assert report["languages"]["en"]["recent"] == 1.0 and report["languages"]["es"]["baseline"] == 1.0
    assert report["recent_reasons"] == {"no_answer": 1}
    with session_scope() as s:  # another property's traffic is not counted
        assert reports.drift(s, now=utcnow(), property_id=traffic.id + 1)["recent"]["turns"] == 0


def test_report_command_writes_the_owner_report(
    traffic: Property, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.txt"
    assert main(["report", "--property", "casa-test", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Drift report: Casa Test")
    assert "answer rate        50.0% (was 100.0%, -50.0 pts)" in text
    assert "notable: answer rate moved -50.0 pts; escalation rate moved +50.0 pts" in text
    assert out.read_text(encoding="utf-8") == text
    assert main(["report", "--property", "nope"]) == 1


def test_the_report_gains_the_rate_of_replies_marked_wrong(
    traffic: Property, capsys: pytest.CaptureFixture[str]
) -> None:
    turn_at(traffic, "That's wrong, I asked about the opera tickets", phone=JOHN, days_ago=0.5)  # marks the last reply
    with session_scope() as s:
        rates = reports.drift(s, now=utcnow(), property_id=traffic.id)["rates"]
    assert rates["marked_wrong_rate"] == {"recent": 0.3333, "baseline": 0.0, "delta": 0.3333}  # 1 of 3 replies
    assert main(["report", "--property", "casa-test"]) == 0
    assert "marked wrong rate   33.3% (was 0.0%, +33.3 pts)" in capsys.readouterr().out
