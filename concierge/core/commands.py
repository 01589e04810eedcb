"""`concierge db upgrade`: migrate DATABASE_URL to the newest schema."""

import argparse


def cmd_db_upgrade(_args: argparse.Namespace) -> int:
    """`alembic upgrade head` on DATABASE_URL (on PostgreSQL under an advisory lock: one migrator at a time)."""
    from alembic import command
    from concierge.core.db import alembic_config, migration_lock

    with migration_lock():
        command.upgrade(alembic_config(), "head")
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `db upgrade` to the `concierge` command."""
    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="migrate DATABASE_URL to the newest schema").set_defaults(func=cmd_db_upgrade)
