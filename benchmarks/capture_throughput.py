"""Events per second from one process through capture's publisher into the real broker, side by side with a
bare kafka-python producer sending the same events with the same producer settings.

    python -m benchmarks.capture_throughput [--quick] [--bootstrap HOST:PORT]

Both paths start from the same ``prefloop.schemas.events`` models and serialize them (``to_json``); both count an event
only once Kafka acknowledged it (acks=all, idempotent, gzip, key = conversation id). Capture's path adds the
queue, the spool file (write(2), ``durability="interval"``), reading the spool back and the cursor. Capture
runs with its default sidecar sender (a child process ships: it uses a second core) and, for comparison,
with ``sender="thread"`` (everything in this one process, sharing its GIL) — ``thread_sender_*`` keys. Rounds
alternate bare / capture on fresh topics; the best round of each is reported. Progress on stderr; the last
stdout line is one JSON object with ``events_per_s``, ``bare_producer_events_per_s`` and ``ratio``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

from prefloop.capture import Publisher, PublisherConfig, QueueFullError
from prefloop.schemas.events import ResponseEvent, parse_event

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka import KafkaAdminClient, KafkaProducer
    from kafka.admin import NewTopic

TEXT = ("A helpful answer about sorting lists in Python, with an example. " * 8)[:512]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def make_events(n: int) -> list[Any]:
    from datetime import UTC, datetime

    import uuid6

    now = datetime.now(UTC)
    events = []
    for i in range(n):
        events.append(
            ResponseEvent(
                event_id=str(uuid6.uuid7()),
                occurred_at=now,
                app_id="bench",
                conversation_id=f"conv-{i % 500}",
                user=f"u_{i % 97:032x}",
                response_id=f"r-{i}",
                context=[{"role": "user", "content": "How do I sort a list?"}],
                text=TEXT,
                model="m-1",
            )
        )
    assert parse_event(events[0].to_json()).event_id == events[0].event_id
    return events


def new_topic(admin: KafkaAdminClient) -> str:
    name = f"bench-capture-{uuid.uuid4().hex[:8]}"
    admin.create_topics([NewTopic(name, num_partitions=3, replication_factor=1)])
    return name


def run_bare(events: list[Any], settings: dict[str, Any], topic: str) -> float:
    producer = KafkaProducer(**settings)
    try:
        producer.send(topic, value=b"{}", key=b"warmup").get(30)
        t0 = time.perf_counter()
        futures = []
        for e in events:
            futures.append(producer.send(topic, value=e.to_json().encode(), key=e.conversation_id.encode()))
        producer.flush(120)
        elapsed = time.perf_counter() - t0
        assert all(f.succeeded() for f in futures)
        return len(events) / elapsed
    finally:
        producer.close(5)


def run_capture(events: list[Any], config: PublisherConfig) -> float:
    pub = Publisher(config)
    try:
        pub.publish(events[0])  # warm up: the sender builds its producer and fetches metadata
        assert pub.flush(60)
        base = pub.metrics.value("prefloop_capture_events_shipped_total")
        t0 = time.perf_counter()
        for e in events:
            while True:
                try:
                    pub.submit(e)
                    break
                except QueueFullError:  # backpressure: the writer is behind by queue_max_events
                    time.sleep(0.0005)
        assert pub.flush(180), "capture did not ship everything"
        elapsed = time.perf_counter() - t0
        shipped = pub.metrics.value("prefloop_capture_events_shipped_total") - base
        assert shipped >= len(events), shipped
        return len(events) / elapsed
    finally:
        pub.shutdown(timeout=5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="20,000 events x 2 rounds instead of 100,000 x 3")
    ap.add_argument("--bootstrap", default=f"127.0.0.1:{os.environ.get('PREFLOOP_KAFKA_PORT', '19092')}")
    args = ap.parse_args()
    logging.getLogger("kafka").setLevel(logging.ERROR)
    n, rounds = (20_000, 2) if args.quick else (100_000, 3)
    log(f"building {n} events")
    events = make_events(n)
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap, client_id="prefloop-bench")
    topics: list[str] = []
    bare_rates: list[float] = []
    capture_rates: list[float] = []
    thread_rates: list[float] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for r in range(rounds):
                topics.append(new_topic(admin))
                config = PublisherConfig(
                    spool_dir=Path(tmp) / f"spool-{r}", kafka_bootstrap=args.bootstrap, topic=topics[-1]
                )
                bare_rates.append(run_bare(events, config.producer_settings(), topics[-1]))
                log(f"round {r + 1}: bare producer {bare_rates[-1]:,.0f} events/s")
                topics.append(new_topic(admin))
                config = PublisherConfig(
                    spool_dir=Path(tmp) / f"spool-{r}", kafka_bootstrap=args.bootstrap, topic=topics[-1]
                )
                capture_rates.append(run_capture(events, config))
                log(f"round {r + 1}: capture publisher (sidecar sender) {capture_rates[-1]:,.0f} events/s")
                topics.append(new_topic(admin))
                config = PublisherConfig(
                    spool_dir=Path(tmp) / f"spool-t{r}",
                    kafka_bootstrap=args.bootstrap,
                    topic=topics[-1],
                    sender="thread",
                )
                thread_rates.append(run_capture(events, config))
                log(f"round {r + 1}: capture publisher (in-process sender) {thread_rates[-1]:,.0f} events/s")
    finally:
        if topics:
            admin.delete_topics(topics)
        admin.close()
    best_bare, best_capture = max(bare_rates), max(capture_rates)
    result = {
        "benchmark": "capture_throughput",
        "events": n,
        "rounds": rounds,
        "event_bytes": len(events[0].to_json()),
        "events_per_s": round(best_capture),
        "bare_producer_events_per_s": round(best_bare),
        "ratio": round(best_capture / best_bare, 3),
        "thread_sender_events_per_s": round(max(thread_rates)),
        "thread_sender_ratio": round(max(thread_rates) / best_bare, 3),
        "capture_rounds": [round(x) for x in capture_rates],
        "thread_sender_rounds": [round(x) for x in thread_rates],
        "bare_rounds": [round(x) for x in bare_rates],
        "goal_met": best_capture >= 0.8 * best_bare,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
