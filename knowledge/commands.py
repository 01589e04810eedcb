"""`concierge import|export|kb history|kb rollback`: property packs and knowledge versions from the command line."""

import argparse
import sys
from pathlib import Path


def cmd_import(args: argparse.Namespace) -> int:
    """Validate a pack, then upsert its property, staff and reservations and publish its knowledge."""
    from concierge.core.db import session_scope
    from knowledge import service as knowledge_service
    from knowledge.pack import load_pack_file

    pack = load_pack_file(Path(args.pack))
    with session_scope() as session:
        prop, version = knowledge_service.import_pack(session, pack=pack, author=args.author)
        print(
            f"imported {prop.slug}: knowledge v{version.version} ({version.summary}), "
            f"{len(pack.staff)} staff, {len(pack.reservations)} reservations"
        )
    return 0


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
            print(f"{v.version}\t{v.published_at.isoformat(timespec='seconds')}Z\t{v.author}\t{v.summary}")
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
