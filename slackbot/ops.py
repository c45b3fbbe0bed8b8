"""The bot's operator endpoints: readiness and Prometheus metrics read from the store.

The outbox counts come from the ``slack_outbox`` table at scrape time, so they survive restarts and add up
across processes: ``prefloop_slack_outbox_messages{status="failed"}`` is every message Slack refused for good
(alert when it grows), ``{status="pending"}`` the backlog still to send.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from prefloop.curator.store import Store
from prefloop.curator.store.models import OutboxMessage

__all__ = ["OUTBOX_STATUSES", "bot_readiness", "outbox_counts", "render_metrics"]

OUTBOX_STATUSES = ("pending", "sent", "failed")


def outbox_counts(store: Store) -> dict[str, int]:
    """Messages in the outbox by status (every known status present, 0 when none)."""
    with store.session() as s:
        rows = s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    counts = dict.fromkeys(OUTBOX_STATUSES, 0)
    counts.update({str(status): int(n) for status, n in rows})
    return counts


def bot_readiness(store: Store, outbox_alive: bool) -> tuple[bool, dict[str, Any]]:
    """Ready when the store answers and the outbox worker runs (otherwise votes would queue and never post)."""
    counts = outbox_counts(store)
    return outbox_alive, {"outbox_worker": "running" if outbox_alive else "stopped", "outbox": counts}


class _OutboxCollector:
    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Any:
        family = GaugeMetricFamily(
            "prefloop_slack_outbox_messages",
            "Slack API calls in the outbox, by status (failed = refused by Slack for good).",
            labels=["status"],
        )
        for status, n in sorted(outbox_counts(self.store).items()):
            family.add_metric([status], n)
        yield family


def render_metrics(store: Store) -> bytes:
    """The bot's metrics in the Prometheus text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_OutboxCollector(store))
    return bytes(generate_latest(registry))
