"""Running the curator: its Prometheus metrics, the scheduled raw-text purge, dead letters recorded once."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from prefloop.curator.ingest import RawRecord, decode_records
from prefloop.curator.ingest.purge import PurgeSchedule
from prefloop.curator.metrics import CuratorMetrics
from prefloop.curator.pairing import load_policy
from prefloop.curator.pipeline import Curator, PairingResult
from prefloop.curator.store.models import DeadLetter, EventRow
from tests.factories import EventFactory

GOOD = "Use xs.reverse() to reverse in place, or xs[::-1] to get a reversed copy of the list."
BAD = "Python lists cannot be reversed; convert the list to a string and read it backwards instead."


@pytest.fixture()
def curator(store: Any) -> Curator:
    return Curator(store, load_policy(), require_scrub=False)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def records(items: list[dict[str, Any] | bytes], prefix: str = "kafka:t/0") -> list[RawRecord]:
    return [
        RawRecord(i if isinstance(i, bytes) else json.dumps(i).encode(), source=f"{prefix}@{n}")
        for n, i in enumerate(items)
    ]


def choice_events(f: EventFactory, users: int = 2) -> list[dict[str, Any]]:
    events = []
    for u in range(users):
        a = f.response(f"c{u}", f"u{u}", text=GOOD)
        b = f.response(f"c{u}", f"u{u}", text=BAD)
        events += [a, b, f.choice(a["response_id"], b["response_id"], "a", f"c{u}", f"u{u}")]
    return events


def count(store: Any, model: Any) -> int:
    with store.session() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def test_metrics_count_a_batch_its_dead_letters_by_reason_and_pairs_by_route(curator: Curator) -> None:
    f = EventFactory()
    events = choice_events(f)
    batch = records([*events, events[0], b"{not json", b"[1]"])
    metrics = CuratorMetrics()
    metrics.consumed(len(batch))
    result = curator.process(batch, keep_dead_letters=True)
    metrics.observe_batch(result, 0.2)  # with the pairing that process() ran
    metrics.observe_pairing(PairingResult(), 0.05)
    metrics.set_lag({0: 7, 3: 0})
    got = samples(metrics.render().decode())
    assert got[("prefloop_curator_records_total", ())] == 9
    assert got[("prefloop_curator_events_stored_total", ())] == 6
    assert got[("prefloop_curator_events_duplicate_total", ())] == 1
    assert got[("prefloop_curator_events_dead_lettered_total", (("reason", "not_json"),))] == 1
    assert got[("prefloop_curator_events_dead_lettered_total", (("reason", "not_object"),))] == 1
    assert got[("prefloop_curator_pairs_total", (("route", "accepted"),))] == 1
    assert got[("prefloop_curator_groups_paired_total", ())] == 1
    assert got[("prefloop_curator_batch_seconds_count", ())] == 1
    assert got[("prefloop_curator_batch_seconds_sum", ())] == pytest.approx(0.2)
    assert got[("prefloop_curator_pairing_seconds_count", ())] == 1
    assert got[("prefloop_curator_consumer_lag", (("partition", "0"),))] == 7


def test_metrics_server_serves_the_registry() -> None:
    metrics = CuratorMetrics()
    metrics.consumed(3)
    server = metrics.serve(0, "127.0.0.1")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=5) as resp:
            body = resp.read().decode()
    finally:
        server.close()
    assert samples(body)[("prefloop_curator_records_total", ())] == 3


def test_a_redelivered_batch_records_its_dead_letters_once(store: Any, curator: Curator) -> None:
    """Kafka mode stores dead letters in the batch's transaction; a batch read again after a crash (stored, offsets
    not committed) must not add them twice."""
    f = EventFactory()
    batch = records([f.response(), b"{broken", b'"a string"'])
    decoded, dead = decode_records(batch)
    first = curator.store_decoded(len(batch), decoded, dead, keep_dead_letters=True)
    again = curator.store_decoded(len(batch), decoded, dead, keep_dead_letters=True)
    assert first.write.dead_letters == 2 and again.write.dead_letters == 0
    assert len(again.dead) == 2  # still reported: the DLQ topic gets them again (at least once)
    assert count(store, DeadLetter) == 2 and count(store, EventRow) == 1
    with store.session() as s:
        rows = s.execute(select(DeadLetter).order_by(DeadLetter.source)).scalars().all()
    assert [(r.source, r.code, r.raw) for r in rows] == [
        ("kafka:t/0@1", "not_json", b"{broken"),
        ("kafka:t/0@2", "not_object", b'"a string"'),
    ]


def run_until(schedule: PurgeSchedule, runs: int) -> None:
    """Start the schedule's thread, wait (up to 10 s) until it has run ``runs`` times, stop it."""
    schedule.start()
    try:
        deadline = time.monotonic() + 10
        while schedule.runs < runs and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        schedule.stop()


def test_purge_schedule_runs_at_start_and_then_every_interval(store: Any, curator: Curator) -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    old = EventFactory(start=now - timedelta(days=40))
    new = EventFactory(start=now - timedelta(days=1))
    curator.process(records([old.response("c-old"), new.response("c-new")]))
    metrics = CuratorMetrics()
    schedule = PurgeSchedule(store, 30, interval_s=0.05, metrics=metrics, clock=lambda: now)
    run_until(schedule, runs=3)
    assert schedule.runs >= 3
    with store.session() as s:
        purged = dict(s.execute(select(EventRow.conversation_id, EventRow.purged_at)).all())
    assert purged["c-old"] is not None and purged["c-new"] is None
    got = samples(metrics.render().decode())
    assert got[("prefloop_curator_raw_purged_events_total", ())] == 1  # later runs find nothing new
    assert got[("prefloop_curator_raw_purge_last_run_timestamp_seconds", ())] > 0


def test_a_failed_purge_is_logged_and_retried(store: Any, caplog: pytest.LogCaptureFixture) -> None:
    calls = {"n": 0}

    def clock() -> datetime:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database away")
        return datetime(2026, 11, 22, tzinfo=UTC)

    schedule = PurgeSchedule(store, 30, interval_s=0.05, clock=clock)
    run_until(schedule, runs=1)
    assert schedule.runs >= 1
    assert "raw-text purge failed (RuntimeError: database away)" in caplog.text


def test_a_purge_failing_on_a_full_database_disk_is_one_line_without_sql(
    store: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlalchemy.exc import OperationalError

    class DiskFull(Exception):
        sqlstate = "53100"

    def clock() -> datetime:
        raise OperationalError(
            "UPDATE responses SET text=%(text)s\nWHERE responses.shown_at < %(shown_at_1)s",
            {"text": None},
            DiskFull(
                'could not extend file "base/16384/16515": No space left on device\nHINT:  Check free disk space.'
            ),
        )

    schedule = PurgeSchedule(store, 30, interval_s=0.05, clock=clock)
    schedule.start()
    try:
        for _ in range(200):
            if "purge failed" in caplog.text:
                break
            time.sleep(0.01)
    finally:
        schedule.stop()
    line = next(r.getMessage() for r in caplog.records if "purge failed" in r.getMessage())
    assert "DiskFull (SQLSTATE 53100)" in line
    assert "\n" not in line and "UPDATE" not in line and "base/16384" not in line


def test_curator_run_purges_at_start_and_serves_metrics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Embedded mode end to end: `prefloop curator run --once` purges old raw text and counts what it ingests."""
    from click.testing import CliRunner

    from prefloop.curator.cli import cli
    from prefloop.curator.metrics import CuratorMetrics as Real

    made: list[CuratorMetrics] = []

    class Keep(Real):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr("prefloop.curator.metrics.CuratorMetrics", Keep)
    spool = tmp_path / "spool"
    writer = spool / "host-1-aaa"
    writer.mkdir(parents=True)
    f = EventFactory()  # dated 2026-10-05: past a 1-day retention
    body = "".join(json.dumps(e) + "\n" for e in choice_events(f)) + "{bad\n"
    (writer / f"{1:020d}.jsonl").write_text(body)
    monkeypatch.setenv("PREFLOOP_DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("PREFLOOP_SPOOL_DIR", str(spool))
    monkeypatch.setenv("PREFLOOP_RAW_RETENTION_DAYS", "1")
    res = CliRunner().invoke(
        cli,
        [
            "curator",
            "run",
            "--once",
            "--no-scrub",
            "--no-tag",
            "--metrics-port",
            "0",
            "--metrics-addr",
            "127.0.0.1",
            "--poll-interval",
            "0",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "purging raw text older than 1 day(s)" in res.output and "/metrics" in res.output
    [metrics] = made
    got = samples(metrics.render().decode())
    assert got[("prefloop_curator_events_stored_total", ())] == 6
    assert got[("prefloop_curator_events_dead_lettered_total", (("reason", "not_json"),))] == 1
    assert got[("prefloop_curator_raw_purge_last_run_timestamp_seconds", ())] > 0


def test_stop_waits_for_a_running_purge(store: Any) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_clock() -> datetime:
        started.set()
        release.wait(5)
        return datetime(2026, 11, 22, tzinfo=UTC)

    schedule = PurgeSchedule(store, 30, interval_s=60, clock=slow_clock)
    schedule.start()
    assert started.wait(5)
    threading.Timer(0.2, release.set).start()
    schedule.stop()
    assert schedule.runs == 1


def test_curator_run_gives_the_signal_handlers_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that goes on after `curator run` (a test run, an embedding) keeps its own SIGTERM/SIGINT
    handlers: left installed, the curator's would make forked workers ignore a pool's terminate."""
    import signal

    from click.testing import CliRunner

    from prefloop.curator.cli import cli

    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    monkeypatch.setenv("PREFLOOP_DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("PREFLOOP_SPOOL_DIR", str(tmp_path / "spool"))
    res = CliRunner().invoke(
        cli, ["curator", "run", "--once", "--no-scrub", "--no-tag", "--purge-interval", "0"]
    )
    assert res.exit_code == 0, res.output
    assert {sig: signal.getsignal(sig) for sig in before} == before
