"""Play cases through the real turn pipeline against their own packs, in either responder mode.

Like runner.py (which still plays the scenario suites offline, unchanged), every run uses a fresh SQLite
database built by the migrations, with each pack's reservations moved around today. In addition it:
- imports every pack the cases name (a suite file's `pack:`), padding packs with fewer than five reservations
  with eval guests, so every guest kind (booked, upcoming, past, future, arriving) has a phone everywhere;
- times every turn, and reads the escalation the conversation has after the last turn (staff told, urgency);
- in `model` mode, starts the fact-seeking fake model and points the app's OpenAI provider at it, telling the
  fake before each turn which facts answer the guest's message (only the last message has any).
"""

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import SQLModel, select

from concierge.ops.evals.cases import UNKNOWN_PHONE, Case
from concierge.ops.evals.fake_model import MODEL, Expectation, FactSeekingModel
from concierge.ops.evals.runner import _KEEP_TABLES, _install_release, _reset_caches, _secret_tokens, pack_around_today
from concierge.turn.result import TurnResult

if TYPE_CHECKING:
    from concierge.ops.releases.service import ReleaseConfig

GUEST_STAY = {"booked": 0, "upcoming": 1, "past": 2, "future": 3, "arriving": 4}  # index in the reservations
_EVAL_GUESTS = (  # for packs with only the first two stays (casa-azul): fictional, never in a pack's text
    {"guest_name": "Eval Past Guest", "phone": "+33755500001", "language": "fr", "guests": 2},
    {"guest_name": "Eval Future Guest", "phone": "+4915755500002", "language": "de", "guests": 2},
    {"guest_name": "Eval Arriving Guest", "phone": "+31655500003", "language": "nl", "guests": 2},
)


@dataclass(frozen=True)
class PackInfo:
    """What scoring needs to know about a case's pack."""

    slug: str
    property_id: int
    address: str  # the number guests write to
    entries: list[dict[str, Any]]
    secrets: set[str]  # codes of sensitive entries found nowhere else
    emergency_number: str
    phones: dict[str, str]  # guest kind -> phone


@dataclass
class Played:
    """One case played: the last turn's final state, every reply, per-turn latency, the escalation left."""

    case: Case
    final: TurnResult | None  # None when the last turn failed
    replies: list[str]
    turn_ms: list[float]
    notified: bool  # the last turn handed the conversation to people (an escalation is open)
    urgency: str | None  # that escalation's urgency
    pack: PackInfo


def play(
    cases: list[Case],
    *,
    mode: str,
    default_pack: Path,
    release: "ReleaseConfig | None" = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Played]:
    """Play every case on a scratch database; `mode` "model" routes every turn through the fake model."""
    with tempfile.TemporaryDirectory(prefix="concierge-eval-") as tmp, _fake_if(mode) as fake:
        env = {"DATABASE_URL": f"sqlite:///{tmp}/eval.db"}
        if fake is not None:
            env |= {
                "LLM_PROVIDERS": f"openai:{MODEL},offline",
                "OPENAI_BASE_URL": fake.base_url,
                "OPENAI_API_KEY": "test",
                "LLM_OFFLINE_FIRST": "false",
            }
        with _environment(env):
            return _play_all(cases, default_pack, release, fake, progress)


@contextmanager
def _fake_if(mode: str) -> Iterator[FactSeekingModel | None]:
    if mode != "model":
        yield None
        return
    with FactSeekingModel() as fake:
        yield fake


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the run and restore the caller's afterwards (settings are cached)."""
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    _reset_caches()
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _reset_caches()


def _play_all(
    cases: list[Case],
    default_pack: Path,
    release: "ReleaseConfig | None",
    fake: FactSeekingModel | None,
    progress: Callable[[int, int], None] | None,
) -> list[Played]:
    from alembic import command
    from concierge.core.db import alembic_config, get_engine
    from concierge.core.settings import get_settings
    from concierge.turn.runner import TurnRunner

    command.upgrade(alembic_config(), "head")
    paths = dict.fromkeys((c.spec.pack if c.spec and c.spec.pack else default_pack) for c in cases)
    packs = _import_packs(list(paths), release)
    runner = TurnRunner(get_settings())
    turn_tables = [t for t in reversed(SQLModel.metadata.sorted_tables) if t.name not in _KEEP_TABLES]
    played = []
    for case in cases:
        info = packs[case.spec.pack if case.spec and case.spec.pack else default_pack]
        played.append(_play_case(case, info, runner, fake))
        if progress is not None:
            progress(len(played), len(cases))
        with get_engine().begin() as conn:  # each case is a new conversation
            for table in turn_tables:
                conn.execute(table.delete())
    return played


def _import_packs(paths: list[Path], release: "ReleaseConfig | None") -> dict[Path, PackInfo]:
    from concierge.core.db import session_scope
    from concierge.guard.policy import policy_from
    from knowledge import service as knowledge_service
    from knowledge.pack import load_pack_file

    packs = {}
    with session_scope() as session:
        for path in paths:
            data = load_pack_file(path).model_dump(mode="json")
            known = {r["phone"] for r in data["reservations"]}
            extra = [g for g in _EVAL_GUESTS if g["phone"] not in known]
            placeholder = {"check_in": "2026-01-01", "check_out": "2026-01-02"}
            data["reservations"] += [{**g, **placeholder} for g in extra[: max(0, 5 - len(data["reservations"]))]]
            pack = pack_around_today(data)
            prop, version = knowledge_service.import_pack(session, pack=pack, author="eval")
            assert prop.id is not None
            kinds = sorted(GUEST_STAY, key=GUEST_STAY.__getitem__)
            packs[path] = PackInfo(
                slug=prop.slug,
                property_id=prop.id,
                address=pack.property.phone_numbers[0],
                entries=version.entries,
                secrets=_secret_tokens(version.entries),
                emergency_number=policy_from(prop.policy).emergency_number,
                phones={kind: r.phone for kind, r in zip(kinds, pack.reservations, strict=False)},
            )
        if release is not None:
            _install_release(session, release)
    return packs


def _play_case(case: Case, info: PackInfo, runner: Any, fake: FactSeekingModel | None) -> Played:
    from concierge.conversation import service
    from concierge.conversation.models import Channel
    from concierge.core.db import session_scope
    from concierge.core.modelbase import utcnow
    from escalation.models import Escalation
    from knowledge.models import Property

    if case.guest == "unknown":
        address = case.spec.phone if case.spec and case.spec.phone else UNKNOWN_PHONE
    else:
        address = info.phones[case.guest]
    channel = Channel.whatsapp if case.channel == "whatsapp" else Channel.sms
    replies: list[str] = []
    turn_ms: list[float] = []
    final: TurnResult | None = None
    for index, text in enumerate(case.messages):
        if fake is not None:
            fake.expect(expectation_for(case, info, last=index == len(case.messages) - 1))
        with session_scope() as session:
            service.receive(
                session,
                prop=session.get_one(Property, info.property_id),
                channel=channel,
                property_address=info.address,
                guest_address=f"whatsapp:{address}" if channel == Channel.whatsapp else address,
                body=text,
                now=utcnow(),
            )
        started = time.perf_counter()
        runner.run_next()
        turn_ms.append(round((time.perf_counter() - started) * 1000, 1))
        final = runner.last_result
        if final is not None and final.reply:
            replies.append(final.reply)
    with session_scope(readonly=True) as session:  # the case's conversation is the only one in the database
        escalation = session.exec(select(Escalation)).first()
    notified = final is not None and final.escalation is not None and escalation is not None
    urgency = escalation.urgency if escalation is not None else None
    return Played(case, final, replies, turn_ms, notified, urgency, info)


def expectation_for(case: Case, info: PackInfo, *, last: bool) -> Expectation:
    """What the fake model is told before a turn: the expected entries' texts for the last message only."""
    topics = [*(case.topics or []), *(case.spec.accept if case.spec else [])] if last else []
    facts = [(e["topic"], text) for e in info.entries if e["topic"] in topics for text in e["content"].values()]
    return Expectation(
        facts=tuple(text for _, text in facts),
        topics=tuple(topic for topic, _ in facts),
        language=case.language or "en",
        secrets=tuple(sorted(info.secrets)),
    )
