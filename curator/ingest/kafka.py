"""The Kafka source: a consumer-group member that feeds batches to the curator and commits offsets only after
the database transaction committed. Bad events go to the dead-letter topic with the reason and original bytes,
and to the store's ``dead_letters`` table in the batch's own transaction (once per source position).

Scaling out is adding members to the group: the topic is partitioned by conversation id (capture keys each
message by it), so one conversation's events stay in order on one member.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from prefloop.curator.ingest.collector import consumer_collector
from prefloop.curator.ingest.decode import DeadLetterItem, Decoded, RawRecord, decode_records
from prefloop.curator.ingest.files import IngestTotals
from prefloop.curator.ingest.refused import RETRYABLE_ERRORS, error_code
from prefloop.curator.ingest.stages import BatchStages
from prefloop.curator.kafka_clients import new_admin, new_consumer
from prefloop.curator.kafka_options import client_config
from prefloop.curator.messages import (
    COMMIT_FAILED,
    DB_BACK,
    DB_RETRY,
    DB_RETRY_RESOURCES,
    DLQ_FAILED,
    DLQ_SENT,
    NO_PARTITIONS,
)

if TYPE_CHECKING:
    from prefloop.curator.health import ConsumerState
    from prefloop.curator.metrics import CuratorMetrics
    from prefloop.curator.pipeline.core import BatchResult, PairingResult

__all__ = [
    "DB_ERRORS",
    "DLQ_MAX_KEY_BYTES",
    "DLQ_MAX_VALUE_BYTES",
    "KafkaSource",
    "dlq_headers",
    "dlq_value",
    "ensure_topics",
]

log = logging.getLogger(__name__)

#: partitions of the topic the curator creates when it is missing (the most members a group can use)
KAFKA_PARTITIONS = 6

#: Errors that mean "the database is away": wait and retry the same batch, do not commit offsets.
DB_ERRORS = RETRYABLE_ERRORS
#: while the database stays away, its retry line repeats at most this often
DB_RETRY_LOG_INTERVAL_S = 60.0

#: A dead letter's value keeps at most this much of the record (then a marker says how long it was), and its key
#: at most this much: far below the broker's default 1 MiB limit, whatever the record's size, so the dead-letter
#: send itself cannot be refused for size. The store's ``dead_letters`` row keeps the record whole.
DLQ_MAX_VALUE_BYTES = 512 << 10
DLQ_MAX_KEY_BYTES = 1024
_DLQ_MAX_HEADER_BYTES = 2000
#: Seconds to wait for the dead letters of one batch to be acknowledged before moving on (counted as failed).
DLQ_FLUSH_S = 30.0


def ensure_topics(
    bootstrap: str,
    topics: dict[str, int],
    *,
    client_id: str = "prefloop-curator",
    options: Mapping[str, Any] | None = None,
) -> list[str]:
    """Create the topics that are missing (name -> partitions, replication factor 1 for a local broker,
    the broker default otherwise). Returns the names created. ``options``: ``PREFLOOP_KAFKA_OPTIONS``."""
    admin = new_admin(**client_config(bootstrap, options, client_id=client_id))
    try:
        existing = set(admin.list_topics())
        missing = {name: n for name, n in topics.items() if name not in existing}
        if missing:
            brokers = len(admin.describe_cluster().get("brokers", [])) or 1
            admin.create_topics(
                {
                    name: {"num_partitions": n, "replication_factor": min(3, brokers)}
                    for name, n in missing.items()
                },
                raise_errors=False,
                wait_for_metadata=True,
            )
        return sorted(missing)
    finally:
        admin.close()


def dlq_value(value: bytes) -> bytes:
    """``value`` as the dead letter carries it: whole up to :data:`DLQ_MAX_VALUE_BYTES`, else cut there and
    followed by a marker that says so (the ``prefloop-original-bytes`` header gives the full length)."""
    if len(value) <= DLQ_MAX_VALUE_BYTES:
        return value
    marker = f"\n[prefloop: truncated to {DLQ_MAX_VALUE_BYTES} of {len(value)} bytes]".encode()
    return value[:DLQ_MAX_VALUE_BYTES] + marker


def _header(text: str) -> bytes:
    return text.encode("utf-8", "replace")[:_DLQ_MAX_HEADER_BYTES]


def dlq_headers(item: DeadLetterItem) -> list[tuple[str, bytes]]:
    r = item.record
    headers = [
        ("prefloop-error-code", _header(item.code)),
        ("prefloop-error-reason", _header(item.reason)),
        ("prefloop-source-topic", _header(r.topic or "")),
        ("prefloop-source-partition", str(r.partition).encode()),
        ("prefloop-source-offset", str(r.offset).encode()),
    ]
    if len(r.value) > DLQ_MAX_VALUE_BYTES:
        headers.append(("prefloop-original-bytes", str(len(r.value)).encode()))
    return headers


class KafkaSource:
    """Consume ``topic`` as a member of ``group`` and feed the curator."""

    def __init__(
        self,
        curator: Any,
        *,
        bootstrap: str,
        topic: str,
        dlq_topic: str,
        group: str,
        partitions: int = KAFKA_PARTITIONS,
        max_records: int = 2000,
        poll_ms: int = 500,
        retry_max_s: float = 5.0,
        create_topics: bool = True,
        pair_interval_s: float = 10.0,
        metrics: CuratorMetrics | None = None,
        options: Mapping[str, Any] | None = None,
        health: ConsumerState | None = None,
    ) -> None:
        self.curator = curator
        self.bootstrap = bootstrap
        #: PREFLOOP_KAFKA_OPTIONS (TLS, SASL) for the consumer, the dead-letter producer and the admin client
        self.options = dict(options or {})
        self.topic = topic
        self.dlq_topic = dlq_topic
        self.group = group
        self.partitions = partitions
        self.max_records = max_records
        self.poll_ms = poll_ms
        self.retry_max_s = retry_max_s
        self.create_topics = create_topics
        #: Pairing runs for the groups touched since the last pairing at most this often (and whenever the topic
        #: is idle): a group touched by several batches is paired once. Touched groups stay ``dirty`` in the
        #: store until paired, so nothing is lost if the process dies in between.
        self.pair_interval_s = pair_interval_s
        self.metrics = metrics
        #: what /healthz and /readyz report: polled when, which partitions, how far behind, database state
        self.health = health
        self.stop_event = threading.Event()
        self.totals = IngestTotals()
        #: dead letters that could not be sent to the DLQ topic (they are in the store's dead_letters table)
        self.dead_letter_failures = 0
        self._needs_sweep = False
        #: groups stored since the last pairing (the writer thread's own state)
        self._pending: set[str] = set()
        #: monotonic time the first records arrived (benchmarks measure from here, excluding the group join)
        self.first_records_at: float | None = None

    def stop(self) -> None:
        self.stop_event.set()

    def _consumer(self) -> Any:
        return new_consumer(
            self.topic,
            **client_config(self.bootstrap, self.options),
            group_id=self.group,
            client_id=f"{self.group}-consumer",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.max_records,
            # a member killed without leaving is noticed in 10 s (the 45 s default would stall a restart's join)
            session_timeout_ms=10_000,
            heartbeat_interval_ms=3_000,
            # a batch retried through a long database outage may exceed this: the member then leaves, rejoins
            # and re-reads uncommitted records, which ingest absorbs idempotently
            max_poll_interval_ms=300_000,
            fetch_max_bytes=64 << 20,
            max_partition_fetch_bytes=8 << 20,
        )

    def _await_partitions(self, consumer: Any, timeout_s: float = 30.0) -> None:
        """Wait until the consumer's metadata lists the topic's partitions before the first poll joins the
        group. A join made before that (a topic created a moment ago) is assigned nothing, and the member then
        idles until its next metadata refresh (minutes) although the topic has records."""
        deadline = time.monotonic() + timeout_s
        while not consumer.partitions_for_topic(self.topic):
            if time.monotonic() > deadline or self.stop_event.is_set():
                log.warning(NO_PARTITIONS.format(topic=self.topic, seconds=timeout_s))
                return
            time.sleep(0.2)

    def _producer(self) -> Any:
        from kafka import KafkaProducer

        return KafkaProducer(
            **client_config(self.bootstrap, self.options, client_id=f"{self.group}-dlq", acks="all")
        )

    def _with_db_retry(self, fn: Callable[[], Any]) -> Any:
        """``fn()``, retried with capped backoff while the database is away; logged on the first failure, then at
        most once a minute, and once more when it is back."""
        delay = 0.2
        retries = 0
        started = logged = 0.0
        while True:
            try:
                result = fn()
            except DB_ERRORS as exc:
                if self.health is not None:
                    self.health.db_failed(type(exc).__name__)
                self._needs_sweep = True
                if self.metrics is not None:
                    self.metrics.db_retries.inc()
                if self.stop_event.is_set():
                    raise
                now = time.monotonic()
                if retries == 0:
                    started = now
                if retries == 0 or now - logged >= DB_RETRY_LOG_INTERVAL_S:
                    code = error_code(exc)
                    hint = DB_RETRY_RESOURCES if "SQLSTATE 53" in code else ""
                    log.warning(DB_RETRY.format(error=code, hint=hint, delay=self.retry_max_s))
                    logged = now
                retries += 1
                self.curator.store.engine.dispose()
                time.sleep(delay)
                delay = min(delay * 2, self.retry_max_s)
            else:
                if self.health is not None:
                    self.health.db_ok()
                if retries:
                    seconds = time.monotonic() - started
                    log.info(
                        DB_BACK.format(
                            retries=retries, plural="y" if retries == 1 else "ies", seconds=seconds
                        )
                    )
                return result

    def _drained(self, consumer: Any) -> bool:
        from kafka.errors import KafkaError

        assigned = consumer.assignment()
        if not assigned:
            return False
        try:
            ends = consumer.end_offsets(list(assigned))
            return all(consumer.position(tp) >= ends[tp] for tp in assigned)
        except KafkaError as exc:  # broker briefly away: not drained, keep polling
            log.warning("could not read end offsets (%s); polling on", exc)
            return False

    def _caught_up(self, consumer: Any) -> bool:
        """Every assigned partition read up to the end offset the broker reported with its last fetch (no
        request: the consumer's cached high watermarks). Also refreshes the lag gauge."""
        from kafka.errors import KafkaError

        assigned = consumer.assignment()
        if not assigned:
            return False
        behind = {}
        try:
            for tp in assigned:
                high = consumer.highwater(tp)
                position = consumer.position(tp, timeout_ms=0) if high is not None else None
                if high is None or position is None:
                    return False
                behind[tp.partition] = max(high - position, 0)
        except KafkaError:  # a partition moved away meanwhile: not known to be caught up
            return False
        if self.metrics is not None:
            self.metrics.set_lag(behind)
        if self.health is not None:
            self.health.set_lag(behind)
        return not any(behind.values())

    # -- run on the writer and pairing threads (curator.ingest.stages) ------------------------------------------
    def _write(self, records: int, decoded: list[Decoded], dead: list[DeadLetterItem]) -> BatchResult:
        t0 = time.monotonic()
        result: BatchResult = self._with_db_retry(
            partial(self.curator.store_decoded, records, decoded, dead, keep_dead_letters=True)
        )
        if self._needs_sweep:
            # a retried batch finds its events already stored; groups whose pairing was interrupted are still
            # dirty: pair them now
            self._needs_sweep = False
            result.pairing = self._with_db_retry(self.curator.pair_dirty)
        if self.metrics is not None:
            self.metrics.observe_batch(result, time.monotonic() - t0)
        return result

    def _pair(self, keys: list[str]) -> PairingResult:
        t0 = time.monotonic()
        result: PairingResult = self._with_db_retry(partial(self.curator.pair, keys))
        if self.metrics is not None:
            self.metrics.observe_pairing(result, time.monotonic() - t0)
        return result

    def run(self, *, once: bool = False, join_timeout_s: float = 60.0) -> IngestTotals:
        """Consume until :meth:`stop` (or, with ``once``, until every assigned partition is drained).

        Three stages overlap (:mod:`prefloop.curator.ingest.stages`): this thread polls and validates batch N+1 while a
        writer thread stores batch N in one transaction and a pairing thread pairs the groups earlier batches
        touched. Batch N's dead letters go to the DLQ topic and its offsets are committed here only after its
        transaction committed, in order; a crash re-reads at most the uncommitted batch (ingest is idempotent).
        The garbage collector is tuned for the consumer meanwhile (:mod:`prefloop.curator.ingest.collector`).
        """
        with consumer_collector():
            return self._run(once=once, join_timeout_s=join_timeout_s)

    def _run(self, *, once: bool, join_timeout_s: float) -> IngestTotals:
        from kafka.errors import KafkaError
        from kafka.structs import OffsetAndMetadata

        if self.create_topics:
            ensure_topics(
                self.bootstrap, {self.topic: self.partitions, self.dlq_topic: 1}, options=self.options
            )
        recovered = self._with_db_retry(self.curator.pair_dirty)  # recover what a crash left
        self.totals.add_pairing(recovered)
        if self.metrics is not None:
            self.metrics.observe_pairing(recovered)
        consumer, producer = self._consumer(), self._producer()
        self._await_partitions(consumer)
        started = time.monotonic()

        def landed(result: BatchResult, offsets: dict[Any, Any]) -> None:
            # the batch's events, dead letters and dirty flags are committed: the offsets may follow
            self.totals.add(result)
            self._send_dead_letters(producer, result.dead)
            try:
                consumer.commit(offsets)
            except KafkaError as exc:
                # rebalanced away, or the broker is briefly unreachable: whoever owns the partition next
                # re-reads these records, and ingest stores each event once anyway
                log.warning(COMMIT_FAILED.format(error=exc))

        stages = BatchStages(
            self._write,
            self._pair,
            landed=landed,
            paired=self.totals.add_pairing,
            pair_interval_s=self.pair_interval_s,
        )
        try:
            while not self.stop_event.is_set():
                # while a stage works, poll briefly so its results land (and offsets commit) soon
                wait_ms = min(self.poll_ms, 20) if stages.busy else self.poll_ms
                polled = consumer.poll(timeout_ms=wait_ms, max_records=self.max_records)
                if self.health is not None:
                    self.health.polled(tuple(sorted(tp.partition for tp in consumer.assignment())))
                if not polled:
                    if self.metrics is not None or self.health is not None:
                        self._caught_up(consumer)  # refreshes the lag gauge and the health report
                    stages.tick(idle=True)
                    settled = once and not stages.busy and not stages.pending
                    if settled and (self._drained(consumer) or time.monotonic() - started > join_timeout_s):
                        break
                    continue
                if self.first_records_at is None:
                    self.first_records_at = time.monotonic()
                records = [
                    RawRecord(
                        value=m.value or b"",
                        source=f"kafka:{m.topic}/{m.partition}@{m.offset}",
                        topic=m.topic,
                        partition=m.partition,
                        offset=m.offset,
                        key=m.key,
                    )
                    for tp in sorted(polled, key=lambda t: (t.topic, t.partition))
                    for m in polled[tp]
                ]
                if self.metrics is not None:
                    self.metrics.consumed(len(records))
                decoded, dead = decode_records(records)  # overlaps the writer's work on the previous batch
                offsets = {tp: OffsetAndMetadata(msgs[-1].offset + 1, "", -1) for tp, msgs in polled.items()}
                stages.submit(len(records), decoded, dead, token=offsets)
                caught_up = self._caught_up(consumer)
                stages.tick(idle=caught_up)
                if once and caught_up:
                    stages.drain()
                    if self._drained(consumer):
                        break
            stages.drain()
        finally:
            if self.health is not None:
                self.health.stopped = True
            stages.close()
            producer.flush()
            producer.close()
            consumer.close(autocommit=False)
        return self.totals

    def _send_dead_letters(self, producer: Any, dead: list[DeadLetterItem]) -> None:
        """Send each dead letter (bounded in size) to the DLQ topic. A send that fails is counted and logged
        (source, code and the error's class: never the record) and skipped: the batch's transaction already
        kept every dead letter in the store's ``dead_letters`` table, so consumption goes on."""
        if not dead:
            return
        for item in dead:
            key = item.record.key[:DLQ_MAX_KEY_BYTES] if item.record.key else item.record.key
            try:
                future = producer.send(
                    self.dlq_topic, value=dlq_value(item.record.value), key=key, headers=dlq_headers(item)
                )
            except Exception as exc:  # refused before sending (size, buffer, metadata timeout, ...)
                self._dead_letter_failed(item, exc)
                continue
            future.add_errback(self._dead_letter_failed, item)
            log.warning(DLQ_SENT.format(source=item.record.source, code=item.code))
        try:
            producer.flush(timeout=DLQ_FLUSH_S)
        except Exception as exc:  # not acknowledged in time: the errbacks of what failed have run or will run
            log.warning(
                DLQ_FAILED.format(
                    source="this batch", code="-", topic=self.dlq_topic, error=type(exc).__name__
                )
            )

    def _dead_letter_failed(self, item: DeadLetterItem, exc: BaseException) -> None:
        self.dead_letter_failures += 1
        if self.metrics is not None:
            self.metrics.dead_letter_failed(type(exc).__name__)
        log.error(
            DLQ_FAILED.format(
                source=item.record.source, code=item.code, topic=self.dlq_topic, error=type(exc).__name__
            )
        )
