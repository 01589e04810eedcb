"""Releases: stored, listed, activated and rolled back; the next turn of a running worker follows them."""

from typing import Any

import pytest

from concierge.cli import main
from concierge.core.db import session_scope
from concierge.core.errors import Conflict, InvalidInput, NotFound
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.ops.releases import service as release_service
from concierge.ops.releases.models import ReleaseActivation
from concierge.turn.runner import RELEASE_CHECK_SECONDS, TurnRunner
from knowledge.models import Property
from tests import factories


def make_release(name: str, *, prompt: int, threshold: float = 0.7) -> int:
    """An offline release with this prompt version and retrieval threshold, not active."""
    return factories.make_release(
        name, prompts={"grounded_reply": prompt}, thresholds={"retrieval_threshold": threshold}
    )


def activate(release_id: int) -> None:
    with session_scope() as s:
        release_service.activate(s, release_id=release_id, now=utcnow())


def rollback() -> int | None:
    with session_scope() as s:
        return release_service.rollback(s, now=utcnow()).id


def turn(runner: TurnRunner, prop: Property, body: str) -> dict[str, Any]:
    """One guest message through the given (long-lived) runner; returns the turn's trace."""
    return factories.trace_of(factories.guest_says(prop, body, runner=runner).id).data


def test_activate_and_rollback_change_the_next_turn_without_restart(prop: Property) -> None:
    runner = TurnRunner(get_settings())  # one worker for the whole test: no restart between releases
    before = turn(runner, prop, "parkin plz")
    assert before["release"] == {"id": None, "name": "environment", "prompts": {}, "providers": "offline"}

    stable = make_release("stable", prompt=1)
    activate(stable)
    first = turn(runner, prop, "parkin plz")
    assert first["release"]["id"] == stable and first["release"]["prompts"] == {"grounded_reply": 1}
    assert first["decision"] == "reply" and first["selected"] == ["parking"]

    strict = make_release("strict", prompt=2, threshold=1.0)
    activate(strict)
    second = turn(runner, prop, "parkin plz")
    assert second["release"]["id"] == strict and second["release"]["prompts"] == {"grounded_reply": 2}
    assert second["selected"] == [] and second["outcome"] == "clarify"  # its threshold is in force: ask, not answer

    assert rollback() == stable
    third = turn(runner, prop, "parkin plz")
    assert third["release"]["prompts"] == {"grounded_reply": 1} and third["selected"] == ["parking"]


def test_a_worker_follows_an_activation_by_another_process_within_a_second(prop: Property) -> None:
    clock = [1000.0]
    runner = TurnRunner(get_settings(), monotonic=lambda: clock[0])
    assert turn(runner, prop, "parkin plz")["release"]["id"] is None
    stable = make_release("stable", prompt=1)
    with session_scope() as s:  # as `concierge release activate` in another process: this one is not told
        s.add(ReleaseActivation(release_id=stable, action="activate", actor="cli", created_at=utcnow()))
    clock[0] += RELEASE_CHECK_SECONDS / 2
    assert turn(runner, prop, "parkin plz")["release"]["id"] is None  # read half a second ago: no read per turn
    clock[0] += RELEASE_CHECK_SECONDS / 2
    assert turn(runner, prop, "parkin plz")["release"]["id"] == stable


def test_rollbacks_walk_back_through_history(database_url: str) -> None:
    a, b, c = make_release("a", prompt=1), make_release("b", prompt=2), make_release("c", prompt=3)
    with pytest.raises(Conflict):
        rollback()  # nothing was ever active
    for release_id in (a, b, c):
        activate(release_id)
    assert rollback() == b
    assert rollback() == a
    with pytest.raises(Conflict, match="nothing to roll back to"):
        rollback()
    with session_scope() as s:
        assert release_service.active_release_id(s) == a


def test_activating_the_active_or_an_unknown_release_is_refused(database_url: str) -> None:
    a = make_release("a", prompt=1)
    activate(a)
    with pytest.raises(Conflict):
        activate(a)
    with pytest.raises(NotFound):
        activate(a + 100)


def test_invalid_release_lists_every_problem(database_url: str) -> None:
    with session_scope() as s, pytest.raises(InvalidInput) as caught:
        release_service.create_release(
            s,
            name=" ",
            providers="nosuch:model",
            prompts={"Bad Id": 1, "grounded_reply": 0},
            thresholds={"retrieval_threshold": 1.5, "temperature": 0.2},
            now=utcnow(),
        )
    problems = caught.value.problems
    assert len(problems) == 6
    assert "thresholds.retrieval_threshold: must be between 0 and 1" in problems
    assert any(p.startswith("providers: ") for p in problems)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`concierge ARGS` in this process (the subprocess path is covered by test_cli), with its output."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_release_commands(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "release", "rollback")[0] == 1
    code, out, err = run(
        capsys,
        "release",
        "create",
        "v2 prompts",
        "--prompt",
        "grounded_reply=2",
        "--threshold",
        "retrieval_threshold=0.8",
    )
    assert code == 0, err
    first = int(out.strip().removeprefix("created release "))  # ids differ on PostgreSQL: sequences are not reset
    assert run(capsys, "release", "create", "next", "--activate")[1].strip() == f"created release {first + 1} (active)"
    assert run(capsys, "release", "activate", str(first))[0] == 0
    listed = run(capsys, "release", "list")[1].splitlines()
    assert listed[0].startswith(f"  {first + 1}\t") and listed[1].startswith(f"* {first}\t")
    assert 'prompts={"grounded_reply": 2}' in listed[1] and '"retrieval_threshold": 0.8' in listed[1]
    code, out, _ = run(capsys, "release", "rollback")
    assert code == 0 and f"rolled back to release {first + 1}" in out
    code, _, err = run(capsys, "release", "create", "x", "--threshold", "retrieval_threshold=high")
    assert code == 2 and "thresholds.retrieval_threshold: 'high' is not a number" in err
    assert run(capsys, "release", "activate", str(first + 100))[0] == 1
