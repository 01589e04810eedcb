"""`concierge release list|create|activate|rollback`: the operator's side of releases."""

import argparse
import json

from concierge.core.errors import InvalidInput


def _pairs(values: list[str], what: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    problems = []
    for value in values:
        key, sep, item = value.partition("=")
        if not sep or not key or not item:
            problems.append(f"{what}: {value!r} is not KEY=VALUE")
        pairs[key] = item
    if problems:
        raise InvalidInput(problems)
    return pairs


def _numbers(values: list[str], what: str, kind: type[int] | type[float]) -> dict[str, int | float]:
    parsed: dict[str, int | float] = {}
    problems = []
    for key, raw in _pairs(values, what).items():
        try:
            parsed[key] = kind(raw)
        except ValueError:
            problems.append(f"{what}.{key}: {raw!r} is not a number")
    if problems:
        raise InvalidInput(problems)
    return parsed


def cmd_list(_args: argparse.Namespace) -> int:
    from concierge.core.db import session_scope
    from concierge.ops.releases import service

    with session_scope(readonly=True) as session:
        active = service.active_release_id(session)
        releases = service.list_releases(session)
        if active is None:
            print("* (no release activated: turns use the environment's settings)")
        for r in releases:
            marker = "*" if r.id == active else " "
            when = r.created_at.isoformat(timespec="seconds")
            prompts = json.dumps(r.prompts, sort_keys=True)
            thresholds = json.dumps(r.thresholds, sort_keys=True)
            print(f"{marker} {r.id}\t{when}\t{r.name}\t{r.providers}\tprompts={prompts}\tthresholds={thresholds}")
    return 0


def cmd_create(args: argparse.Namespace) -> int:
    from concierge.core.db import session_scope
    from concierge.core.modelbase import utcnow
    from concierge.core.settings import get_settings
    from concierge.ops.releases import service

    settings = get_settings()
    prompts = {k: int(v) for k, v in _numbers(args.prompt, "prompts", int).items()}
    thresholds = {"retrieval_threshold": settings.retrieval_threshold}
    thresholds.update({k: float(v) for k, v in _numbers(args.threshold, "thresholds", float).items()})
    with session_scope() as session:
        release = service.create_release(
            session,
            name=args.name,
            providers=args.providers or settings.llm_providers,
            prompts=prompts,
            thresholds=thresholds,
            note=args.note,
            author=args.author,
            now=utcnow(),
        )
        assert release.id is not None
        if args.activate:
            service.activate(session, release_id=release.id, actor=args.author, now=utcnow())
        print(f"created release {release.id}" + (" (active)" if args.activate else ""))
    return 0


def cmd_activate(args: argparse.Namespace) -> int:
    from concierge.core.db import session_scope
    from concierge.core.modelbase import utcnow
    from concierge.ops.releases import service

    with session_scope() as session:
        service.activate(session, release_id=args.id, actor=args.author, now=utcnow())
        print(f"release {args.id} is active; the next turn uses it")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from concierge.core.db import session_scope
    from concierge.core.modelbase import utcnow
    from concierge.ops.releases import service

    with session_scope() as session:
        release = service.rollback(session, actor=args.author, now=utcnow())
        print(f"rolled back to release {release.id} ({release.name}); the next turn uses it")
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `release list|create|activate|rollback` to the `concierge` command."""
    release = commands.add_parser("release", help="prompt versions, provider chain and thresholds the turns run with")
    subcommands = release.add_subparsers(dest="release_command", required=True)
    subcommands.add_parser("list", help="every release, newest first; * marks the active one").set_defaults(
        func=cmd_list
    )

    p = subcommands.add_parser("create", help="store a release (defaults: the environment's settings)")
    p.add_argument("name")
    p.add_argument("--providers", default="", help="an LLM_PROVIDERS value (default: the current one)")
    p.add_argument("--prompt", action="append", default=[], metavar="ID=VERSION", help="pin a prompt version")
    p.add_argument(
        "--threshold", action="append", default=[], metavar="KEY=VALUE", help="e.g. retrieval_threshold=0.75"
    )
    p.add_argument("--note", default="")
    p.add_argument("--activate", action="store_true", help="make it active at once")
    p.add_argument("--author", default="cli")
    p.set_defaults(func=cmd_create)

    p = subcommands.add_parser("activate", help="make release ID active for the next turn")
    p.add_argument("id", type=int)
    p.add_argument("--author", default="cli")
    p.set_defaults(func=cmd_activate)

    p = subcommands.add_parser("rollback", help="return to the release active before the current one")
    p.add_argument("--author", default="cli")
    p.set_defaults(func=cmd_rollback)
