"""`concierge chat SLUG --phone +E164`: talk to the concierge as a guest in the terminal, no Twilio needed."""

import argparse


def cmd_chat(args: argparse.Namespace) -> int:
    """Chat as the guest with this phone number until an empty line, end of input or Ctrl-C."""
    from concierge.channels.terminal import chat_loop
    from concierge.core.observability import only_warnings

    only_warnings()
    return chat_loop(slug=args.slug, phone=args.phone, timeout=args.timeout)


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `chat` to the `concierge` command."""
    p = commands.add_parser("chat", help="talk to the concierge as a guest in the terminal")
    p.add_argument("slug")
    p.add_argument("--phone", required=True, help="the guest's number, E.164 (+34611111111)")
    p.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for each reply")
    p.set_defaults(func=cmd_chat)
