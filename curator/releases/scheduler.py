"""The monthly release schedule: APScheduler 3.11, a SQLAlchemy job store in the prefloop database.

- One cron job, day 1 at 02:00 UTC, releasing the month before; ``coalesce`` (runs missed while down fire
  once), a misfire grace of ``Settings.scheduler_misfire_grace_hours`` (APScheduler's default of 1 s would skip
  a run the process was late for).
- The job is added once, when the scheduler has started and its store is readable; an existing job is never
  replaced (``replace_existing=True`` would overwrite ``next_run_time`` and lose a run missed while down). On
  the very first start, a run that fell due within the grace period is scheduled at once; on a later start, so
  is one that fell due within the grace period but was never started (no ``job_runs`` row).
- The job itself is idempotent: it takes a unique ``job_runs`` row for (job, month) before any work, so two
  schedulers started by mistake release the month once. A failed run's row can be taken again, and so can
  one left ``running`` for 12 hours by a crashed process.
- A run that raises (the database away at 02:00, a full disk) is retried every :data:`RETRY_AFTER` by a one-off
  job of its own, for as long as the misfire grace after its due time lasts; a failed gate is not retried (it
  needs a person: the run is recorded ``failed`` with its report).
- The callable is referenced as ``prefloop.curator.releases.scheduler:run_monthly_release`` (the job store pickles it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache, partial
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from prefloop.curator.ingest.refused import one_line_reason
from prefloop.curator.releases import messages as msg
from prefloop.curator.releases.months import month_bounds, previous_month
from prefloop.curator.store import Store
from prefloop.curator.store.models import JobRun, Release, utcnow

__all__ = [
    "JOB_FUNC",
    "JOB_ID",
    "JOB_NAME",
    "RETRY_AFTER",
    "build_scheduler",
    "claim_run",
    "ensure_monthly_job",
    "last_due",
    "monthly_trigger",
    "open_job_store",
    "release_month",
    "run_monthly_release",
    "run_recorded",
    "schedule_retry",
    "stop_scheduler",
]

log = logging.getLogger(__name__)

JOB_ID = "prefloop-monthly-release"
JOB_NAME = "monthly-release"  # job_runs.job
JOB_FUNC = "prefloop.curator.releases.scheduler:run_monthly_release"
JOBS_TABLE = "apscheduler_jobs"
#: a run that raised is tried again after this long, until the misfire grace after its due time ends
RETRY_AFTER = timedelta(minutes=15)
_RETRY_PREFIX = f"{JOB_ID}-retry-"


def monthly_trigger() -> Any:
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger(day=1, hour=2, minute=0, timezone=UTC)


def last_due(now: datetime) -> datetime:
    """The latest day-1 02:00 UTC at or before ``now``."""
    now = now.astimezone(UTC)
    due = now.replace(day=1, hour=2, minute=0, second=0, microsecond=0)
    if due > now:
        due = (due - timedelta(days=1)).replace(day=1)
    return due


def ensure_monthly_job(
    scheduler: Any,
    grace_hours: float,
    now: datetime | None = None,
    started: Callable[[str], bool] | None = None,
) -> Any:
    """Add the monthly job if the job store does not have it; otherwise align its grace time and trigger, and
    move its ``next_run_time`` back only to catch up a run that never started: the last 1st fell within the grace
    period, the stored job already points past it, and ``started(month)`` says no run of that month was ever
    recorded (APScheduler advances the job when a submission fails, e.g. a shutdown at the very moment it fell
    due). Call with the scheduler started (running or paused)."""
    grace = int(grace_hours * 3600)
    job = scheduler.get_job(JOB_ID)
    now = now or datetime.now(UTC)
    due = last_due(now)
    if job is None:
        kwargs: dict[str, Any] = {}
        if now - due <= timedelta(seconds=grace):
            kwargs["next_run_time"] = due  # first start inside the grace window: catch the run up now
        return scheduler.add_job(
            JOB_FUNC,
            trigger=monthly_trigger(),
            id=JOB_ID,
            name=JOB_NAME,
            misfire_grace_time=grace,
            coalesce=True,
            max_instances=1,
            replace_existing=False,
            **kwargs,
        )
    changes: dict[str, Any] = {}
    if job.misfire_grace_time != grace:
        changes["misfire_grace_time"] = grace
    if not job.coalesce:
        changes["coalesce"] = True
    if str(job.trigger) != str(monthly_trigger()):
        changes["trigger"] = monthly_trigger()
    missed = (
        started is not None
        and now - due <= timedelta(seconds=grace)
        and job.next_run_time is not None
        and job.next_run_time > max(due, now)  # a next run already due fires at start anyway
        and not started(previous_month(due))
    )
    if missed:
        log.warning(msg.RUN_CAUGHT_UP.format(period=previous_month(due), due=due.isoformat()))
        changes["next_run_time"] = due
    if changes:
        job = scheduler.modify_job(JOB_ID, **changes)
    return job


class _JobTraceback(logging.Filter):
    """APScheduler logs a job that raised with its traceback ("Job ... raised an exception"). The release job's
    failures are said in one line by the retry plan that follows (:data:`msg.RUN_RETRY`, the error's class and
    first line) and kept in its ``job_runs`` row; the traceback is shown only when the log level is DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "raised an exception" not in str(record.msg):
            return True
        return logging.getLogger().isEnabledFor(logging.DEBUG)


_JOB_TRACEBACK = _JobTraceback()


class _StopsCleanly:
    """A scheduler whose loop takes no job once it has been told to stop. APScheduler's loop (its own thread
    in the background scheduler) can look for due jobs after ``shutdown`` has closed the executors: the
    submission fails with "cannot schedule new futures after shutdown", logged with a traceback, and the job
    is moved on as if it had run — a one-off retry job is deleted, a cron run is skipped (caught up at the next
    start only if it never started). Stopped, the loop leaves every job as stored for the next start."""

    state: int

    def _process_jobs(self) -> float | None:
        from apscheduler.schedulers.base import STATE_STOPPED

        if self.state == STATE_STOPPED:
            return None
        return super()._process_jobs()  # type: ignore[misc]


@cache
def _scheduler_class(blocking: bool) -> Any:
    """APScheduler's blocking (``prefloop scheduler run``) or background (tests, embedding) scheduler, stopping
    cleanly (:class:`_StopsCleanly`). Imported here: APScheduler is loaded only by the commands that use it."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    base = BlockingScheduler if blocking else BackgroundScheduler
    return type(base.__name__, (_StopsCleanly, base), {"__module__": __name__})


def build_scheduler(settings: Any, blocking: bool = True, ensure_job: bool = True) -> Any:
    """A scheduler on the prefloop database's job store; the monthly job is ensured once it starts (unless
    ``ensure_job`` is false: a read-only look at the store)."""
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_SCHEDULER_STARTED
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    cls = _scheduler_class(blocking)
    grace = int(settings.scheduler_misfire_grace_hours * 3600)
    scheduler = cls(
        jobstores={
            "default": SQLAlchemyJobStore(url=settings.database_url.get_secret_value(), tablename=JOBS_TABLE)
        },
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        timezone=UTC,
    )

    def on_start(_event: Any) -> None:
        store = Store(settings.database_url)
        try:
            job = ensure_monthly_job(
                scheduler, settings.scheduler_misfire_grace_hours, started=partial(run_recorded, store)
            )
        finally:
            store.dispose()
        log.info(
            msg.SCHEDULER_STARTED.format(
                job=JOB_ID, next_run=job.next_run_time, grace=settings.scheduler_misfire_grace_hours
            )
        )

    def on_error(event: Any) -> None:
        if event.job_id == JOB_ID:
            period = previous_month(event.scheduled_run_time)
        elif event.job_id.startswith(_RETRY_PREFIX):
            period = event.job_id.removeprefix(_RETRY_PREFIX)
        else:
            return
        schedule_retry(scheduler, period, event.exception, grace)

    if ensure_job:
        scheduler.add_listener(on_start, EVENT_SCHEDULER_STARTED)
        scheduler.add_listener(on_error, EVENT_JOB_ERROR)
        logging.getLogger("apscheduler.executors.default").addFilter(_JOB_TRACEBACK)
    return scheduler


def schedule_retry(
    scheduler: Any, period: str, error: BaseException, grace_s: int, now: datetime | None = None
) -> Any:
    """After the run for ``period`` raised: a one-off job that runs it again in :data:`RETRY_AFTER`, while the
    misfire grace after its due time (day 1 02:00 UTC of the next month) lasts; ``None`` once it has ended."""
    now = now or datetime.now(UTC)
    until = month_bounds(period)[1].replace(hour=2) + timedelta(seconds=grace_s)
    reason = one_line_reason(error)
    at = now + RETRY_AFTER
    if at > until:
        log.error(msg.RUN_GIVEN_UP.format(period=period, error=reason, until=until.isoformat()))
        return None
    log.warning(msg.RUN_RETRY.format(period=period, error=reason, at=at.isoformat(), until=until.isoformat()))
    return scheduler.add_job(
        JOB_FUNC,
        trigger="date",
        run_date=at,
        args=[period],
        id=_RETRY_PREFIX + period,
        name=f"{JOB_NAME} retry {period}",
        misfire_grace_time=max(1, int((until - at).total_seconds())),
        replace_existing=True,
    )


def stop_scheduler(scheduler: Any, wait: bool = True) -> None:
    """Shut a scheduler down and release its job store connections. A background scheduler's loop wakes once
    more after ``shutdown`` and reads the store again, after the store's engine was disposed; dispose again."""
    scheduler.shutdown(wait=wait)
    for alias in ("default",):
        store = scheduler._jobstores.get(alias)
        engine = getattr(store, "engine", None)
        if engine is not None:
            engine.dispose()


def open_job_store(settings: Any) -> Any:
    """The job store on its own, without a running scheduler: for reading or correcting the stored job.

    (Starting and shutting down a scheduler just to look would let APScheduler's loop process a due run on
    the way out, advancing ``next_run_time`` without running it.)"""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    store = SQLAlchemyJobStore(url=settings.database_url.get_secret_value(), tablename=JOBS_TABLE)
    store.start(BackgroundScheduler(timezone=UTC), "default")
    return store


#: A run still marked ``running`` this long after it started is taken to have died with its process.
STALE_RUN = timedelta(hours=12)


def claim_run(store: Store, job: str, period: str, stale_after: timedelta = STALE_RUN) -> int | None:
    """Take the (job, period) row before work starts; ``None`` when another run has it (done, or running for
    less than ``stale_after``). A failed run, or one left ``running`` by a crashed process, is taken over."""
    try:
        with store.session() as session:
            row = JobRun(job=job, period=period, status="running")
            session.add(row)
            session.flush()
            return row.id
    except IntegrityError:
        pass
    with store.session() as session:
        result = session.execute(
            update(JobRun)
            .where(
                JobRun.job == job,
                JobRun.period == period,
                (JobRun.status == "failed")
                | ((JobRun.status == "running") & (JobRun.started_at < utcnow() - stale_after)),
            )
            .values(status="running", started_at=utcnow(), finished_at=None)
        )
        if getattr(result, "rowcount", 0) == 1:
            return session.scalar(select(JobRun.id).where(JobRun.job == job, JobRun.period == period))
    return None


def run_recorded(store: Store, period: str, job: str = JOB_NAME) -> bool:
    """Whether a run of ``job`` for ``period`` was ever started (whatever became of it)."""
    with store.session() as session:
        return session.scalar(select(JobRun.id).where(JobRun.job == job, JobRun.period == period)) is not None


def _finish(store: Store, run_id: int, status: str, detail: dict[str, Any]) -> None:
    with store.session() as session:
        session.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(status=status, finished_at=utcnow(), detail=detail)
        )


def release_month(settings: Any, store: Store, period: str) -> dict[str, Any]:
    """Run the release for ``period`` once, guarded by its ``job_runs`` row. Returns what happened."""
    from prefloop.curator.releases.build import BuildOptions, build_release
    from prefloop.curator.releases.errors import GateFailedError

    run_id = claim_run(store, JOB_NAME, period)
    if run_id is None:
        with store.session() as session:
            existing = session.scalars(
                select(JobRun).where(JobRun.job == JOB_NAME, JobRun.period == period)
            ).first()
        status = existing.status if existing else "unknown"
        log.info(
            msg.JOB_SKIPPED.format(period=period, status=status, job_id=existing.id if existing else "?")
        )
        return {"status": "skipped", "period": period, "existing": status}
    try:
        with store.session() as session:
            released = session.scalars(select(Release).where(Release.month == period)).first()
        if released is not None:
            detail = {
                "status": "done",
                "period": period,
                "release": released.manifest.get("name"),
                "built": False,
            }
            _finish(store, run_id, "done", detail)
            return detail
        result = build_release(store, BuildOptions.from_settings(settings, period, progress=False))
    except GateFailedError as exc:
        detail = {"status": "failed", "period": period, "error": str(exc), "report": exc.report}
        _finish(store, run_id, "failed", detail)
        log.error(str(exc))
        return detail
    except Exception as exc:
        _finish(store, run_id, "failed", {"status": "failed", "period": period, "error": repr(exc)})
        raise
    detail = {
        "status": "done",
        "period": period,
        "release": result.name,
        "path": str(result.path),
        "pairs": result.manifest.counts.get("pairs", 0),
        "built": True,
    }
    _finish(store, run_id, "done", detail)
    return detail


def run_monthly_release(period: str | None = None) -> dict[str, Any]:
    """The scheduled job: release the month before now (or ``period``). Loads the settings itself, since the
    job store keeps only a reference to this function, never a settings object with secrets in it."""
    from prefloop.curator.settings import Settings

    settings = Settings.load()
    store = Store(settings.database_url)
    try:
        return release_month(settings, store, period or previous_month(datetime.now(UTC)))
    finally:
        store.dispose()
