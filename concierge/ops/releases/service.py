"""Release service: create, list, activate and roll back releases; the worker reads the active one per turn."""

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from concierge.core.errors import Conflict, InvalidInput, NotFound
from concierge.core.settings import Settings
from concierge.llm.router import UnsupportedProvider, parse_providers
from concierge.ops.releases.models import Release, ReleaseActivation

log = logging.getLogger(__name__)

# Thresholds a release may set, as settings fields, each a fraction in [0, 1].
THRESHOLD_KEYS = ("retrieval_threshold", "llm_offline_confidence")
_PROMPT_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class ReleaseConfig:
    """What a turn needs of a release; `id` None means "no release activated: the environment's settings"."""

    id: int | None
    name: str
    providers: str
    prompts: dict[str, int] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)

    def trace(self) -> dict[str, Any]:
        """How the trace names the release."""
        return {"id": self.id, "name": self.name, "prompts": dict(self.prompts), "providers": self.providers}

    def apply(self, settings: Settings) -> Settings:
        """The settings with this release's provider chain, prompt pin and thresholds laid over them."""
        update: dict[str, Any] = {"llm_providers": self.providers}
        fields = type(settings).model_fields
        update.update({k: v for k, v in self.thresholds.items() if k in fields})
        if "llm_prompt_version" in fields and "grounded_reply" in self.prompts:  # the router's pinned prompt
            update["llm_prompt_version"] = self.prompts["grounded_reply"]
        return settings.model_copy(update=update)


def environment_config(settings: Settings) -> ReleaseConfig:
    """The configuration turns use before any release is activated."""
    return ReleaseConfig(id=None, name="environment", providers=settings.llm_providers)


def create_release(
    session: Session,
    *,
    name: str,
    providers: str,
    prompts: dict[str, int],
    thresholds: dict[str, float],
    note: str = "",
    author: str = "cli",
    now: datetime,
) -> Release:
    """Store a new release after checking every part of it; every problem is reported at once."""
    problems = []
    if not name.strip() or len(name) > 100:
        problems.append("name: 1 to 100 characters")
    try:
        parse_providers(providers)
    except UnsupportedProvider as exc:
        problems.append(f"providers: {exc.message}")
    for prompt_id, version in prompts.items():
        if not _PROMPT_ID.match(prompt_id) or version < 1:
            problems.append(f"prompts.{prompt_id}: an id of [a-z0-9_] and a version from 1")
    for key, value in thresholds.items():
        if key not in THRESHOLD_KEYS:
            problems.append(f"thresholds.{key}: unknown; use one of {', '.join(THRESHOLD_KEYS)}")
        elif not 0.0 <= value <= 1.0:
            problems.append(f"thresholds.{key}: must be between 0 and 1")
    if problems:
        raise InvalidInput(problems)
    release = Release(
        name=name.strip(),
        providers=providers,
        prompts=prompts,
        thresholds=thresholds,
        note=note,
        created_by=author,
        created_at=now,
    )
    session.add(release)
    session.flush()
    return release


def list_releases(session: Session) -> list[Release]:
    """Every release, newest first."""
    return list(session.exec(select(Release).order_by(col(Release.id).desc())))


def get_release(session: Session, *, release_id: int) -> Release:
    """One release; NotFound when there is no such id."""
    release = session.get(Release, release_id)
    if release is None:
        raise NotFound(f"no release {release_id}")
    return release


def _current(session: Session) -> ReleaseActivation | None:
    return session.exec(select(ReleaseActivation).order_by(col(ReleaseActivation.id).desc()).limit(1)).first()


_changes = [0]  # activations and rollbacks made by this process: its turn runners read the active release again


def changes() -> int:
    """How many activations and rollbacks this process has made (a runner's cached release is stale when it grew)."""
    return _changes[0]


def active_release_id(session: Session) -> int | None:
    """The release the next turn uses (one indexed read: the newest activation); None before any activation."""
    return session.exec(
        select(ReleaseActivation.release_id).order_by(col(ReleaseActivation.id).desc()).limit(1)
    ).first()


def config_for(release: Release) -> ReleaseConfig:
    """A release as the immutable configuration a turn runs with."""
    assert release.id is not None
    return ReleaseConfig(
        id=release.id,
        name=release.name,
        providers=release.providers,
        prompts=dict(release.prompts),
        thresholds=dict(release.thresholds),
    )


def activate(session: Session, *, release_id: int, actor: str = "cli", now: datetime) -> ReleaseActivation:
    """Make a release the active one; the next turn uses it (no restart)."""
    get_release(session, release_id=release_id)
    current = _current(session)
    if current is not None and current.release_id == release_id:
        raise Conflict(f"release {release_id} is already active")
    activation = ReleaseActivation(
        release_id=release_id,
        previous_id=current.id if current else None,
        action="activate",
        actor=actor,
        created_at=now,
    )
    session.add(activation)
    session.flush()
    _changes[0] += 1
    log.info("release activated", extra={"release_id": release_id})
    return activation


def rollback(session: Session, *, actor: str = "cli", now: datetime) -> Release:
    """Return to the release that was active before the current one; repeated rollbacks walk further back."""
    current = _current(session)
    if current is None or current.previous_id is None:
        raise Conflict("nothing to roll back to: no earlier release was active")
    previous = session.get_one(ReleaseActivation, current.previous_id)
    session.add(
        ReleaseActivation(
            release_id=previous.release_id,
            previous_id=previous.previous_id,  # as if the rolled-back activation never happened
            action="rollback",
            actor=actor,
            created_at=now,
        )
    )
    session.flush()
    _changes[0] += 1
    log.info("release rolled back", extra={"release_id": previous.release_id, "from_release_id": current.release_id})
    return get_release(session, release_id=previous.release_id)
