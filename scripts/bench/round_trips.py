"""Per-turn counts a statement counter does not see: transactions, pool checkouts (a pre-ping each, when on) and, on
PostgreSQL, the CPU time of the server processes serving this engine's connections (read from /proc: the
database must run on this machine)."""

import os
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


def backend_pids(url: str) -> set[int]:
    """The server processes of every connection to this PostgreSQL database now (ours excepted)."""
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        query = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        return {int(row[0]) for row in connection.execute(query)}


def server_cpu_seconds(pids: set[int]) -> float:
    """utime + stime of these processes (gone ones count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class RoundTrips:
    """Counts of an engine's events and its server processes' CPU, from `start()` on."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.counts: Counter[str] = Counter()
        self.pids: set[int] = set()
        self.cpu_at_start: dict[int, float] = {}
        for name in ("begin", "commit", "rollback"):
            event.listen(engine, name, self._counter(name))
        event.listen(engine.pool, "checkout", self._checkout)

    def _counter(self, name: str) -> Any:
        def count(*_: Any) -> None:
            self.counts[name] += 1

        return count

    def _checkout(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        self.counts["checkout"] += 1
        if self.engine.dialect.name == "postgresql":
            pid = int(dbapi_connection.info.backend_pid)
            if pid not in self.pids:  # a connection opened while measuring counts from 0
                self.pids.add(pid)
                self.cpu_at_start.setdefault(pid, 0.0)

    def start(self) -> None:
        """Measure from now."""
        self.counts.clear()
        self.cpu_at_start = {pid: server_cpu_seconds({pid}) for pid in self.pids}

    def report(self, turns: int) -> str:
        """Per-turn figures since `start()`."""
        per = {name: self.counts[name] / turns for name in ("begin", "commit", "rollback", "checkout")}
        counted = ", ".join(f"{name} {value:.2f}" for name, value in per.items())
        line = f"  per message (its store and its turn): {counted}"
        if self.pids:
            spent = sum(server_cpu_seconds({pid}) - self.cpu_at_start.get(pid, 0.0) for pid in self.pids)
            line += f", database server CPU {1000 * spent / turns:.2f} ms ({len(self.pids)} connections)"
        return line


def round_trips(engine: Engine) -> RoundTrips:
    """Start counting `engine`'s transactions and checkouts (and its server processes' CPU on PostgreSQL)."""
    return RoundTrips(engine)


__all__ = ["backend_pids", "round_trips", "server_cpu_seconds"]
