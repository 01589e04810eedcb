"""The `concierge` command: serve, worker, db, import, export, kb, chat, eval, release, report, purge, alerts."""

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence

from concierge.channels import commands as channel_commands
from concierge.core import commands as core_commands
from concierge.core.errors import DomainError, InvalidInput
from concierge.ops import commands as ops_commands
from concierge.ops.alerts import commands as alert_commands
from concierge.ops.evals import commands as eval_commands
from concierge.ops.releases import commands as release_commands
from concierge.users import commands as user_commands
from concierge.worker import commands as worker_commands
from escalation import commands as escalation_commands
from knowledge import commands as knowledge_commands

log = logging.getLogger("concierge.cli")


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the web app; on SQLite, with the worker as a child process."""
    import uvicorn

    from concierge.core.settings import get_settings
    from concierge.worker.commands import SWITCH_INTERVAL, freeze_heap
    from concierge.worker.process import WorkerProcesses

    problem = get_settings().configuration_problem()
    if problem:  # one line on stderr (main), before anything starts
        raise DomainError(problem)
    worker = None
    if get_settings().run_worker_in_process:  # on SQLite: a child process, started first so both import at once
        worker = WorkerProcesses(get_settings(), get_settings().worker_processes)
        worker.start()
    from concierge.app import create_app

    app = create_app(worker=worker)
    sys.setswitchinterval(SWITCH_INTERVAL)
    freeze_heap()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        timeout_graceful_shutdown=int(get_settings().shutdown_timeout_seconds),
    )
    return 0


def register_serve(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `serve` (the application shell: the app, and on SQLite the worker child) to the `concierge` command."""
    p = commands.add_parser("serve", help="run the web app (and, on SQLite, the worker)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_serve)


# Each package's commands.py adds its subcommands and implements them; a command imports what it needs when it runs,
# so `concierge --help` loads these small modules and nothing else. Listed in the order of `concierge --help`.
REGISTER: tuple[Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None], ...] = (
    core_commands.register,  # db upgrade
    knowledge_commands.register,  # import, export, kb history|rollback
    ops_commands.register_purge,  # purge
    user_commands.register,  # users add
    escalation_commands.register,  # quiet-hours
    register_serve,  # serve
    worker_commands.register,  # worker
    eval_commands.register,  # eval
    release_commands.register,  # release list|create|activate|rollback
    alert_commands.register,  # alerts check
    ops_commands.register,  # report
    channel_commands.register,  # chat
)


def build_parser() -> argparse.ArgumentParser:
    """The command line, as documented in the README and the interface contract."""
    parser = argparse.ArgumentParser(prog="concierge", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for register in REGISTER:
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; DomainErrors become one-line messages and exit codes (2 for invalid input)."""
    args = build_parser().parse_args(argv)
    from concierge.core.settings import get_settings  # after parsing: `--help` needs no settings

    if args.command == "serve" and get_settings().run_worker_in_process:
        from concierge.core import metrics_dir

        metrics_dir.prepare()  # before prometheus_client is imported: the worker child's turns reach /metrics
    from concierge.core.observability import configure_logging, configure_sentry

    configure_logging(get_settings())
    configure_sentry(get_settings())  # every process: `serve`, its worker child, `concierge worker`, commands
    started = time.perf_counter()
    try:
        code: int = args.func(args)
        sys.stdout.flush()  # here, so a reader that went away is caught below, not at interpreter exit
    except BrokenPipeError:  # `concierge kb history … | head -3`: the reader has all it wanted
        _silence_stdout()
        return 0
    except InvalidInput as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2 if args.command == "import" else 1
    except Exception as exc:  # a one-line error for the operator; the traceback is in the debug log
        log.debug("command failed", exc_info=True)
        print(f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 1
    log.debug("command finished", extra={"seconds": round(time.perf_counter() - started, 3)})
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush does not fail on the closed pipe again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
