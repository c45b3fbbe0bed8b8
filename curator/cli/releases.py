"""`prefloop release build|pin-eval`, `prefloop forget`, `prefloop pseudonym`,
`prefloop scheduler run|run-once|status`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from prefloop.curator.cli import messages as cli_msg
from prefloop.curator.cli.output import echo_json, progress_wanted
from prefloop.curator.releases import messages as msg
from prefloop.curator.settings import Settings
from prefloop.curator.startup import wait_option
from prefloop.curator.store import Store

__all__ = ["forget", "pseudonym", "release", "scheduler"]


def _store(settings: Settings) -> Store:
    store = Store(settings.database_url)
    store.require_current()
    return store


@click.group()
def release() -> None:
    """Build monthly dataset releases."""


@release.command("build")
@click.option("--month", required=True, help="YYYY-MM: pairs whose first evidence falls in this month (UTC).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder holding the releases (default: PREFLOOP_RELEASE_DIR).",
)
@click.option(
    "--override",
    "overrides",
    multiple=True,
    metavar="GATE",
    help="Accept a failing gate (empty, scrubbed, checks, label_balance, coverage); recorded in the card.",
)
@click.option(
    "--coverage-gate",
    type=click.Choice(["warn", "fail", "off"]),
    default="warn",
    show_default=True,
    help="What a category outside its target range does.",
)
@click.option("--min-pairs-warning", type=int, default=1000, show_default=True)
@click.option(
    "--push-to-hub", "hub_repo", default=None, metavar="REPO", help="Upload to this HF dataset repo."
)
@click.option("--hub-endpoint", default=None, help="Hub URL (default: huggingface.co).")
@click.option(
    "--no-progress", is_flag=True, help="No progress bar (there is none unless stderr is a terminal)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object on stdout.")
@click.pass_obj
def build(
    settings: Settings,
    month: str,
    out: Path | None,
    overrides: tuple[str, ...],
    coverage_gate: str,
    min_pairs_warning: int,
    hub_repo: str | None,
    hub_endpoint: str | None,
    no_progress: bool,
    as_json: bool,
) -> None:
    """Build releases/<MONTH>/ (a rebuild goes to <MONTH>-r2, ...; nothing is ever overwritten)."""
    from prefloop.curator.releases import BuildOptions, GateFailedError, GatePolicy, build_release

    store = _store(settings)
    options = BuildOptions.from_settings(
        settings,
        month,
        root=out,
        policy=GatePolicy(min_pairs_warning=min_pairs_warning, coverage=coverage_gate),
        overrides=tuple(overrides),
        progress=progress_wanted(no_progress),
    )
    try:
        result = build_release(store, options)
    except GateFailedError as exc:
        click.echo(msg.GATE_REPORT_TITLE, err=True)
        click.echo(json.dumps(exc.report, indent=2, sort_keys=True), err=True)
        raise
    finally:
        store.dispose()
    for warning in result.report["warnings"]:
        click.echo(msg.WARNING.format(text=warning), err=True)
    url = None
    if hub_repo:
        from prefloop.curator.releases.hub import push_to_hub

        url = push_to_hub(result.path, hub_repo, endpoint=hub_endpoint)
    if as_json:
        echo_json(
            {
                "name": result.name,
                "path": str(result.path),
                "counts": result.manifest.counts,
                "warnings": result.report["warnings"],
                "hub_url": url,
            }
        )
        return
    splits = ", ".join(f"{s} {result.manifest.counts.get(s, 0)}" for s in ("train", "test"))
    click.echo(
        msg.BUILT.format(
            name=result.name, pairs=result.manifest.counts["pairs"], splits=splits, path=result.path
        )
    )
    if url is not None:
        click.echo(msg.PUSHED.format(path=result.path, repo=hub_repo, url=url))


@release.command("pin-eval")
@click.option("--month", required=True, help="The release whose split becomes the frozen evaluation set.")
@click.option("--split", default="test", show_default=True)
@click.pass_obj
def pin_eval_cmd(settings: Settings, month: str, split: str) -> None:
    """Pin a release's test prompts as the frozen evaluation set: never shipped (or trained on) again."""
    from prefloop.curator.releases import pin_eval

    store = _store(settings)
    try:
        n = pin_eval(store, month, split)
    finally:
        store.dispose()
    click.echo(msg.PINNED.format(n=n, month=month, split=split))


@click.command()
@click.option(
    "--user",
    required=True,
    help="The user's pseudonym as stored (capture's HMAC of the app's user id, computed with the same key).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def forget(settings: Settings, user: str, yes: bool) -> None:
    """Erase a user's events, responses, feedback and pairs (and votes on them) from the store."""
    from prefloop.curator.releases import forget_user

    if not yes:
        click.confirm(f"Erase every row of user {user!r}? This cannot be undone", abort=True, err=True)
    store = _store(settings)
    try:
        result = forget_user(store, user)
    finally:
        store.dispose()
    erased = result.to_dict()
    if not any(n for key, n in erased.items() if key != "user"):
        raise click.ClickException(cli_msg.FORGET_UNKNOWN_USER.format(user=user))
    click.echo(msg.FORGOT.format(**erased))


@click.command()
@click.argument("user_id")
@click.option(
    "--secret-key-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="A file holding capture's secret (default: PREFLOOP_CAPTURE_SECRET_KEY).",
)
@click.pass_obj
def pseudonym(settings: Settings, user_id: str, secret_key_file: Path | None) -> None:
    """Print the pseudonym capture stores for the host app's USER_ID (for `prefloop forget --user`).

    Computed exactly as capture does, with the same secret: the app's PREFLOOP_CAPTURE_SECRET_KEY, or its
    SECRET_KEY when that is unset."""
    from prefloop.schemas.pseudonyms import pseudonym as pseudonym_of
    from prefloop.schemas.pseudonyms import user_key

    if secret_key_file is not None:
        secret = secret_key_file.read_text(encoding="utf-8").rstrip("\r\n")
    elif settings.capture_secret_key is not None:
        secret = settings.capture_secret_key.get_secret_value()
    else:
        raise click.ClickException(msg.NO_CAPTURE_SECRET)
    if not secret:
        raise click.ClickException(msg.NO_CAPTURE_SECRET)
    click.echo(pseudonym_of(user_key(secret), user_id))


@click.group()
def scheduler() -> None:
    """Run the monthly release scheduler."""


@scheduler.command("run")
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Serve /healthz and /readyz on this port (default: PREFLOOP_METRICS_PORT; unset = none).",
)
@click.option("--metrics-addr", default="0.0.0.0", show_default=True, help="Address the probes bind.")
@wait_option("the migrated database")
@click.pass_obj
def run(settings: Settings, metrics_port: int | None, metrics_addr: str, wait_s: float) -> None:
    """Run the scheduler in the foreground (one process per database): day 1, 02:00 UTC, the month before."""
    import signal

    from prefloop.curator.health import scheduler_readiness
    from prefloop.curator.messages import SCHEDULER_PROBES
    from prefloop.curator.ops_server import OpsServer
    from prefloop.curator.releases.scheduler import JOB_ID, build_scheduler
    from prefloop.curator.startup import wait_for_dependency
    from prefloop.schemas.errors import StoreError

    wait_for_dependency(
        lambda: _store(settings).dispose(),
        timeout=wait_s,
        what="the migrated database",
        retry_on=(StoreError,),
    )
    sched = build_scheduler(settings, blocking=True)

    def ready() -> tuple[bool, dict[str, Any]]:
        job = sched.get_job(JOB_ID) if sched.running else None  # reads the job store: the database answers
        return scheduler_readiness(sched.running, job.next_run_time if job else None)

    def live() -> tuple[bool, dict[str, Any]]:
        return True, {"running": bool(sched.running)}

    def stop(*_: Any) -> None:  # SIGTERM (a container's stop): finish a running job, then exit
        raise SystemExit(0)

    port = settings.metrics_port if metrics_port is None else metrics_port
    server = None if port is None else OpsServer(port, metrics_addr, live=live, ready=ready)
    if server is not None:
        click.echo(SCHEDULER_PROBES.format(addr=metrics_addr, port=server.port), err=True)
    signal.signal(signal.SIGTERM, stop)
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        if sched.running:
            sched.shutdown(wait=True)
    finally:
        if server is not None:
            server.close()


@scheduler.command("run-once")
@click.option("--month", default=None, help="YYYY-MM (default: the month before now).")
@click.pass_obj
def run_once(settings: Settings, month: str | None) -> None:
    """Run the release job now, with the same once-per-month guard as the schedule."""
    from datetime import UTC, datetime

    from prefloop.curator.releases.months import parse_month, previous_month
    from prefloop.curator.releases.scheduler import release_month

    period = month or previous_month(datetime.now(UTC))
    parse_month(period)
    store = _store(settings)
    try:
        detail = release_month(settings, store, period)
    finally:
        store.dispose()
    click.echo(json.dumps(detail, indent=2, sort_keys=True, default=str))
    if detail["status"] == "failed":
        sys.exit(1)


@scheduler.command("status")
@click.option("--json", "as_json", is_flag=True, help='Print one JSON object: {"next_run", "runs": [...]}.')
@click.pass_obj
def status(settings: Settings, as_json: bool) -> None:
    """The next scheduled run and the recent job runs."""
    from sqlalchemy import select

    from prefloop.curator.releases.scheduler import JOB_ID, open_job_store
    from prefloop.curator.store.models import JobRun

    store = _store(settings)
    jobs = open_job_store(settings)
    try:
        job = jobs.lookup_job(JOB_ID)
        with store.session() as session:
            runs = [
                {
                    "job": row.job,
                    "period": row.period,
                    "status": row.status,
                    "started_at": row.started_at,
                    "finished_at": row.finished_at,
                }
                for row in session.scalars(select(JobRun).order_by(JobRun.id.desc()).limit(12))
            ]
    finally:
        jobs.shutdown()
        store.dispose()
    next_run = job.next_run_time if job else None
    if as_json:
        echo_json({"next_run": next_run, "runs": runs})
        return
    click.echo(f"next run: {next_run or 'not scheduled (start `prefloop scheduler run`)'}")
    for run_ in runs:
        click.echo(
            f"{run_['job']} {run_['period']} {run_['status']} "
            f"started {run_['started_at']} finished {run_['finished_at']}"
        )
