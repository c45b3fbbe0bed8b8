"""The monthly schedule: job added once and never replaced, catch-up of a missed run, runs once per month."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from prefloop.curator.releases.months import previous_month
from prefloop.curator.releases.scheduler import (
    JOB_ID,
    build_scheduler,
    claim_run,
    ensure_monthly_job,
    last_due,
    open_job_store,
    release_month,
    stop_scheduler,
)
from prefloop.curator.settings import Settings
from prefloop.curator.store import Store
from prefloop.curator.store.models import JobRun, Release
from tests.unit.release_factories import add_pairs


def _settings(store: Store, tmp_path: Path) -> Settings:
    return Settings.load({}, database_url=store.url, release_dir=str(tmp_path / "releases"))


def _stored_job(settings: Settings, next_run_time: datetime | None = None) -> Any:
    """Read (and optionally set) the stored job's next run, as if the process had been down."""
    jobs = open_job_store(settings)
    try:
        job = jobs.lookup_job(JOB_ID)
        if next_run_time is not None:
            job.next_run_time = next_run_time
            jobs.update_job(job)
        return job
    finally:
        jobs.shutdown()


def _started_after_a_missed_run(settings: Settings) -> Any:
    """A running scheduler whose stored job fell due two hours ago while no scheduler ran."""
    first = build_scheduler(settings, blocking=False)
    first.start(paused=True)
    stop_scheduler(first)
    _stored_job(settings, next_run_time=datetime.now(UTC) - timedelta(hours=2))
    sched = build_scheduler(settings, blocking=False)
    sched.start()
    return sched


def test_last_due() -> None:
    assert last_due(datetime(2026, 11, 22, 5, tzinfo=UTC)) == datetime(2026, 11, 1, 2, tzinfo=UTC)
    assert last_due(datetime(2026, 11, 1, 1, 59, tzinfo=UTC)) == datetime(2026, 10, 1, 2, tzinfo=UTC)
    assert last_due(datetime(2026, 1, 1, 0, tzinfo=UTC)) == datetime(2025, 12, 1, 2, tzinfo=UTC)


def test_job_is_added_once_and_restart_keeps_next_run_time(store: Store, tmp_path: Path) -> None:
    settings = _settings(store, tmp_path)
    sched = build_scheduler(settings, blocking=False)
    sched.start(paused=True)
    job = sched.get_job(JOB_ID)
    assert job.func_ref == "prefloop.curator.releases.scheduler:run_monthly_release"
    assert job.misfire_grace_time == 72 * 3600 and job.coalesce
    assert str(job.trigger).startswith("cron[day='1', hour='2', minute='0'")
    stop_scheduler(sched)
    # pretend the process was down over the 1st: the stored next run is in the past
    missed = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    _stored_job(settings, next_run_time=missed)

    again = build_scheduler(settings, blocking=False)
    again.start(paused=True)
    assert again.get_job(JOB_ID).next_run_time == missed  # not replaced by a fresh next_run_time
    stop_scheduler(again)


def test_first_start_inside_grace_catches_the_run_up(store: Store, tmp_path: Path) -> None:
    settings = _settings(store, tmp_path)
    sched = build_scheduler(settings, blocking=False, ensure_job=False)
    sched.start(paused=True)
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    job = ensure_monthly_job(sched, 72, now=now)
    assert job.next_run_time == datetime(2026, 11, 1, 2, tzinfo=UTC)
    sched.remove_job(JOB_ID)
    late = ensure_monthly_job(sched, 72, now=datetime(2026, 11, 9, tzinfo=UTC))
    assert late.next_run_time > datetime.now(UTC)  # outside the grace: wait for the next 1st
    sched.remove_job(JOB_ID)
    stop_scheduler(sched)


def test_a_run_that_never_started_is_caught_up_at_the_next_start(store: Store, tmp_path: Path) -> None:
    """APScheduler moves the job to the next 1st when it cannot submit the due run (the scheduler was shutting
    down at that moment): a start within the grace period puts the missed run back, unless a run of that month
    was recorded."""
    settings = Settings.load(
        {},
        database_url=store.url,
        release_dir=str(tmp_path / "releases"),
        scheduler_misfire_grace_hours=24 * 40,
    )
    due = last_due(datetime.now(UTC))
    later = due + timedelta(days=62)  # where APScheduler left the job: a 1st still to come
    first = build_scheduler(settings, blocking=False)
    first.start(paused=True)
    stop_scheduler(first)
    _stored_job(settings, next_run_time=later)

    again = build_scheduler(settings, blocking=False)
    again.start(paused=True)
    assert again.get_job(JOB_ID).next_run_time == due  # never started: caught up
    stop_scheduler(again)

    _stored_job(settings, next_run_time=later)
    assert claim_run(store, "monthly-release", previous_month(due)) is not None  # a run of that month started
    third = build_scheduler(settings, blocking=False)
    third.start(paused=True)
    assert third.get_job(JOB_ID).next_run_time == later  # left where it is
    stop_scheduler(third)


def test_catch_up_needs_the_grace_period_and_a_job_past_the_due_run(store: Store, tmp_path: Path) -> None:
    settings = _settings(store, tmp_path)
    sched = build_scheduler(settings, blocking=False, ensure_job=False)
    sched.start(paused=True)
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    due = datetime(2026, 11, 1, 2, tzinfo=UTC)
    ensure_monthly_job(sched, 72, now=now)
    sched.modify_job(JOB_ID, next_run_time=datetime(2026, 12, 1, 2, tzinfo=UTC))
    never: list[str] = []

    def started(period: str) -> bool:
        never.append(period)
        return False

    assert ensure_monthly_job(sched, 72, now=now, started=started).next_run_time == due
    assert never == ["2026-10"]
    sched.modify_job(JOB_ID, next_run_time=datetime(2026, 12, 1, 2, tzinfo=UTC))
    too_late = ensure_monthly_job(sched, 72, now=datetime(2026, 11, 9, tzinfo=UTC), started=started)
    assert too_late.next_run_time == datetime(2026, 12, 1, 2, tzinfo=UTC)  # outside the grace: not moved
    assert ensure_monthly_job(sched, 72, now=now, started=lambda _p: True).next_run_time == datetime(
        2026, 12, 1, 2, tzinfo=UTC
    )
    overdue = datetime(2026, 11, 2, 8, tzinfo=UTC)  # already due: fires at start, nothing to move
    sched.modify_job(JOB_ID, next_run_time=overdue)
    assert ensure_monthly_job(sched, 72, now=now, started=started).next_run_time == overdue
    sched.remove_job(JOB_ID)
    stop_scheduler(sched)


@pytest.mark.timeout(60)
def test_missed_run_fires_at_start_and_releases_the_month_before(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    month = previous_month(datetime.now(UTC))
    add_pairs(store, 6, month=month)
    settings = _settings(store, tmp_path)
    monkeypatch.setenv("PREFLOOP_DATABASE_URL", store.url)
    monkeypatch.setenv("PREFLOOP_RELEASE_DIR", str(tmp_path / "releases"))
    sched = _started_after_a_missed_run(settings)
    try:
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            with store.session() as session:
                run = session.scalars(select(JobRun)).first()
            if run is not None and run.status != "running":
                break
            time.sleep(0.2)
    finally:
        stop_scheduler(sched)
    assert run is not None and run.status == "done", run and run.detail
    assert run.period == month and run.detail["built"] is True
    assert (tmp_path / "releases" / month / "manifest.json").is_file()
    assert _stored_job(settings).next_run_time > datetime.now(UTC)  # on to the next 1st


def test_two_schedulers_release_a_month_once(store: Store, tmp_path: Path) -> None:
    add_pairs(store, 4, month="2026-10")
    settings = _settings(store, tmp_path)
    results: list[dict[str, Any]] = []

    def go() -> None:
        own = Store(store.url)
        try:
            results.append(release_month(settings, own, "2026-10"))
        finally:
            own.dispose()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r["status"] for r in results) == ["done", "skipped"]
    with store.session() as session:
        assert len(session.scalars(select(Release)).all()) == 1
        assert len(session.scalars(select(JobRun)).all()) == 1
    # run again later: still skipped
    assert release_month(settings, store, "2026-10")["status"] == "skipped"


def test_run_left_running_by_a_crash_is_taken_over_when_stale(store: Store) -> None:
    from prefloop.curator.store.models import utcnow

    with store.session() as session:
        session.add(JobRun(job="monthly-release", period="2026-08", status="running", started_at=utcnow()))
        session.add(
            JobRun(
                job="monthly-release",
                period="2026-07",
                status="running",
                started_at=utcnow() - timedelta(hours=13),
            )
        )
    assert claim_run(store, "monthly-release", "2026-08") is None  # still running somewhere
    assert claim_run(store, "monthly-release", "2026-07") is not None  # its process died long ago


def test_failed_run_can_be_taken_again(store: Store, tmp_path: Path) -> None:
    settings = _settings(store, tmp_path)
    failed = release_month(settings, store, "2026-09")  # no pairs: the "empty" gate fails
    assert failed["status"] == "failed" and failed["report"]["failed"] == ["empty"]
    assert claim_run(store, "monthly-release", "2026-09") is not None
    assert claim_run(store, "monthly-release", "2026-09") is None


def test_a_run_that_raised_is_retried_until_it_succeeds(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The database away at 02:00 or a full disk: the month is not skipped until someone notices."""
    from prefloop.curator.releases import scheduler as scheduler_module

    month = previous_month(datetime.now(UTC))
    add_pairs(store, 6, month=month)
    # a grace that covers today whatever the day of the month (the default 72 h ends on the 4th)
    settings = Settings.load(
        {},
        database_url=store.url,
        release_dir=str(tmp_path / "releases"),
        scheduler_misfire_grace_hours=24 * 40,
    )
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the release folder should be")
    monkeypatch.setattr(scheduler_module, "RETRY_AFTER", timedelta(seconds=2))
    monkeypatch.setenv("PREFLOOP_DATABASE_URL", store.url)
    monkeypatch.setenv("PREFLOOP_RELEASE_DIR", str(blocker / "releases"))  # the first run cannot write
    sched = _started_after_a_missed_run(settings)
    try:
        deadline = time.monotonic() + 45
        status = None
        while time.monotonic() < deadline and status != "failed":
            with store.session() as session:
                status = session.scalars(select(JobRun.status)).first()
            time.sleep(0.1)
        assert status == "failed"
        assert sched.get_job(f"{JOB_ID}-retry-{month}") is not None
        monkeypatch.setenv("PREFLOOP_RELEASE_DIR", str(tmp_path / "releases"))  # the operator frees the disk
        while time.monotonic() < deadline and status != "done":
            with store.session() as session:
                status = session.scalars(select(JobRun.status)).first()
            time.sleep(0.2)
    finally:
        stop_scheduler(sched)
    assert status == "done"
    assert (tmp_path / "releases" / month / "manifest.json").is_file()
    retry_lines = [r.getMessage() for r in caplog.records if "runs again at" in r.getMessage()]
    assert len(retry_lines) == 1 and month in retry_lines[0] and "NotADirectoryError" in retry_lines[0]
    # the retry line says why; APScheduler's "Job ... raised an exception" and its traceback only at DEBUG
    assert not [r for r in caplog.records if "raised an exception" in r.getMessage()]


def test_no_retry_once_the_grace_after_the_due_time_has_ended(caplog: pytest.LogCaptureFixture) -> None:
    from prefloop.curator.releases.scheduler import schedule_retry

    class NoScheduler:
        def add_job(self, *args: Any, **kwargs: Any) -> None:
            raise AssertionError("no retry may be scheduled")

    # October's release fell due on 1 November 02:00; with 72 h of grace it is retried until 4 November 02:00
    late = datetime(2026, 11, 4, 1, 50, tzinfo=UTC)
    assert schedule_retry(NoScheduler(), "2026-10", OSError("disk full"), 72 * 3600, now=late) is None
    assert "release build --month 2026-10" in caplog.text and "not retried" in caplog.text


def test_apscheduler_s_job_traceback_shows_only_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    from prefloop.curator.releases.scheduler import _JOB_TRACEBACK

    try:
        raise NotADirectoryError(20, "Not a directory")
    except NotADirectoryError as exc:
        raised = logging.LogRecord(
            "apscheduler.executors.default",
            logging.ERROR,
            "base.py",
            1,
            'Job "%s" raised an exception',
            ("monthly-release",),
            (type(exc), exc, exc.__traceback__),
        )
    other = logging.LogRecord(
        "apscheduler.scheduler", logging.INFO, "base.py", 1, "Scheduler started", None, None
    )
    caplog.set_level(logging.INFO)
    assert _JOB_TRACEBACK.filter(raised) is False and _JOB_TRACEBACK.filter(other) is True
    caplog.set_level(logging.DEBUG)  # `--debug`
    assert _JOB_TRACEBACK.filter(raised) is True


def test_a_stopped_scheduler_takes_no_due_job_and_keeps_it_for_the_next_start(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """APScheduler's loop can look for due jobs once more after ``shutdown`` closed the executors (the race
    of a stop right after a run): the submission failed with a traceback and the one-off retry was deleted."""
    from prefloop.curator.releases.scheduler import schedule_retry

    month = previous_month(datetime.now(UTC))
    settings = _settings(store, tmp_path)
    sched = build_scheduler(settings, blocking=False, ensure_job=False)
    sched.start(paused=True)
    retry = schedule_retry(sched, month, OSError("disk full"), 24 * 3600 * 40, now=datetime.now(UTC))
    assert retry is not None
    stop_scheduler(sched)
    jobs = open_job_store(settings)
    try:  # the retry falls due while the scheduler stops
        job = jobs.lookup_job(retry.id)
        job.next_run_time = datetime.now(UTC) - timedelta(seconds=1)
        jobs.update_job(job)
    finally:
        jobs.shutdown()
    caplog.clear()
    sched._process_jobs()  # the loop's look after shutdown, made deterministic
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    jobs = open_job_store(settings)
    try:
        assert jobs.lookup_job(retry.id) is not None  # still there for the next start
    finally:
        jobs.shutdown()
