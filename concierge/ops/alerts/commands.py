"""`concierge alerts check`: evaluate the alerts now and print what fired (exit 0 either way)."""

import argparse


def cmd_check(_args: argparse.Namespace) -> int:
    """One line per alert kind, then one line per alert that fired or resolved in this run."""
    from concierge.core.modelbase import utcnow
    from concierge.core.settings import get_settings
    from concierge.ops.alerts.runner import check

    measures, changes = check(get_settings(), now=utcnow())
    for m in measures:
        state = "OVER" if m.over else "ok"
        print(f"{m.kind}\t{m.value:g}\t{m.threshold:g}\t{state}" + (f"\t{m.detail}" if m.detail else ""))
    for change in changes:
        print(f"{change.event}: {change.measure.kind} ({change.measure.value:g} vs {change.measure.threshold:g})")
    if not changes:
        print("nothing fired")
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `alerts check` to the `concierge` command."""
    alerts = commands.add_parser("alerts", help="operational alerts").add_subparsers(
        dest="alerts_command", required=True
    )
    p = alerts.add_parser("check", help="evaluate the alert thresholds now; notify admins of what fired")
    p.set_defaults(func=cmd_check)
