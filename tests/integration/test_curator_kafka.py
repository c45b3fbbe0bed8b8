"""The curator against the real broker and the real PostgreSQL: DLQ, SIGKILL mid-batch, PostgreSQL restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from prefloop.curator.ingest.kafka import KafkaSource
from prefloop.curator.pairing import load_policy
from prefloop.curator.pipeline import Curator
from prefloop.curator.store import Store
from prefloop.curator.store.models import EventRow, Pair
from tests.factories import EventFactory
from tests.integration.test_capture_process import broker

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
GOOD = "Use xs.reverse() to reverse in place, or xs[::-1] to get a reversed copy of the list."
BAD = "Python lists cannot be reversed; convert the list to a string and read it backwards instead."


def trace(n_prompts: int, users: int = 3) -> tuple[list[dict[str, Any]], int]:
    """Side-by-side choices on ``n_prompts`` prompts by ``users`` users: events and the number of pairs."""
    f = EventFactory()
    events = []
    for p in range(n_prompts):
        prompt = f"Question number {p}: how do I reverse a list?"
        for u in range(users):
            conv = f"conv-{p}-{u}"
            r1 = f.response(conv, f"user{u}", prompt=prompt, text=GOOD + f" ({p})")
            r2 = f.response(conv, f"user{u}", prompt=prompt, text=BAD + f" ({p})")
            events += [r1, r2, f.choice(r1["response_id"], r2["response_id"], "a", conv, f"user{u}")]
    return events, n_prompts


def produce(bootstrap: str, topic: str, items: Sequence[dict[str, Any] | bytes]) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, batch_size=256 << 10)
    for item in items:
        if isinstance(item, bytes):
            producer.send(topic, value=item, key=b"poison")
        else:
            producer.send(topic, value=json.dumps(item).encode(), key=item["conversation_id"].encode())
    producer.flush()
    producer.close()


def drain_once(url: str, bootstrap: str, topic: str, dlq: str) -> Any:
    """One `KafkaSource` run (new consumer group, no scrubber) over the whole topic; its totals."""
    store = Store(url)
    try:
        source = KafkaSource(
            Curator(store, load_policy(), require_scrub=False),
            bootstrap=bootstrap,
            topic=topic,
            dlq_topic=dlq,
            group=f"g-{uuid.uuid4().hex[:8]}",
        )
        return source.run(once=True)
    finally:
        store.dispose()


def counts(url: str) -> tuple[int, int, int]:
    store = Store(url)
    try:
        with store.session() as s:
            events = s.execute(select(func.count()).select_from(EventRow)).scalar_one()
            pairs = s.execute(select(func.count()).select_from(Pair)).scalar_one()
            signals = sum(len(x) for x in s.execute(select(Pair.signals)).scalars())
        return int(events), int(pairs), signals
    finally:
        store.dispose()


def curator_env(url: str, bootstrap: str, topic: str, dlq: str, group: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFLOOP_")}
    env.update(
        PREFLOOP_DATABASE_URL=url,
        PREFLOOP_KAFKA_BOOTSTRAP=bootstrap,
        PREFLOOP_KAFKA_TOPIC=topic,
        PREFLOOP_KAFKA_DLQ_TOPIC=dlq,
        PREFLOOP_KAFKA_GROUP=group,
        PREFLOOP_LOG_LEVEL="WARNING",
        # the factory's events are dated October 2026 and `curator run` purges raw text past the retention at
        # start: keep it out of these tests (tests/integration/test_curator_run.py covers it)
        PREFLOOP_RAW_RETENTION_DAYS="36500",
        PYTHONPATH=str(ROOT),
    )
    return env


def start_curator(env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    """`prefloop curator run` in a subprocess; its stderr goes to a temporary file (a pipe could fill up)."""
    cmd = [sys.executable, "-m", "prefloop.curator.cli", "curator", "run", "--no-scrub", "--no-tag", *extra]
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the process object
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    proc.log = log  # type: ignore[attr-defined]
    return proc


def terminate(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (the curator finishes its batch and stops), SIGKILL after 30 s."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


def close(*procs: subprocess.Popen[bytes]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.log.close()  # type: ignore[attr-defined]


def stderr_of(proc: subprocess.Popen[bytes]) -> str:
    log = proc.log  # type: ignore[attr-defined]
    log.seek(0)
    return str(log.read().decode("utf-8", "replace"))[-3000:]


def whole_log(proc: subprocess.Popen[bytes]) -> str:
    log = proc.log  # type: ignore[attr-defined]
    log.seek(0)
    return str(log.read().decode("utf-8", "replace"))


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_poison_messages_go_to_the_dlq_and_the_partition_keeps_moving(
    kafka_bootstrap: str, kafka_topic: str, dlq_topic: str, postgres_url: str
) -> None:
    from kafka import KafkaConsumer

    f = EventFactory()
    newer = f.response("c1")
    newer["schema_version"] = 2
    wrong = f.feedback("r1", conversation_id="c1")
    wrong["rating"] = 7
    good, n_pairs = trace(4)
    # poison first on every partition it lands on, good events after it
    produce(kafka_bootstrap, kafka_topic, [b"{not json", newer, wrong, *good])
    totals = drain_once(postgres_url, kafka_bootstrap, kafka_topic, dlq_topic)
    assert totals.dead_letters == 3 and totals.inserted == len(good)
    events, pairs, _ = counts(postgres_url)
    assert events == len(good) and pairs == n_pairs

    consumer = KafkaConsumer(
        dlq_topic, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=5000
    )
    dead = list(consumer)
    consumer.close()
    by_code = {dict(m.headers)["prefloop-error-code"].decode(): m for m in dead}
    assert sorted(by_code) == ["invalid", "not_json", "unsupported_version"]
    bad = by_code["not_json"]
    assert bad.value == b"{not json"
    headers = dict(bad.headers)
    assert headers["prefloop-source-topic"].decode() == kafka_topic
    assert int(headers["prefloop-source-offset"]) >= 0 and headers["prefloop-source-partition"].isdigit()
    assert b"rating" in dict(by_code["invalid"].headers)["prefloop-error-reason"]


def test_sigkill_mid_batch_then_restart_stores_every_event_once(
    kafka_bootstrap: str, kafka_topic: str, dlq_topic: str, postgres_url: str
) -> None:
    events, n_pairs = trace(900)  # 8,100 events
    produce(kafka_bootstrap, kafka_topic, events)
    env = curator_env(postgres_url, kafka_bootstrap, kafka_topic, dlq_topic, f"g-{uuid.uuid4().hex[:8]}")
    proc = start_curator(env)
    try:
        wait_for(lambda: counts(postgres_url)[0] > 0, 60, "the first batch")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        close(proc)
    stored_at_kill = counts(postgres_url)[0]
    assert 0 < stored_at_kill < len(events), "the kill should land mid-stream"
    rerun = start_curator(env, "--once")
    try:
        rerun.wait(120)
        assert rerun.returncode == 0, stderr_of(rerun)
    finally:
        close(rerun)
    stored, pairs, signals = counts(postgres_url)
    assert stored == len(events)
    assert pairs == n_pairs and signals == 3 * n_pairs  # each choice counted once, no pair lost or doubled


def test_postgres_restart_under_load_loses_and_doubles_nothing(
    kafka_bootstrap: str, kafka_topic: str, dlq_topic: str, postgres_url: str
) -> None:
    events, n_pairs = trace(900)
    half = len(events) // 2
    produce(kafka_bootstrap, kafka_topic, events[:half])
    env = curator_env(postgres_url, kafka_bootstrap, kafka_topic, dlq_topic, f"g-{uuid.uuid4().hex[:8]}")
    proc = start_curator(env)
    pg = ROOT / "deploy" / "local" / "postgres"
    try:
        wait_for(lambda: counts(postgres_url)[0] > 0, 60, "the first batch")
        try:
            subprocess.run([str(pg), "stop"], check=True, capture_output=True, timeout=60)
            produce(kafka_bootstrap, kafka_topic, events[half:])  # load keeps arriving while the DB is down
            time.sleep(3)
            assert proc.poll() is None, "the curator must wait for the database, not exit"
        finally:
            subprocess.run([str(pg), "start"], check=True, capture_output=True, timeout=120)
        wait_for(lambda: counts(postgres_url)[0] == len(events), 120, "every event after the restart")
        wait_for(lambda: counts(postgres_url)[2] == 3 * n_pairs, 60, "every signal paired")
    finally:
        terminate(proc)
        close(proc)
    stored, pairs, signals = counts(postgres_url)
    assert stored == len(events) and pairs == n_pairs and signals == 3 * n_pairs


def test_a_broker_outage_is_said_in_a_few_lines_and_loses_nothing(
    kafka_bootstrap: str, kafka_topic: str, dlq_topic: str, postgres_url: str
) -> None:
    """The broker stopped under a running curator: kafka-python's dozens of connection lines a minute are held
    back; the log says once that the broker is unreachable and once that it is back; what was produced after
    it came back is stored."""
    events, _ = trace(2)
    produce(kafka_bootstrap, kafka_topic, events[:3])
    env = curator_env(postgres_url, kafka_bootstrap, kafka_topic, dlq_topic, f"g-{uuid.uuid4().hex[:8]}")
    env["PREFLOOP_LOG_LEVEL"] = "INFO"
    proc = start_curator(env)
    try:
        wait_for(lambda: counts(postgres_url)[0] == 3, 60, "the first events")
        broker("stop")
        try:
            time.sleep(20)
            assert proc.poll() is None, "the curator must wait for the broker, not exit"
        finally:
            broker("start")
        produce(kafka_bootstrap, kafka_topic, events[3:])
        wait_for(lambda: counts(postgres_url)[0] == len(events), 120, "the events produced after the outage")
        wait_for(
            lambda: "Kafka broker reachable again" in whole_log(proc), 60, "the broker's return in the log"
        )
    finally:
        terminate(proc)
        log = whole_log(proc)
        close(proc)
    assert "Kafka broker unreachable for" in log and "retrying" in log, log[-3000:]
    library = [line for line in log.splitlines() if " kafka." in line]
    assert len(library) <= 2, library  # e.g. the group's re-join after the return, said once
    assert "Traceback" not in log


def test_two_consumers_in_one_group_share_the_partitions(
    kafka_bootstrap: str, kafka_topic: str, dlq_topic: str, postgres_url: str
) -> None:
    import threading

    events, n_pairs = trace(300)
    group = f"g-{uuid.uuid4().hex[:8]}"
    stores = [Store(postgres_url), Store(postgres_url)]
    sources = [
        KafkaSource(
            Curator(s, load_policy(), require_scrub=False),
            bootstrap=kafka_bootstrap,
            topic=kafka_topic,
            dlq_topic=dlq_topic,
            group=group,
            max_records=200,
        )
        for s in stores
    ]
    threads = [threading.Thread(target=src.run) for src in sources]
    try:
        for t in threads:
            t.start()
        time.sleep(8)  # both members join and the group settles before the load arrives
        produce(kafka_bootstrap, kafka_topic, events)
        wait_for(lambda: counts(postgres_url)[0] == len(events), 90, "both consumers to drain the topic")
        wait_for(lambda: counts(postgres_url)[2] == 3 * n_pairs, 60, "every signal paired")
    finally:
        for src in sources:
            src.stop()
        for t in threads:
            t.join(60)
        for s in stores:
            s.dispose()
    assert all(src.totals.inserted > 0 for src in sources), "each member should own some partitions"
    assert sum(src.totals.inserted for src in sources) == len(events)
    stored, pairs, signals = counts(postgres_url)
    assert stored == len(events) and pairs == n_pairs and signals == 3 * n_pairs
