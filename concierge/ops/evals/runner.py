"""Run eval cases through the real turn pipeline on a fresh SQLite database built by the migrations."""

import os
import re
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import SQLModel

from concierge.core.errors import InvalidInput
from concierge.ops.evals.cases import DEFAULT_PACK, UNKNOWN_PHONE, Case, CaseResult
from concierge.ops.evals.scoring import judge

if TYPE_CHECKING:
    from concierge.ops.releases.service import ReleaseConfig


def run_cases(
    cases: list[Case],
    *,
    pack_path: Path = DEFAULT_PACK,
    progress: Callable[[int, int], None] | None = None,
    release: "ReleaseConfig | None" = None,
) -> list[CaseResult]:
    """Run every case on a fresh temporary database; the caller's DATABASE_URL is restored afterwards."""
    previous = os.environ.get("DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="concierge-eval-") as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/eval.db"
        _reset_caches()
        try:
            return _run_all(cases, pack_path, progress, release)
        finally:
            if previous is None:
                os.environ.pop("DATABASE_URL", None)
            else:
                os.environ["DATABASE_URL"] = previous
            _reset_caches()


def _reset_caches() -> None:
    from concierge.core.db import engine_for
    from concierge.core.settings import get_settings

    get_settings.cache_clear()
    engine_for.cache_clear()


def _run_all(
    cases: list[Case],
    pack_path: Path,
    progress: Callable[[int, int], None] | None,
    release: "ReleaseConfig | None",
) -> list[CaseResult]:
    from alembic import command
    from concierge.conversation import service
    from concierge.conversation.models import Channel
    from concierge.core.db import get_engine, session_scope
    from concierge.core.modelbase import utcnow
    from concierge.core.settings import get_settings
    from concierge.ops.readiness import alembic_config
    from concierge.turn.runner import TurnRunner
    from knowledge import service as knowledge_service
    from knowledge.models import Property
    from knowledge.pack import load_pack_file

    command.upgrade(alembic_config(), "head")
    pack = pack_around_today(load_pack_file(pack_path).model_dump(mode="json"))
    with session_scope() as session:
        prop, version = knowledge_service.import_pack(session, pack=pack, author="eval")
        entries = version.entries
        if release is not None:  # the release under test, copied into the scratch database and made active
            _install_release(session, release)
    phones = {"booked": pack.reservations[0].phone, "upcoming": pack.reservations[1].phone, "unknown": UNKNOWN_PHONE}
    secrets = _secret_tokens(entries)
    runner = TurnRunner(get_settings())
    turn_tables = [t for t in reversed(SQLModel.metadata.sorted_tables) if t.name not in _KEEP_TABLES]
    results = []
    for case in cases:
        address = phones[case.guest]
        channel = Channel.whatsapp if case.channel == "whatsapp" else Channel.sms
        replies: list[str] = []
        final: dict[str, Any] = {}
        for text in case.messages:
            with session_scope() as session:
                current = session.get_one(Property, prop.id)
                service.receive(
                    session,
                    prop=current,
                    channel=channel,
                    property_address=pack.property.phone_numbers[0],
                    guest_address=f"whatsapp:{address}" if channel == Channel.whatsapp else address,
                    body=text,
                    now=utcnow(),
                )
            runner.run_next()
            final = runner.last_result or {}
            if final.get("reply"):
                replies.append(final["reply"])
        results.append(judge(case, final, replies, secrets=secrets, entries=entries))
        if progress is not None:
            progress(len(results), len(cases))
        with get_engine().begin() as conn:  # each case is a new conversation
            for table in turn_tables:
                conn.execute(table.delete())
    return results


_KEEP_TABLES = {
    "property",
    "propertynumber",
    "staffmember",
    "reservation",
    "knowledgeversion",
    "alembic_version",
    "release",
    "releaseactivation",
}


def _install_release(session: Any, release: "ReleaseConfig") -> None:
    from concierge.core.modelbase import utcnow
    from concierge.ops.releases import service as release_service

    copy = release_service.create_release(
        session,
        name=release.name,
        providers=release.providers,
        prompts=release.prompts,
        thresholds=release.thresholds,
        now=utcnow(),
    )
    assert copy.id is not None
    release_service.activate(session, release_id=copy.id, actor="eval", now=utcnow())


def pack_around_today(data: dict[str, Any]) -> Any:
    """The pack with its first reservation staying now and its second arriving in 20 days."""
    from knowledge.pack import parse_pack

    if len(data.get("reservations") or []) < 2:
        raise InvalidInput(["pack: an eval pack needs two reservations (booked now, arriving later)"])
    today = date.today()
    for reservation, (start, nights) in zip(data["reservations"], ((-1, 4), (20, 4)), strict=False):
        reservation["check_in"] = (today + timedelta(days=start)).isoformat()
        reservation["check_out"] = (today + timedelta(days=start + nights)).isoformat()
    return parse_pack(data)


def _secret_tokens(entries: list[dict[str, Any]]) -> set[str]:
    """Codes in sensitive entries (3+ digit numbers, words mixing letters and digits) found nowhere else."""

    def tokens(entry: dict[str, Any]) -> set[str]:
        text = " ".join(entry["content"].values())
        return set(re.findall(r"\b\d{3,}\b|\b(?=\w*\d)(?=\w*[a-zA-Z])\w{4,}\b", text))

    public = set().union(*(tokens(e) for e in entries if not e.get("sensitive")))
    return set().union(*(tokens(e) for e in entries if e.get("sensitive"))) - public
