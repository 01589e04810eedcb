"""`concierge users add|list|disable|enable|unlock|set-password|demo`: web accounts from the command line (a
password never appears as an argument: it is read from the prompt or stdin)."""

import argparse
import secrets
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


def _change(args: argparse.Namespace) -> int:
    """disable, enable, unlock or set-password one account; exit 1 when there is no such account."""
    from concierge.core.db import session_scope
    from concierge.users import service as users_service

    password = read_password(prompt=sys.stdin.isatty()) if args.users_command == "set-password" else ""
    with session_scope() as session:
        user = users_service.find_user(session, email=args.email)
        if args.users_command in ("disable", "enable"):
            users_service.set_disabled(session, user=user, disabled=args.users_command == "disable")
        elif args.users_command == "unlock":
            users_service.unlock(session, user=user)
        else:
            users_service.set_password(session, user=user, password=password)
        print(f"{args.users_command}: {user.email}")
    return 0


def cmd_users_list(_args: argparse.Namespace) -> int:
    """One line per account: email, role, state, failed sign-ins, last sign-in, properties (tab-separated)."""
    from concierge.core.db import session_scope
    from concierge.users import service as users_service

    with session_scope(readonly=True) as session:
        for user, slugs in users_service.list_users(session):
            state = "disabled" if user.disabled else "active"
            last = user.last_login_at.isoformat(timespec="seconds") if user.last_login_at else "-"
            fields = [user.email, user.role, state, str(user.failed_attempts), last, ",".join(slugs) or "-"]
            print("\t".join(fields))
    return 0


DEMO_EMAIL = "demo@example.com"


def cmd_users_demo(args: argparse.Namespace) -> int:
    """The local demo account (`make run`): an owner of SLUG with a new random password, printed once."""
    from concierge.core.db import session_scope
    from concierge.core.errors import NotFound
    from concierge.users import service as users_service

    password = secrets.token_urlsafe(12)
    with session_scope() as session:
        try:
            user = users_service.find_user(session, email=DEMO_EMAIL)
        except NotFound:
            users_service.create_user(
                session, email=DEMO_EMAIL, role="owner", password=password, property_slugs=[args.slug]
            )
        else:
            users_service.set_password(session, user=user, password=password)
            users_service.set_disabled(session, user=user, disabled=False)
    print(f"Demo sign-in (this machine only; a new password on every `make run`): {DEMO_EMAIL} / {password}")
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `users add|list|disable|enable|unlock|set-password|demo` to the `concierge` command."""
    users = commands.add_parser("users", help="web accounts").add_subparsers(dest="users_command", required=True)
    p = users.add_parser("add", help="add an account; the password is read from the prompt or stdin")
    p.add_argument("--email", required=True)
    p.add_argument("--role", required=True, choices=["owner", "staff", "admin"])
    p.add_argument("--property", action="append", default=[], metavar="SLUG", help="repeat for several")
    p.add_argument("--language", default="en", help="console language and translation target (default en)")
    p.set_defaults(func=cmd_users_add)
    users.add_parser("list", help="every account: email, role, state, failed sign-ins, last sign-in, properties")
    users.choices["list"].set_defaults(func=cmd_users_list)
    helps = {
        "disable": "the account cannot sign in; its sessions end at once",
        "enable": "the account can sign in again",
        "unlock": "forget its failed sign-ins (failures are answered quickly again)",
        "set-password": "a new password from the prompt or stdin; every session of the account ends",
    }
    for name, text in helps.items():
        p = users.add_parser(name, help=text)
        p.add_argument("email")
        p.set_defaults(func=_change)
    p = users.add_parser("demo", help="create or reset the local demo owner of SLUG and print its password")
    p.add_argument("slug")
    p.set_defaults(func=cmd_users_demo)
