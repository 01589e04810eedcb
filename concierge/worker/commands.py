"""`concierge worker`, and what `serve` (concierge/cli.py) shares with it: the long-running processes.

On SQLite `serve` starts the worker as its child (`concierge worker --wake-fd … --ready-fd …`); on PostgreSQL
`concierge worker` runs in as many processes as wanted beside the web servers.
"""

import argparse
import gc
import os
import signal
import sys
from types import FrameType

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
    """Run the turn worker and the outbox sender until SIGTERM, then drain."""
    from concierge.core.settings import get_settings
    from concierge.i18n.detect import warm_up
    from concierge.worker.endpoints import start_endpoints
    from concierge.worker.loops import Worker
    from concierge.worker.process import follow_wake_pipe, run_behind_the_web, signal_ready

    if args.wake_fd is not None:  # started by `concierge serve`, before any thread of its own (each inherits it):
        # acks are the latency that matters, turns are throughput: when CPU is short, the web process goes first.
        run_behind_the_web(get_settings())
    worker = Worker(get_settings())
    endpoints = start_endpoints(
        host=args.listen_host, health_port=args.health_port, metrics_port=args.metrics_port, health=worker.health
    )

    def stop(_signum: int, _frame: FrameType | None) -> None:
        worker.request_stop()  # no logging or locks in a signal handler; run_forever drains

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.wake_fd is not None:  # started by `concierge serve`: woken through a pipe, stops when it closes
        follow_wake_pipe(args.wake_fd, wake=worker.wake, parent_gone=lambda: os.kill(os.getpid(), signal.SIGTERM))
    sys.setswitchinterval(SWITCH_INTERVAL)
    warm_up()  # the language models, before the first turn and before the heap is frozen
    freeze_heap()
    if args.ready_fd is not None:
        signal_ready(args.ready_fd)
    worker.run_forever()
    for server in endpoints:
        server.close()
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `worker` to the `concierge` command (`serve`, which starts the app, is in concierge/cli.py)."""
    p = commands.add_parser("worker", help="run the turn worker and outbox sender")
    p.add_argument("--wake-fd", type=int, default=None, help=argparse.SUPPRESS)  # set by `concierge serve`
    p.add_argument("--ready-fd", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument(
        "--metrics-port", type=int, default=None, help="serve GET /metrics (and /healthz) on this port (default: off)"
    )
    p.add_argument(
        "--health-port", type=int, default=None, help="serve GET /healthz on this port: 200 while every loop runs"
    )
    p.add_argument(
        "--listen-host", default="127.0.0.1", help="address for those ports (0.0.0.0 to be scraped from outside)"
    )
    p.set_defaults(func=cmd_worker)
