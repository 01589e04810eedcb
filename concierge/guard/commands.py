"""`concierge purge`: blank message bodies older than the retention period (privacy)."""

import argparse


def cmd_purge(args: argparse.Namespace) -> int:
    """Blank message bodies, outbox copies and escalation details older than the retention period."""
    from datetime import timedelta

    from concierge.core.db import session_scope
    from concierge.core.modelbase import utcnow
    from concierge.core.settings import get_settings
    from concierge.guard import privacy

    days = args.days or get_settings().message_retention_days
    with session_scope() as session:
        purged = privacy.purge_bodies(session, before=utcnow() - timedelta(days=days))
    print(
        f"purged {purged.messages} message bodies, {purged.outbox} outbox copies, "
        f"{purged.escalations} escalation details older than {days} days"
    )
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `purge` to the `concierge` command."""
    p = commands.add_parser("purge", help="blank message bodies older than the retention period")
    p.add_argument("--days", type=int, default=0, help="retention in days (default: MESSAGE_RETENTION_DAYS)")
    p.set_defaults(func=cmd_purge)
