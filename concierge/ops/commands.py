"""`concierge report` (the weekly drift report) and `concierge purge` (blank bodies past the retention period,
delete traces and finished queue rows past TRACE_RETENTION_DAYS)."""

import argparse
from pathlib import Path


def cmd_report(args: argparse.Namespace) -> int:
    """Print the drift report for one property or all of them, and optionally write it to a file."""
    from concierge.core.db import session_scope
    from concierge.core.modelbase import utcnow
    from concierge.ops import reports
    from knowledge import service as knowledge_service

    with session_scope(readonly=True) as session:
        prop = knowledge_service.get_property(session, slug=args.property) if args.property else None
        report = reports.drift(
            session,
            now=utcnow(),
            property_id=prop.id if prop else None,
            recent_days=args.days,
            baseline_days=args.baseline,
        )
    text = reports.render_drift(report, title=prop.name if prop else "all properties")
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Blank message bodies, outbox copies and escalation details older than the retention period; then delete
    traces, finished jobs, delivered outbox rows and sent notifications older than TRACE_RETENTION_DAYS."""
    from datetime import timedelta

    from concierge.core.db import session_scope
    from concierge.core.modelbase import utcnow
    from concierge.core.settings import get_settings
    from concierge.ops import retention

    days = args.days or get_settings().message_retention_days
    with session_scope() as session:
        purged = retention.purge_bodies(session, before=utcnow() - timedelta(days=days))
    print(
        f"purged {purged.messages} message bodies, {purged.outbox} outbox copies, "
        f"{purged.escalations} escalation details older than {days} days"
    )
    trace_days = args.trace_days or get_settings().trace_retention_days
    before = utcnow() - timedelta(days=trace_days)
    deleted = dict.fromkeys(retention.HISTORY, 0)
    for name, delete_batch in retention.HISTORY.items():
        while True:  # one transaction per batch: on SQLite the write lock is held for one batch at a time
            with session_scope() as session:
                count = delete_batch(session, before=before, limit=args.batch)
            deleted[name] += count
            if count < args.batch:
                break
    print(
        f"deleted {deleted['traces']} traces, {deleted['jobs']} finished jobs, {deleted['outbox']} delivered outbox "
        f"rows, {deleted['notifications']} sent notifications older than {trace_days} days"
    )
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `report` to the `concierge` command."""
    p = commands.add_parser("report", help="drift: the last 7 days against the previous 28 (run it weekly)")
    p.add_argument("--property", default="", help="a property's slug (default: all properties)")
    p.add_argument("--days", type=int, default=7)
    p.add_argument("--baseline", type=int, default=28)
    p.add_argument("--out", default="", help="also write the report to this file")
    p.set_defaults(func=cmd_report)


def register_purge(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `purge` to the `concierge` command."""
    p = commands.add_parser("purge", help="blank old message bodies; delete old traces and the queues' finished rows")
    p.add_argument("--days", type=int, default=0, help="body retention in days (default: MESSAGE_RETENTION_DAYS)")
    p.add_argument(
        "--trace-days", type=int, default=0, help="history retention in days (default: TRACE_RETENTION_DAYS)"
    )
    p.add_argument("--batch", type=int, default=1000, help="rows deleted per transaction")
    p.set_defaults(func=cmd_purge)
