"""Curator throughput: events/s from the real broker into PostgreSQL through ingest and pairing.

`python -m benchmarks.curator_throughput [--quick] [--events N] [--full-events N]`

Builds a trace of realistic events (HH-RLHF conversations and answers, simulated users: responses, thumbs with
reasons, side-by-side choices, regenerates; see benchmarks/pairing_trace.py), produces it to a fresh topic
(6 partitions, keyed by conversation), then times one `KafkaSource` consumer (the code `prefloop curator run`
runs) into a fresh PostgreSQL database:

- ``events_per_s``: ingest + pairing + routing (no scrubbing, no tagging);
- ``events_per_s_full_pipeline``: the same plus the spaCy PII scrubber on every pair routed to review/accepted
  and the harm tagger on every prompt group that forms a pair (a separate topic and database).

Rates are measured from the first records polled to the topic being drained (the consumer-group join, ~3 s, is
reported separately as ``join_s``). ``cpu_ms_per_1k_events`` is the curator process's CPU time per thousand
events: unlike the rates it hardly moves with the machine's load, so it is the figure to compare two versions
of the code with on a shared machine. Needs the local services: deploy/local/kafka and deploy/local/postgres start.
Progress goes to stderr; the last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.pairing_trace import TraceBuilder, load_rows

ROOT = Path(__file__).resolve().parent.parent


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _deploy(service: str, *args: str) -> str:
    proc = subprocess.run(
        [str(ROOT / "deploy" / "local" / service), *args], capture_output=True, text=True, timeout=600
    )
    if proc.returncode != 0:
        raise SystemExit(f"deploy/local/{service} {' '.join(args)} failed: {proc.stderr or proc.stdout}")
    return proc.stdout.strip()


def services() -> tuple[str, str]:
    bootstrap = os.environ.get("PREFLOOP_TEST_KAFKA")
    if not bootstrap:
        _deploy("kafka", "start")
        bootstrap = f"127.0.0.1:{os.environ.get('PREFLOOP_KAFKA_PORT', '19092')}"
    admin_url = os.environ.get("PREFLOOP_TEST_POSTGRES_URL")
    if not admin_url:
        _deploy("postgres", "start")
        admin_url = _deploy("postgres", "url")
    return bootstrap, admin_url


def _admin(admin_url: str, sql: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(admin_url)
    with psycopg.connect(
        host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database, autocommit=True
    ) as conn:
        conn.execute(sql)  # type: ignore[arg-type,unused-ignore]


def trace(n_events: int, seed: int) -> tuple[list[bytes], list[str]]:
    rows = load_rows("all")
    builder = TraceBuilder(seed)
    events: list[dict[str, Any]] = []
    k = 0
    while len(events) < n_events:
        builder.app_id = f"bench{k}"
        builder.events = []
        events += builder.build(rows)
        k += 1
    return [json.dumps(e).encode() for e in events[:n_events]], [
        e["conversation_id"] for e in events[:n_events]
    ]


def produce(bootstrap: str, topic: str, values: list[bytes], keys: list[str]) -> None:
    from kafka import KafkaAdminClient, KafkaProducer

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="prefloop-bench")
    admin.create_topics({topic: {"num_partitions": 6, "replication_factor": 1}}, wait_for_metadata=True)
    admin.close()
    producer = KafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=20, batch_size=512 << 10, compression_type=None
    )
    for v, k in zip(values, keys, strict=True):
        producer.send(topic, value=v, key=k.encode())
    producer.flush()
    producer.close()


@dataclass
class BenchRun:
    """One measured run's own topic (events already produced to it) and migrated database."""

    tag: str
    topic: str
    url: str
    store: Any
    events: int


@contextmanager
def bench_run(bootstrap: str, admin_url: str, n_events: int, seed: int, label: str) -> Iterator[BenchRun]:
    """Produce the trace to a fresh topic, create and migrate a fresh database; drop both afterwards."""
    from kafka import KafkaAdminClient
    from sqlalchemy.engine import make_url

    from prefloop.curator.store import Store

    tag = uuid.uuid4().hex[:8]
    topic, db = f"bench-{tag}", f"prefloop_bench_{tag}"
    values, keys = trace(n_events, seed)
    log(f"{label}: producing {len(values)} events to {topic}")
    produce(bootstrap, topic, values, keys)
    _admin(admin_url, f'CREATE DATABASE "{db}"')
    url = make_url(admin_url).set(database=db).render_as_string(hide_password=False)
    store = Store(url)
    try:
        store.upgrade()
        yield BenchRun(tag, topic, url, store, len(values))
    finally:
        store.dispose()
        for attempt in range(5):  # an autovacuum worker (not ours to terminate) may still be on it
            try:
                _admin(admin_url, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
                break
            except Exception as exc:  # never hide the benchmark's own error behind a cleanup failure
                if attempt == 4:
                    log(f"could not drop {db}: {exc}")
                time.sleep(1)
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="prefloop-bench")
        admin.delete_topics([t for t in (topic, f"{topic}.dlq") if t in admin.list_topics()])
        admin.close()


def measure(
    bootstrap: str, admin_url: str, n_events: int, *, full: bool, seed: int, batch: int = 2000
) -> dict[str, Any]:
    from sqlalchemy import func, select

    from prefloop.curator.ingest.kafka import KafkaSource
    from prefloop.curator.metrics import CuratorMetrics
    from prefloop.curator.pairing import load_policy
    from prefloop.curator.pipeline import Curator
    from prefloop.curator.store.models import EventRow, Pair

    label = "full" if full else "ingest+pairing"
    with bench_run(bootstrap, admin_url, n_events, seed, label) as run:
        scrubber = tagger = None
        if full:
            from prefloop.curator.scrub import Scrubber
            from prefloop.curator.tagging import Tagger

            scrubber = Scrubber()
            scrubber.scrub_pair([{"role": "user", "content": "warm up"}], "Hello Ann", "Bye")  # load spaCy
            try:  # the tagger as `prefloop curator run` loads it
                from prefloop.curator.pipeline import load_tagger
            except ImportError:  # a tree from before load_tagger (an A/B baseline): as it loaded it
                load_tagger = Tagger.load
            tagger = load_tagger()
        curator = Curator(run.store, load_policy(), scrubber=scrubber, tagger=tagger, require_scrub=full)
        source = KafkaSource(
            curator,
            bootstrap=bootstrap,
            topic=run.topic,
            dlq_topic=f"{run.topic}.dlq",
            group=f"bench-{run.tag}",
            partitions=6,
            max_records=batch,
            metrics=CuratorMetrics(),  # as `prefloop curator run` records them
        )
        t0, cpu0 = time.monotonic(), time.process_time()
        totals = source.run(once=True)
        t1, cpu1 = time.monotonic(), time.process_time()
        first = source.first_records_at or t0
        with run.store.session() as s:
            stored = s.execute(select(func.count()).select_from(EventRow)).scalar_one()
            pairs = dict(s.execute(select(Pair.status, func.count()).group_by(Pair.status)).all())
    rate = stored / (t1 - first)
    log(
        f"  {stored} events stored in {t1 - first:.1f}s after a {first - t0:.1f}s join: {rate:,.0f} events/s; "
        f"{totals.batches} batches, {totals.groups_paired} group pairings, pairs {pairs}"
    )
    return {
        "events": stored,
        "seconds": round(t1 - first, 2),
        "join_s": round(first - t0, 2),
        "events_per_s": round(rate, 1),
        # CPU of the curator process (all its threads, the group join included; not PostgreSQL's or Kafka's):
        # a load-independent figure to compare two versions of the code on a shared machine
        "cpu_ms_per_1k_events": round((cpu1 - cpu0) * 1e6 / stored, 1) if stored else None,
        "pairs": pairs,
    }


def measure_group(
    bootstrap: str, admin_url: str, n_events: int, *, consumers: int, seed: int
) -> dict[str, Any]:
    """``consumers`` `prefloop curator run` processes in one group (scale-out), ingest + pairing, to drained and
    every touched group paired. Timed from the first event stored (process start-up and group join excluded)."""
    from sqlalchemy import func, select

    from prefloop.curator.store.models import EventRow, PromptGroup

    procs: list[subprocess.Popen[bytes]] = []
    with bench_run(bootstrap, admin_url, n_events, seed, f"{consumers} consumer processes") as run:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFLOOP_")}
        env.update(
            PREFLOOP_DATABASE_URL=run.url,
            PREFLOOP_KAFKA_BOOTSTRAP=bootstrap,
            PREFLOOP_KAFKA_TOPIC=run.topic,
            PREFLOOP_KAFKA_DLQ_TOPIC=f"{run.topic}.dlq",
            PREFLOOP_KAFKA_GROUP=f"bench-{run.tag}",
            PREFLOOP_LOG_LEVEL="ERROR",
            PYTHONPATH=str(ROOT),
        )
        cmd = [
            sys.executable,
            "-m",
            "prefloop.curator.cli",
            "curator",
            "run",
            "--no-scrub",
            "--no-tag",
            "--purge-interval",
            "0",
        ]
        try:
            procs = [
                subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for _ in range(consumers)
            ]

            def state() -> tuple[int, int]:
                with run.store.session() as s:
                    n = s.execute(select(func.count()).select_from(EventRow)).scalar_one()
                    dirty = s.execute(select(func.count()).where(PromptGroup.dirty.is_(True))).scalar_one()
                return int(n), int(dirty)

            spawned = time.monotonic()
            first = None
            at_first = 0
            deadline = time.monotonic() + 900
            while time.monotonic() < deadline:
                n, dirty = state()
                if n and first is None:
                    # the clock starts at the first commit; only events stored after it count toward the rate
                    first, at_first = time.monotonic(), n
                if n >= run.events and dirty == 0:
                    break
                time.sleep(0.25)
            done = time.monotonic()
            stored = state()[0]
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    proc.kill()
    seconds = done - (first or done)
    rate = (stored - at_first) / seconds if seconds else 0.0
    wall = stored / (done - spawned)
    log(
        f"  {stored - at_first} events stored and paired in {seconds:.1f}s after the first commit by {consumers} "
        f"processes: {rate:,.0f} events/s ({wall:,.0f} events/s including start-up and group join)"
    )
    return {
        "consumers": consumers,
        "events": stored,
        "seconds": round(seconds, 2),
        "events_per_s": round(rate, 1),
        "events_per_s_with_startup": round(wall, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="20k events (3k for the full pipeline)")
    ap.add_argument("--events", type=int, default=None, help="events for ingest+pairing (default 100k)")
    ap.add_argument("--full-events", type=int, default=None, help="events for the full pipeline (default 8k)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=5000, help="max records per poll (one DB transaction)")
    ap.add_argument("--consumers", type=int, default=0, help="also time N `prefloop curator run` processes")
    args = ap.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    n = args.events or (20_000 if args.quick else 100_000)
    n_full = args.full_events or (3_000 if args.quick else 8_000)
    bootstrap, admin_url = services()
    core = measure(bootstrap, admin_url, n, full=False, seed=args.seed, batch=args.batch)
    full = measure(bootstrap, admin_url, n_full, full=True, seed=args.seed + 1, batch=args.batch)
    scale = (
        measure_group(bootstrap, admin_url, n, consumers=args.consumers, seed=args.seed)
        if args.consumers
        else None
    )
    print(
        json.dumps(
            {
                "scale_out": scale,
                "events_per_s": core["events_per_s"],
                "events_per_s_full_pipeline": full["events_per_s"],
                "ingest_pairing": core,
                "full_pipeline": full,
                "cpus": os.cpu_count(),
                "batch": args.batch,
                "load_average_1m": round(os.getloadavg()[0], 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
