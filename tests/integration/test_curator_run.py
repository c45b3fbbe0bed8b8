"""`prefloop curator run` in Kafka mode, operated: metrics scraped over HTTP, dead letters recorded in the store
(once, also when the topic is read again), raw text past its retention purged at start."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from prefloop.curator.ingest import RawRecord
from prefloop.curator.pairing import load_policy
from prefloop.curator.pipeline import Curator
from prefloop.curator.store import Store
from prefloop.curator.store.models import DeadLetter, EventRow
from tests.factories import EventFactory
from tests.integration.test_curator_kafka import (
    ROOT,
    close,
    counts,
    curator_env,
    drain_once,
    produce,
    start_curator,
    stderr_of,
    trace,
    wait_for,
)

pytestmark = pytest.mark.integration


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        text = resp.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def dead_letters(url: str) -> list[tuple[str, str]]:
    store = Store(url)
    try:
        with store.session() as s:
            return sorted((r.code, r.source) for r in s.execute(select(DeadLetter)).scalars())
    finally:
        store.dispose()


def test_curator_run_serves_metrics_records_dead_letters_and_purges_old_text(
    kafka_bootstrap: str, kafka_topic: str, dlq_topic: str, postgres_url: str
) -> None:
    good, n_pairs = trace(5)
    recent = datetime.now(UTC) - timedelta(hours=1)
    for e in good:  # the trace's events are dated 2026-10-05: make them recent
        e["occurred_at"] = recent.isoformat().replace("+00:00", "Z")
    old = EventFactory(start=datetime.now(UTC) - timedelta(days=40)).feedback(
        "r-old", conversation_id="c-old"
    )
    wrong = EventFactory().feedback("r1")
    wrong["rating"] = 7
    produce(kafka_bootstrap, kafka_topic, [b"{not json", wrong, *good])
    store = Store(postgres_url)  # stored before the curator starts: its first purge, at start, finds it
    Curator(store, load_policy(), require_scrub=False).process([RawRecord(json.dumps(old).encode(), "t@0")])
    store.dispose()
    env = curator_env(postgres_url, kafka_bootstrap, kafka_topic, dlq_topic, f"g-{uuid.uuid4().hex[:8]}")
    env["PREFLOOP_RAW_RETENTION_DAYS"] = "30"
    proc = start_curator(env, "--metrics-port", "0", "--metrics-addr", "127.0.0.1")
    try:
        port_seen: list[int] = []

        def metrics_port() -> bool:
            m = re.search(r"metrics on http://127\.0\.0\.1:(\d+)/metrics", stderr_of(proc))
            if m:
                port_seen.append(int(m.group(1)))
            return bool(m)

        wait_for(metrics_port, 60, "the metrics server")
        port = port_seen[0]
        wait_for(lambda: counts(postgres_url)[:2] == (len(good) + 1, n_pairs), 90, "events stored and paired")
        wait_for(lambda: len(dead_letters(postgres_url)) == 2, 30, "dead letters in the store")

        def purged() -> bool:
            store = Store(postgres_url)
            try:
                with store.session() as s:
                    rows = s.execute(select(EventRow.conversation_id).where(EventRow.purged_at.is_not(None)))
                    return list(rows.scalars()) == ["c-old"]
            finally:
                store.dispose()

        wait_for(purged, 30, "the purge at start")
        got: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}

        def scraped() -> bool:
            got.update(scrape(port))
            return got.get(("prefloop_curator_events_stored_total", ()), 0) == len(good)

        wait_for(scraped, 30, "the stored counter")
        assert got[("prefloop_curator_records_total", ())] == len(good) + 2
        assert got[("prefloop_curator_events_dead_lettered_total", (("reason", "not_json"),))] == 1
        assert got[("prefloop_curator_events_dead_lettered_total", (("reason", "invalid"),))] == 1
        assert got[("prefloop_curator_pairs_total", (("route", "accepted"),))] >= n_pairs
        assert got[("prefloop_curator_batch_seconds_count", ())] >= 1
        assert got[("prefloop_curator_pairing_seconds_count", ())] >= 1
        assert got[("prefloop_curator_raw_purge_last_run_timestamp_seconds", ())] > time.time() - 300
        lags = [v for (name, _), v in got.items() if name == "prefloop_curator_consumer_lag"]
        assert lags and all(v == 0 for v in lags)
        assert [code for code, _ in dead_letters(postgres_url)] == ["invalid", "not_json"]
        assert got[("prefloop_curator_raw_purged_events_total", ())] == 1
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        assert proc.returncode == 0, stderr_of(proc)
    finally:
        close(proc)


def test_reading_the_topic_again_records_each_dead_letter_once(
    kafka_bootstrap: str, kafka_topic: str, dlq_topic: str, postgres_url: str
) -> None:
    good, n_pairs = trace(3)
    produce(kafka_bootstrap, kafka_topic, [b"{not json", b"[1, 2]", *good])
    for _ in range(2):  # a second group re-reads everything, as after a crash before the offset commit
        totals = drain_once(postgres_url, kafka_bootstrap, kafka_topic, dlq_topic)
        assert totals.dead_letters == 2
    assert [code for code, _ in dead_letters(postgres_url)] == ["not_json", "not_object"]
    events, pairs, _ = counts(postgres_url)
    assert events == len(good) and pairs == n_pairs


def test_the_kafka_client_s_info_lines_are_quiet_unless_debug(
    kafka_bootstrap: str, kafka_topic: str, dlq_topic: str, postgres_url: str
) -> None:
    """At the default log level an operator sees the curator's own lines, not kafka-python's group joins and
    connection opens (about 80 lines a start); `--debug` shows them."""
    good, _ = trace(1)
    produce(kafka_bootstrap, kafka_topic, good)
    env = curator_env(postgres_url, kafka_bootstrap, kafka_topic, dlq_topic, f"g-{uuid.uuid4().hex[:8]}")
    env["PREFLOOP_LOG_LEVEL"] = "INFO"
    cmd = [sys.executable, "-m", "prefloop.curator.cli", "curator", "run", "--once", "--no-tag"]
    quiet = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert " INFO kafka." not in quiet.stderr
    assert f"{len(good)} new event(s)" in quiet.stdout + quiet.stderr
    env["PREFLOOP_KAFKA_GROUP"] = f"g-{uuid.uuid4().hex[:8]}"
    loud = subprocess.run(
        [sys.executable, "-m", "prefloop.curator.cli", "--debug", *cmd[3:]],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert loud.returncode == 0 and " kafka." in loud.stderr
