"""No input stops the curator (issue 16): hostile records against the real consumer, broker and stores.

A record the store cannot hold as received (NUL, lone surrogates) is stored with U+FFFD in their place; one
that is not an event (deep nesting, NaN, not JSON, over the size limit) is dead-lettered with a reason, in the
store and on the DLQ topic, bounded so the dead-letter send cannot fail for size; and no user text reaches the
curator's log.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from prefloop.curator.ingest.decode import RawRecord
from prefloop.curator.ingest.kafka import DLQ_MAX_VALUE_BYTES, KafkaSource, ensure_topics
from prefloop.curator.ingest.sanitize import storable_text
from prefloop.curator.pairing import load_policy
from prefloop.curator.pipeline import Curator
from prefloop.curator.store import Store
from prefloop.curator.store.models import DeadLetter, EventRow, FeedbackState
from tests.factories import EventFactory
from tests.hostile import MARK, hostile_records, known_killers

pytestmark = pytest.mark.integration


def _produce(bootstrap: str, topic: str, values: list[bytes], key: bytes = b"k") -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=1_048_576)
    for value in values:
        producer.send(topic, value=value, key=key)
    producer.flush()
    producer.close()


def _read_all(bootstrap: str, topic: str, expected: int, timeout: float = 30.0) -> list[Any]:
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"reader-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_bytes=8 << 20,
        max_partition_fetch_bytes=8 << 20,
    )
    got: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while len(got) < expected and time.monotonic() < deadline:
            for msgs in consumer.poll(timeout_ms=500).values():
                got.extend(msgs)
    finally:
        consumer.close()
    return got


def _user_text_in(text: str) -> bool:
    return MARK in text


def test_the_records_that_stopped_the_curator_are_stored_or_dead_lettered(
    kafka_bootstrap: str,
    kafka_topic: str,
    dlq_topic: str,
    postgres_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="prefloop")
    killers = known_killers(EventFactory())
    _produce(kafka_bootstrap, kafka_topic, list(killers.values()))
    store = Store(postgres_url)
    try:
        source = KafkaSource(
            Curator(store, load_policy(), require_scrub=False),
            bootstrap=kafka_bootstrap,
            topic=kafka_topic,
            dlq_topic=dlq_topic,
            group=f"g-{uuid.uuid4().hex[:8]}",
        )
        totals = source.run(once=True)
        with store.session() as s:
            comments = sorted(c for c in s.scalars(select(FeedbackState.comment)) if c)
            events = s.scalar(select(func.count()).select_from(EventRow))
            codes = sorted(s.scalars(select(DeadLetter.code)))
    finally:
        store.dispose()
    assert totals.records == len(killers)
    # the response, the two hostile comments (U+FFFD for what PostgreSQL cannot hold) are stored
    assert events == 3
    assert comments == [MARK + "lone \ufffd surrogate", MARK + "nul \ufffd in a comment"]
    # the rest are dead letters with their reasons, in the store ...
    assert codes == ["bad_time", "bad_time", "not_json", "not_json", "too_deep", "too_deep", "too_large"]
    # ... and on the DLQ topic, bounded in size (the near-limit record is cut, with a marker)
    letters = _read_all(kafka_bootstrap, dlq_topic, 7)
    assert len(letters) == 7
    for letter in letters:
        headers = dict(letter.headers)
        assert headers["prefloop-error-reason"]
        assert len(letter.value) <= DLQ_MAX_VALUE_BYTES + 100
    cut = next(m for m in letters if dict(m.headers)["prefloop-error-code"] == b"too_large")
    assert b"[prefloop: truncated" in cut.value
    assert int(dict(cut.headers)["prefloop-original-bytes"]) == len(killers["near_broker_limit"])
    assert source.dead_letter_failures == 0
    assert not _user_text_in(caplog.text)


def test_a_dead_letter_that_cannot_be_sent_does_not_stop_consumption(
    kafka_bootstrap: str, kafka_topic: str, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The DLQ topic's name is one the broker refuses: every dead-letter send fails; the batch is stored, the
    failures are counted and logged without the record, and the offsets move on."""
    from prefloop.curator.metrics import CuratorMetrics

    caplog.set_level(logging.DEBUG, logger="prefloop")
    f = EventFactory()
    good = [json.dumps(f.response(f"c{i}", "u1", response_id=f"r{i}")).encode() for i in range(3)]
    bad = [(MARK + "not json").encode(), b"[" * 5000]
    _produce(kafka_bootstrap, kafka_topic, good + bad)
    store = Store(postgres_url)
    metrics = CuratorMetrics()
    try:
        source = KafkaSource(
            Curator(store, load_policy(), require_scrub=False),
            bootstrap=kafka_bootstrap,
            topic=kafka_topic,
            dlq_topic="bad topic name!",  # not a legal topic name: the broker refuses every send to it
            group=f"g-{uuid.uuid4().hex[:8]}",
            create_topics=False,
            metrics=metrics,
        )
        totals = source.run(once=True)
        with store.session() as s:
            events = s.scalar(select(func.count()).select_from(EventRow))
            dead = s.scalar(select(func.count()).select_from(DeadLetter))
    finally:
        store.dispose()
    assert totals.records == 5 and events == 3 and dead == 2
    assert source.dead_letter_failures == 2
    assert b"prefloop_curator_dead_letter_failures_total" in metrics.render()
    assert "could not send the dead letter" in caplog.text
    assert not _user_text_in(caplog.text)


@pytest.fixture()
def hostile_store(store_url: str) -> Iterator[Store]:
    store = Store(store_url)
    yield store
    store.dispose()


@settings(max_examples=40)
@given(records=st.lists(hostile_records(), min_size=1, max_size=6))
def test_every_hostile_record_is_stored_or_dead_lettered(
    hostile_store: Store, records: list[bytes], caplog: pytest.LogCaptureFixture
) -> None:
    """Property, on SQLite and PostgreSQL: each record is stored (its texts as received, NUL and lone
    surrogates as U+FFFD) or kept as a dead letter with a reason; pairing what was stored never fails."""
    caplog.set_level(logging.DEBUG, logger="prefloop")
    curator = Curator(hostile_store, load_policy(), require_scrub=False)
    for i, value in enumerate(records):
        source = f"prop:{uuid.uuid4().hex}@{i}"
        result = curator.process([RawRecord(value=value, source=source)], keep_dead_letters=True)
        assert result.write.inserted + result.write.duplicates + len(result.dead) == 1
        with hostile_store.session() as s:
            if result.dead:
                row = s.scalars(select(DeadLetter).where(DeadLetter.source == source)).one()
                assert row.reason and row.code == result.dead[0].code
                assert bytes(row.raw) == value
                continue
            original = json.loads(value.decode("utf-8", "surrogatepass"))
            stored = s.get(EventRow, original["event_id"])
            assert stored is not None
            if result.write.inserted:
                for key in ("comment", "text", "edited_text"):
                    if isinstance(original.get(key), str):
                        assert stored.payload[key] == storable_text(original[key])
    assert not _user_text_in(caplog.text)


@contextmanager
def running_source(bootstrap: str, url: str) -> Iterator[tuple[KafkaSource, list[BaseException]]]:
    """A `KafkaSource` consuming a topic of its own on a thread (not ``once``: as in production) until the
    block ends; the topic and its DLQ are deleted afterwards."""
    from kafka import KafkaAdminClient

    topic = f"test-{uuid.uuid4().hex[:12]}"
    store = Store(url)
    source = KafkaSource(
        Curator(store, load_policy(), require_scrub=False),
        bootstrap=bootstrap,
        topic=topic,
        dlq_topic=f"{topic}.dlq",
        partitions=3,
        group=f"g-{uuid.uuid4().hex[:8]}",
        poll_ms=100,
        pair_interval_s=0.0,
    )
    errors: list[BaseException] = []

    def run() -> None:
        try:
            source.run()
        except BaseException as exc:  # the test fails on it
            errors.append(exc)

    ensure_topics(bootstrap, {topic: 3, f"{topic}.dlq": 1})
    thread = threading.Thread(target=run, name="test-curator", daemon=True)
    thread.start()
    try:
        yield source, errors
    finally:
        source.stop()
        thread.join(30)
        store.dispose()
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="prefloop-tests")
        try:
            admin.delete_topics([topic, f"{topic}.dlq"])
        finally:
            admin.close()


@settings(max_examples=3)
@given(batches=st.lists(st.lists(hostile_records(), min_size=1, max_size=8), min_size=6, max_size=12))
def test_the_running_consumer_survives_every_hostile_record(
    kafka_bootstrap: str, postgres_url: str, caplog: pytest.LogCaptureFixture, batches: list[list[bytes]]
) -> None:
    """Property, real broker and PostgreSQL: the consumer keeps consuming whatever lands on the topic, batch
    after batch (the consumer starts after generation: its client's use of ``random`` would upset hypothesis)."""
    caplog.set_level(logging.DEBUG, logger="prefloop")
    with running_source(kafka_bootstrap, postgres_url) as (source, errors):
        for records in batches:
            before = source.totals.records
            _produce(kafka_bootstrap, source.topic, records, key=uuid.uuid4().hex.encode())
            deadline = time.monotonic() + 60
            while (
                source.totals.records < before + len(records) and time.monotonic() < deadline and not errors
            ):
                time.sleep(0.05)
            assert not errors, f"the consumer stopped: {errors[0]!r}"
            assert source.totals.records == before + len(records)
    assert not errors
    assert not _user_text_in(caplog.text)


def test_an_event_the_store_refuses_is_dead_lettered_and_the_rest_stored(
    hostile_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever decoding lets through that the store still refuses (here a real constraint of the database
    refuses one payload) is found by storing the batch in halves, dead-lettered as ``unstorable`` with the
    error's class, and the batch's other events, dead letters and source offsets are stored."""
    from sqlalchemy import text

    from prefloop.curator.store.models import SourceOffset

    caplog.set_level(logging.DEBUG, logger="prefloop")
    with hostile_store.session() as s:
        if hostile_store.dialect == "postgresql":
            s.execute(
                text("ALTER TABLE events ADD CONSTRAINT no_poison CHECK (payload::text NOT LIKE '%poison%')")
            )
        else:
            s.execute(
                text(
                    "CREATE TRIGGER no_poison BEFORE INSERT ON events WHEN NEW.payload LIKE '%poison%' "
                    "BEGIN SELECT RAISE(ABORT, 'poison'); END"
                )
            )
    f = EventFactory()
    values = [json.dumps(f.response(f"c{i}", "u1", response_id=f"r{i}")).encode() for i in range(7)]
    values.insert(4, json.dumps(f.feedback("r1", -1, "c1", "u1", comment=MARK + "poison")).encode())
    values.append(b"not json")
    records = [RawRecord(value=v, source=f"file:x@{i}") for i, v in enumerate(values)]
    curator = Curator(hostile_store, load_policy(), require_scrub=False)
    result = curator.process(records, keep_dead_letters=True, offsets={"file:x": 99})
    assert result.write.inserted == 7
    assert sorted(d.code for d in result.dead) == ["not_json", "unstorable"]
    with hostile_store.session() as s:
        assert s.scalar(select(func.count()).select_from(EventRow)) == 7
        rows = {r.code: r for r in s.scalars(select(DeadLetter))}
        assert bytes(rows["unstorable"].raw) == values[4]
        assert "refused" in rows["unstorable"].reason
        assert s.get(SourceOffset, "file:x").position == 99  # type: ignore[union-attr]
    assert not _user_text_in(caplog.text)
