"""`concierge import|export|kb history|kb rollback`: property packs and knowledge versions from the command line."""

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.service import ImportPreview


def cmd_import(args: argparse.Namespace) -> int:
    """Validate a pack, then upsert its property, staff and reservations and publish its knowledge.

    On an existing property it says what is overwritten first; it refuses (exit 1) to overwrite knowledge
    edited in the admin unless --replace is given, and --if-missing leaves an existing property alone."""
    from concierge.core.db import session_scope
    from knowledge import drafts
    from knowledge import service as knowledge_service
    from knowledge.pack import load_pack_file

    pack = load_pack_file(Path(args.pack))
    slug = pack.property.slug
    with session_scope() as session:
        preview = knowledge_service.preview_import(session, pack=pack)
        if preview is not None and args.if_missing:
            published = f"knowledge v{preview.published.version}" if preview.published else "no knowledge yet"
            print(f"{slug} already exists ({published}): nothing imported (--if-missing)")
            return 0
        if preview is not None:
            print(_overwrites(slug, preview), file=sys.stderr)
            if preview.overwrites_edits and not args.replace:
                print(_refusal(slug, preview), file=sys.stderr)
                return 1
        prop, version = knowledge_service.import_pack(session, pack=pack, author=args.author)
        print(
            f"imported {prop.slug}: knowledge v{version.version} ({version.summary}), "
            f"{len(pack.staff)} staff, {len(pack.reservations)} reservations"
        )
        assert prop.id is not None
        draft = drafts.get_draft(session, property_id=prop.id)
        if draft is not None:  # the draft stays; publishing it merges it with this import, entry by entry
            print(
                f"note: {slug} has an unpublished draft by {draft.edited_by} (based on v{draft.base_version}); "
                f"publishing it keeps this import's changes to the entries the draft did not edit",
                file=sys.stderr,
            )
    return 0


def _overwrites(slug: str, preview: "ImportPreview") -> str:
    return (
        f"{slug} exists: the import changes knowledge ({preview.knowledge}), replaces its {preview.staff} staff "
        f"with the pack's, adds {preview.reservations_added} and updates {preview.reservations_updated} reservations"
    )


def _refusal(slug: str, preview: "ImportPreview") -> str:
    published = preview.published
    assert published is not None
    return (
        f"error: {slug}'s published knowledge (v{published.version}, {published.summary}) was made in the admin "
        f"by {published.author} at {iso_utc(published.published_at)}; nothing imported.\n"
        f"Run again with --replace to overwrite it, or keep it with `concierge export {slug} > {slug}.yaml`."
    )


def iso_utc(moment: datetime) -> str:
    """An ISO 8601 UTC timestamp like 2026-12-02T00:46:00Z (stored times are UTC, aware or not)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cmd_export(args: argparse.Namespace) -> int:
    """Print the property's published pack as YAML."""
    from concierge.core.db import session_scope
    from knowledge import service as knowledge_service
    from knowledge.pack import dump_pack

    with session_scope(readonly=True) as session:
        sys.stdout.write(dump_pack(knowledge_service.export_pack(session, slug=args.slug)))
    return 0


def cmd_kb_history(args: argparse.Namespace) -> int:
    """One line per knowledge version, newest first: version, published_at, author, summary."""
    from concierge.core.db import session_scope
    from knowledge import service as knowledge_service

    with session_scope(readonly=True) as session:
        prop = knowledge_service.get_property(session, slug=args.slug)
        assert prop.id is not None
        for v in knowledge_service.history(session, property_id=prop.id):
            print(f"{v.version}\t{iso_utc(v.published_at)}\t{v.author}\t{v.summary}")
    return 0


def cmd_kb_rollback(args: argparse.Namespace) -> int:
    """Publish a new knowledge version whose content equals VERSION."""
    from concierge.core.db import session_scope
    from knowledge import service as knowledge_service

    with session_scope() as session:
        prop = knowledge_service.get_property(session, slug=args.slug)
        assert prop.id is not None
        new = knowledge_service.rollback(session, property_id=prop.id, version=args.version, author=args.author)
        print(f"published v{new.version} = v{args.version}")
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `import`, `export` and `kb history|rollback` to the `concierge` command."""
    p = commands.add_parser("import", help="validate a property pack and publish it")
    p.add_argument("pack", help="path to the pack's YAML file")
    p.add_argument("--author", default="import", help="recorded as the new knowledge version's author")
    p.add_argument(
        "--replace", action="store_true", help="overwrite knowledge edited in the admin (otherwise refused, exit 1)"
    )
    p.add_argument(
        "--if-missing", action="store_true", help="import only when the property does not exist yet (`make run`)"
    )
    p.set_defaults(func=cmd_import)

    p = commands.add_parser("export", help="print a property's published pack as YAML")
    p.add_argument("slug")
    p.set_defaults(func=cmd_export)

    kb = commands.add_parser("kb", help="knowledge versions").add_subparsers(dest="kb_command", required=True)
    p = kb.add_parser("history", help="one line per version, newest first")
    p.add_argument("slug")
    p.set_defaults(func=cmd_kb_history)
    p = kb.add_parser("rollback", help="publish a new version equal to VERSION")
    p.add_argument("slug")
    p.add_argument("version", type=int)
    p.add_argument("--author", default="cli")
    p.set_defaults(func=cmd_kb_rollback)
