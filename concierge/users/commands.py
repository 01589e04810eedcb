"""`concierge users add`: web accounts from the command line (the password never appears as an argument)."""

import argparse
import sys

from concierge.core.errors import InvalidInput


def read_password(*, prompt: bool) -> str:
    """The new password: asked twice on a terminal, else the first line of stdin (never an argument)."""
    import getpass

    if not prompt:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Repeat it: ") != password:
        raise InvalidInput(["password: the two entries differ"])
    return password


def cmd_users_add(args: argparse.Namespace) -> int:
    """Add an account with access to the given properties."""
    from concierge.core.db import session_scope
    from concierge.users import service as users_service

    password = read_password(prompt=sys.stdin.isatty())
    with session_scope() as session:
        user = users_service.create_user(
            session,
            email=args.email,
            role=args.role,
            password=password,
            property_slugs=args.property,
            language=args.language,
        )
        print(f"added {user.email} ({user.role}, {user.language}) for {', '.join(args.property) or 'no property'}")
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `users add` to the `concierge` command."""
    users = commands.add_parser("users", help="web accounts").add_subparsers(dest="users_command", required=True)
    p = users.add_parser("add", help="add an account; the password is read from the prompt or stdin")
    p.add_argument("--email", required=True)
    p.add_argument("--role", required=True, choices=["owner", "staff", "admin"])
    p.add_argument("--property", action="append", default=[], metavar="SLUG", help="repeat for several")
    p.add_argument("--language", default="en", help="console language and translation target (default en)")
    p.set_defaults(func=cmd_users_add)
