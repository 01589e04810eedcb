"""The `concierge` command: serve, worker, db, import, export, kb, chat, eval, release, report, purge, alerts."""

import argparse
import gc
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from concierge.core import commands as core_commands
from concierge.core.errors import DomainError, InvalidInput
from concierge.core.settings import get_settings
from concierge.ops.alerts import commands as alert_commands
from concierge.ops.releases import commands as release_commands
from concierge.web import commands as web_commands
from escalation import commands as escalation_commands
from knowledge import commands as knowledge_commands

log = logging.getLogger("concierge.cli")


def cmd_purge(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from concierge.core.db import session_scope
    from concierge.core.modelbase import utcnow
    from concierge.guard import privacy as guard_service

    days = args.days or get_settings().message_retention_days
    with session_scope() as session:
        purged = guard_service.purge_bodies(session, before=utcnow() - timedelta(days=days))
    print(
        f"purged {purged.messages} message bodies, {purged.outbox} outbox copies, "
        f"{purged.escalations} escalation details older than {days} days"
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from concierge.worker.process import WorkerProcess

    worker = None
    if get_settings().run_worker_in_process:  # on SQLite: a child process, started first so both import at once
        worker = WorkerProcess(get_settings())
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


# How often a thread waiting for the GIL gets it (Python's default: 5 ms), in `serve` and `worker`. A thread that
# holds the database's write lock (the webhook's group commit; a worker's claim or delivery mark) gives the GIL
# up at every SQLite call and then waits for a CPU-bound thread (the event loop, a turn) to hand it back, while
# every other writer waits for its lock. At 1 ms the worker's lock holds fell from p50 7-9 ms to 4-7 ms, and the
# webhook's ack tail with them (docs/benchmarks.md, fourth pass).
SWITCH_INTERVAL = 0.001


def freeze_heap() -> None:
    """Move everything loaded at startup out of the garbage collector's sight (long-running commands only).

    A full collection walks every object: 140 ms in the web process under load, one pause per few seconds that
    stalled every webhook (docs/benchmarks.md, fourth pass). Frozen, the modules, models and caches loaded at
    startup are never walked again; only what is allocated afterwards is.
    """
    gc.collect()
    gc.freeze()


def cmd_worker(args: argparse.Namespace) -> int:
    from concierge.i18n.detect import warm_up
    from concierge.worker.loops import Worker
    from concierge.worker.process import follow_wake_pipe, signal_ready

    worker = Worker(get_settings())

    def stop(_signum: int, _frame: FrameType | None) -> None:
        worker.request_stop()  # no logging or locks in a signal handler; run_forever drains

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.wake_fd is not None:  # started by `concierge serve`: woken through a pipe, stops when it closes
        # Acks are the latency that matters; turns are throughput: when CPU is short, the web process goes first.
        os.nice(get_settings().worker_process_nice)
        follow_wake_pipe(args.wake_fd, wake=worker.wake, parent_gone=lambda: os.kill(os.getpid(), signal.SIGTERM))
    sys.setswitchinterval(SWITCH_INTERVAL)
    warm_up()  # the language models, before the first turn and before the heap is frozen
    freeze_heap()
    if args.ready_fd is not None:
        signal_ready(args.ready_fd)
    worker.run_forever()
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from concierge.channels.terminal import chat_loop

    return chat_loop(slug=args.slug, phone=args.phone, timeout=args.timeout)


def cmd_eval(args: argparse.Namespace) -> int:
    from concierge.ops import evals
    from concierge.ops.evals import runs as eval_runs

    if args.compare:
        return eval_runs.compare_command(args.compare, path=Path(args.path), pack=Path(args.pack))
    scorecard = eval_runs.run_suite(Path(args.path), pack=Path(args.pack), release=args.release)
    missed = evals.below_thresholds(scorecard, evals.load_thresholds(Path(args.path)))
    print(evals.render(scorecard, missed))
    if args.json:
        evals.write_json(scorecard, Path(args.json))
    return 1 if missed else 0


def cmd_report(args: argparse.Namespace) -> int:
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


def build_parser() -> argparse.ArgumentParser:
    """The command line, as documented in the README and the interface contract."""
    parser = argparse.ArgumentParser(prog="concierge", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    core_commands.register(sub)
    knowledge_commands.register(sub)

    p = sub.add_parser("purge", help="blank message bodies older than the retention period")
    p.add_argument("--days", type=int, default=0, help="retention in days (default: MESSAGE_RETENTION_DAYS)")
    p.set_defaults(func=cmd_purge)
    web_commands.register(sub)
    escalation_commands.add_commands(sub)

    p = sub.add_parser("serve", help="run the web app (and, on SQLite, the worker)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run the turn worker and outbox sender")
    p.add_argument("--wake-fd", type=int, default=None, help=argparse.SUPPRESS)  # set by `concierge serve`
    p.add_argument("--ready-fd", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("eval", help="run the scenario suites, print a scorecard, exit 1 below thresholds")
    p.add_argument("path", nargs="?", default="tests/evals", help="a suite file or a folder of them")
    p.add_argument("--pack", default=str(Path(__file__).resolve().parent.parent / "examples" / "casa-azul.yaml"))
    p.add_argument("--json", default="", help="also write the scorecard as JSON to this file")
    p.add_argument("--release", default="", help="evaluate release ID (or 'active') of DATABASE_URL")
    p.add_argument(
        "--compare", nargs=2, metavar=("A", "B"), help="scorecard files or release ids; exit 1 on regressions"
    )
    p.set_defaults(func=cmd_eval)

    release_commands.add_commands(sub)
    alert_commands.add_commands(sub)

    p = sub.add_parser("report", help="drift: the last 7 days against the previous 28 (run it weekly)")
    p.add_argument("--property", default="", help="a property's slug (default: all properties)")
    p.add_argument("--days", type=int, default=7)
    p.add_argument("--baseline", type=int, default=28)
    p.add_argument("--out", default="", help="also write the report to this file")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("chat", help="talk to the concierge as a guest in the terminal")
    p.add_argument("slug")
    p.add_argument("--phone", required=True, help="the guest's number, E.164 (+34611111111)")
    p.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for each reply")
    p.set_defaults(func=cmd_chat)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; DomainErrors become one-line messages and exit codes (2 for invalid input)."""
    args = build_parser().parse_args(argv)
    from concierge.core.observability import configure_logging

    configure_logging(get_settings())
    started = time.perf_counter()
    try:
        code: int = args.func(args)
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


if __name__ == "__main__":
    sys.exit(main())
