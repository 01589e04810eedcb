"""`concierge quiet-hours SLUG [--start HH:MM --end HH:MM | --clear]`: the operator's side of quiet hours."""

import argparse


def cmd_quiet_hours(args: argparse.Namespace) -> int:
    """Show, set or clear a property's quiet hours (audited like the console page)."""
    from concierge.core.db import session_scope
    from escalation import quiet_hours
    from knowledge import service as knowledge_service

    with session_scope() as session:
        prop = knowledge_service.get_property(session, slug=args.slug)
        if args.clear or args.start is not None or args.end is not None:
            start, end = ("", "") if args.clear else (args.start or "", args.end or "")
            quiet_hours.update(session, prop=prop, start=start, end=end, user_id=None, language="en")
        start, end = quiet_hours.current(session, prop=prop)
        print(f"{prop.slug}: quiet hours {start}–{end} ({prop.timezone})" if start else f"{prop.slug}: no quiet hours")
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `quiet-hours` to the `concierge` command."""
    p = commands.add_parser("quiet-hours", help="show, set or clear a property's quiet hours (property time)")
    p.add_argument("slug")
    p.add_argument("--start", help="HH:MM, e.g. 22:00")
    p.add_argument("--end", help="HH:MM, e.g. 08:00")
    p.add_argument("--clear", action="store_true", help="remove the quiet hours")
    p.set_defaults(func=cmd_quiet_hours)
