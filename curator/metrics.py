"""The curator's Prometheus metrics, in a :class:`prometheus_client.CollectorRegistry` of their own.

``prefloop curator run --metrics-port N`` (or ``PREFLOOP_METRICS_PORT``) serves them over HTTP for scraping, with
the ``/healthz`` and ``/readyz`` probes on the same port (:mod:`prefloop.curator.ops_server`).
Counters are fed by the sources (:class:`prefloop.curator.ingest.kafka.KafkaSource`, :class:`prefloop.curator.ingest.SpoolSource`
through the CLI loop) with the results they already compute: recording costs a few dictionary lookups per batch.

| metric | type | labels |
|---|---|---|
| ``prefloop_curator_records_total`` | counter | — (records read from the topic or spool) |
| ``prefloop_curator_events_stored_total`` | counter | — (new events stored) |
| ``prefloop_curator_events_duplicate_total`` | counter | — (redeliveries and repeats, stored once already) |
| ``prefloop_curator_events_forgotten_total`` | counter | — (records of forgotten users dropped at ingest) |
| ``prefloop_curator_events_dead_lettered_total`` | counter | ``reason`` (validation code: ``not_json``, ...) |
| ``prefloop_curator_dead_letter_failures_total`` | counter | ``error`` (a dead letter not sent to the DLQ topic; it stays in ``dead_letters``) |
| ``prefloop_curator_pairs_total`` | counter | ``route`` (``accepted``/``review``/``discarded``: pairs created or re-routed) |
| ``prefloop_curator_groups_paired_total`` | counter | — |
| ``prefloop_curator_batch_seconds`` | histogram | — (one batch's store transaction) |
| ``prefloop_curator_pairing_seconds`` | histogram | — (one pairing job) |
| ``prefloop_curator_consumer_lag`` | gauge | ``partition`` (records behind the last known end; Kafka mode) |
| ``prefloop_curator_db_retries_total`` | counter | — (database unavailable: the same batch retried) |
| ``prefloop_curator_raw_purge_last_run_timestamp_seconds`` | gauge | — |
| ``prefloop_curator_raw_purged_events_total`` | counter | — |
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

if TYPE_CHECKING:
    from prefloop.curator.health import ConsumerState
    from prefloop.curator.ops_server import OpsServer

__all__ = ["CuratorMetrics"]

_SECONDS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class CuratorMetrics:
    """The curator's counters, gauges and histograms on ``registry`` (a new one by default)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.records = Counter("prefloop_curator_records", "Records read from the source.", registry=r)
        self.stored = Counter("prefloop_curator_events_stored", "New events stored.", registry=r)
        self.duplicates = Counter(
            "prefloop_curator_events_duplicate",
            "Events read again (a redelivery or a repeat) and not stored a second time.",
            registry=r,
        )
        self.forgotten = Counter(
            "prefloop_curator_events_forgotten",
            "Records of forgotten users (prefloop forget) dropped at ingest: replays, resends, late spools.",
            registry=r,
        )
        self.dead_lettered = Counter(
            "prefloop_curator_events_dead_lettered",
            "Records that failed validation, by reason (the error code).",
            ["reason"],
            registry=r,
        )
        self.dead_letter_failures = Counter(
            "prefloop_curator_dead_letter_failures",
            "Dead letters that could not be sent to the DLQ topic (kept in the store), by error class.",
            ["error"],
            registry=r,
        )
        self.pairs = Counter(
            "prefloop_curator_pairs", "Pairs created or re-routed, by route.", ["route"], registry=r
        )
        self.groups_paired = Counter("prefloop_curator_groups_paired", "Prompt groups paired.", registry=r)
        self.batch_seconds = Histogram(
            "prefloop_curator_batch_seconds",
            "Time to store one batch (one database transaction).",
            buckets=_SECONDS,
            registry=r,
        )
        self.pairing_seconds = Histogram(
            "prefloop_curator_pairing_seconds", "Time for one pairing job.", buckets=_SECONDS, registry=r
        )
        self.lag = Gauge(
            "prefloop_curator_consumer_lag",
            "Records behind the partition's last known end offset.",
            ["partition"],
            registry=r,
        )
        self.db_retries = Counter(
            "prefloop_curator_db_retries", "Batches retried because the database was unavailable.", registry=r
        )
        self.purge_last_run = Gauge(
            "prefloop_curator_raw_purge_last_run_timestamp_seconds",
            "When the raw-text purge last finished (Unix time).",
            registry=r,
        )
        self.purged_events = Counter(
            "prefloop_curator_raw_purged_events", "Events whose raw text was blanked.", registry=r
        )

    # -- recording -------------------------------------------------------------------------------------
    def consumed(self, records: int) -> None:
        self.records.inc(records)

    def observe_batch(self, result: Any, seconds: float | None = None) -> None:
        """A stored batch (a :class:`prefloop.curator.pipeline.BatchResult`) and, if given, how long it took."""
        self.stored.inc(result.write.inserted)
        self.duplicates.inc(
            max(result.records - len(result.dead) - result.write.inserted - result.write.forgotten, 0)
        )
        self.forgotten.inc(result.write.forgotten)
        for item in result.dead:
            self.dead_lettered.labels(reason=item.code).inc()
        if seconds is not None:
            self.batch_seconds.observe(seconds)
        if result.pairing.groups:
            self.observe_pairing(result.pairing)

    def observe_pairing(self, result: Any, seconds: float | None = None) -> None:
        """A pairing job's :class:`prefloop.curator.pipeline.PairingResult` and, if given, how long it took."""
        self.groups_paired.inc(result.groups)
        for route, n in result.pairs.by_status.items():
            self.pairs.labels(route=route).inc(n)
        if seconds is not None:
            self.pairing_seconds.observe(seconds)

    def dead_letter_failed(self, error: str) -> None:
        self.dead_letter_failures.labels(error=error).inc()

    def set_lag(self, behind: dict[int, int]) -> None:
        """Records behind the end, per partition number."""
        for partition, n in behind.items():
            self.lag.labels(partition=str(partition)).set(n)

    def observe_purge(self, events: int, at: float) -> None:
        self.purged_events.inc(events)
        self.purge_last_run.set(at)

    # -- exposition ------------------------------------------------------------------------------------
    def render(self) -> bytes:
        """The Prometheus text format of every metric here."""
        return bytes(generate_latest(self.registry))

    def serve(self, port: int, addr: str = "0.0.0.0", health: ConsumerState | None = None) -> OpsServer:
        """Serve ``/metrics`` on ``addr:port`` (0: any free port) from a daemon thread until ``close()``; with
        ``health``, also ``/healthz`` and ``/readyz`` (consuming? how far behind?)."""
        from prefloop.curator.health import consumer_liveness, consumer_readiness
        from prefloop.curator.ops_server import OpsServer

        return OpsServer(
            port,
            addr,
            metrics=self.render,
            live=None if health is None else lambda: consumer_liveness(health),
            ready=None if health is None else lambda: consumer_readiness(health),
        )
