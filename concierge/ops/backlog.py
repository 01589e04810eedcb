"""Scrape-time gauges: turns waiting and running, the outbox backlog and its oldest reply, unclaimed escalations."""

import logging
from collections.abc import Iterator
from datetime import datetime

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from concierge.conversation import jobs, outbox
from concierge.core import metrics_dir
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from escalation import service as escalation_service

log = logging.getLogger(__name__)


class BacklogCollector(Collector):
    """Outbox backlog and oldest age, and unclaimed escalations, read from the database at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        waiting = GaugeMetricFamily("concierge_outbox_backlog", "Replies waiting to leave (pending or sending)")
        oldest = GaugeMetricFamily(
            "concierge_outbox_oldest_age_seconds", "Age of the oldest undelivered reply (pending, retrying or sending)"
        )
        unclaimed = GaugeMetricFamily("concierge_escalations_open", "Escalations nobody has claimed yet")
        unclaimed_age = GaugeMetricFamily(
            "concierge_escalations_open_oldest_age_seconds", "Age of the oldest escalation nobody has claimed"
        )
        turns = GaugeMetricFamily(
            "concierge_turns_backlog", "Turns waiting for a worker or running now, in every process", labels=["state"]
        )
        now = utcnow()
        try:
            with session_scope(readonly=True) as session:
                turns_waiting, turns_running = jobs.backlog(session)
                count, first = outbox.backlog_stats(session)
                open_count, open_first = escalation_service.open_stats(session)
        except Exception:  # a scrape must not fail because the database is briefly away
            log.warning("backlog metrics unavailable", exc_info=True)
            return
        turns.add_metric(["waiting"], turns_waiting)
        turns.add_metric(["running"], turns_running)
        waiting.add_metric([], count)
        oldest.add_metric([], _age(first, now))
        unclaimed.add_metric([], open_count)
        unclaimed_age.add_metric([], _age(open_first, now))
        yield from (turns, waiting, oldest, unclaimed, unclaimed_age)

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(())  # no database reads at registration time


def _age(first: datetime | None, now: datetime) -> float:
    return max(0.0, (now - first).total_seconds()) if first else 0.0


_collector: BacklogCollector | None = None


def register_backlog_collector() -> None:
    """Add the scrape-time backlog gauges to the default registry (once per process)."""
    global _collector
    if _collector is None:
        _collector = BacklogCollector()
        REGISTRY.register(_collector)
        metrics_dir.add_scrape_time_collector(_collector)  # /metrics of `serve` with its worker child
