"""`prefloop curator run [--once]`, `prefloop ingest --file`, `prefloop purge`."""

from __future__ import annotations

import logging
import signal
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from prefloop.curator import messages as msg
from prefloop.curator.cli import messages as cli_msg
from prefloop.curator.cli.output import echo_json
from prefloop.curator.settings import Settings
from prefloop.curator.startup import wait_for_dependency, wait_option
from prefloop.schemas.errors import StoreError, UnreachableError

__all__ = ["build_curator", "curator", "ingest", "purge"]

log = logging.getLogger(__name__)

#: invalid lines listed by `ingest --strict` (the count covers all)
_SHOWN_INVALID = 20


def _store(settings: Settings) -> Any:
    from prefloop.curator.store import Store

    store = Store(settings.database_url)
    if settings.embedded and store.dialect == "sqlite":
        if not store.is_current():
            store.upgrade()  # the embedded default just works
    else:
        store.require_current()
    return store


def build_curator(settings: Settings, *, scrub: bool = True, tag: bool = True) -> Any:
    """The store, policy, scrubber and tagger the settings name, wired into a :class:`Curator`."""
    from prefloop.curator.pairing import load_policy
    from prefloop.curator.pipeline import Curator

    store = _store(settings)
    policy = load_policy(settings.routing_policy)
    scrubber = None
    if scrub:
        try:
            from prefloop.curator.scrub import Scrubber

            scrubber = Scrubber(model=settings.spacy_model)
        except Exception as exc:  # an ImportError, a missing model: say what to install
            raise click.ClickException(msg.SCRUBBER_MISSING.format(error=exc)) from exc
    tagger = None
    if tag:
        from prefloop.curator.pipeline import load_tagger

        tagger = load_tagger(settings.tagger_model)
    return Curator(store, policy, scrubber=scrubber, tagger=tagger, require_scrub=scrub)


def _summary(totals: Any) -> str:
    pairs = ", ".join(f"{k} {v}" for k, v in sorted(totals.pairs.items())) or "none"
    return msg.RUN_DONE.format(
        records=totals.records,
        inserted=totals.inserted,
        duplicates=totals.duplicates,
        dead=totals.dead_letters,
        groups=totals.groups_paired,
        pairs=pairs,
    ) + _forgotten_note(totals)


def _forgotten_note(totals: Any) -> str:
    """Where the records of erased users went (they are neither new, repeats nor dead letters)."""
    return msg.FORGOTTEN_DROPPED.format(forgotten=totals.forgotten) if totals.forgotten else ""


@click.group()
def curator() -> None:
    """Run the curator: consume capture events, store them, pair, scrub, tag and route."""


@curator.command()
@click.option(
    "--once", is_flag=True, help="Stop when the topic (or spool) is drained instead of running forever."
)
@click.option(
    "--poll-interval", default=1.0, show_default=True, help="Embedded mode: seconds between spool scans."
)
@click.option("--no-scrub", is_flag=True, hidden=True, help="Tests only: store pairs unscrubbed.")
@click.option(
    "--no-tag", is_flag=True, help="Do not tag prompt groups (harmful prompts are then not flagged)."
)
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Serve Prometheus metrics on this port (default: PREFLOOP_METRICS_PORT; unset = none; 0 = any free port).",
)
@click.option(
    "--metrics-addr", default="0.0.0.0", show_default=True, help="Address the metrics server binds."
)
@click.option(
    "--purge-interval",
    type=click.FloatRange(0),
    default=3600.0,
    show_default=True,
    help="Seconds between raw-text purges (PREFLOOP_RAW_RETENTION_DAYS), the first at start; 0 = never.",
)
@wait_option("the migrated database and the broker")
@click.pass_obj
def run(
    settings: Settings,
    once: bool,
    poll_interval: float,
    no_scrub: bool,
    no_tag: bool,
    metrics_port: int | None,
    metrics_addr: str,
    purge_interval: float,
    wait_s: float,
) -> None:
    """Consume events (Kafka when PREFLOOP_KAFKA_BOOTSTRAP is set, else the capture spool) until stopped.

    Also purges raw event text past its retention period, at start and every --purge-interval seconds, and
    serves Prometheus metrics when a metrics port is set."""
    from prefloop.curator.cli.probes import require_kafka
    from prefloop.curator.health import ConsumerState
    from prefloop.curator.ingest.purge import PurgeSchedule
    from prefloop.curator.metrics import CuratorMetrics

    metrics = CuratorMetrics()
    health = ConsumerState(mode="spool" if settings.embedded else "kafka")
    server = None
    port = settings.metrics_port if metrics_port is None else metrics_port
    if port is not None:  # before the models load: /healthz answers (live, not ready) during start-up
        server = metrics.serve(port, metrics_addr, health=health)
        click.echo(msg.RUN_METRICS.format(addr=metrics_addr, port=server.port), err=True)
    try:
        if not settings.embedded:  # before the models load: a broker that is not there fails in a second
            wait_for_dependency(
                lambda: require_kafka(str(settings.kafka_bootstrap)),
                timeout=wait_s,
                what=f"Kafka at {settings.kafka_bootstrap}",
                retry_on=(UnreachableError,),
            )
        cur = wait_for_dependency(
            lambda: build_curator(settings, scrub=not no_scrub, tag=not no_tag),
            timeout=wait_s,
            what="the migrated database",
            retry_on=(StoreError,),
        )
        if not settings.embedded and wait_s > 0:
            from kafka.errors import KafkaError

            from prefloop.curator.ingest.kafka import KAFKA_PARTITIONS, ensure_topics

            wait_for_dependency(
                lambda: ensure_topics(
                    str(settings.kafka_bootstrap),
                    {settings.kafka_topic: KAFKA_PARTITIONS, settings.kafka_dlq_topic: 1},
                    options=settings.kafka_options,
                ),
                timeout=wait_s,
                what=f"Kafka at {settings.kafka_bootstrap}",
                retry_on=(KafkaError,),
            )
    except BaseException:
        if server is not None:
            server.close()
        raise
    purger = None
    if purge_interval > 0:
        purger = PurgeSchedule(
            cur.store, settings.raw_retention_days, interval_s=purge_interval, metrics=metrics
        )
        click.echo(msg.RUN_PURGE.format(days=settings.raw_retention_days, interval=purge_interval), err=True)
        purger.start()
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        totals = _consume(
            settings, cur, once=once, poll_interval=poll_interval, metrics=metrics, health=health
        )
    finally:
        for sig, handler in handlers.items():  # a caller that goes on (tests, an embedding) gets its own back
            signal.signal(sig, handler)
        if purger is not None:
            purger.stop()
        if server is not None:
            server.close()
    click.echo(_summary(totals), err=True)
    cur.store.dispose()


def _consume(
    settings: Settings, cur: Any, *, once: bool, poll_interval: float, metrics: Any, health: Any
) -> Any:
    stopping = {"flag": False}
    if settings.embedded:
        from prefloop.curator.ingest import IngestTotals, SpoolSource

        click.echo(msg.RUN_EMBEDDED.format(spool=settings.spool_dir), err=True)
        source = SpoolSource(cur, settings.spool_dir, metrics=metrics)
        totals = IngestTotals()

        def _stop(*_: Any) -> None:
            stopping["flag"] = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        totals.add_pairing(cur.pair_dirty())
        while not stopping["flag"]:
            done = source.run_once()
            health.polled()
            for name in (
                "records",
                "inserted",
                "duplicates",
                "dead_letters",
                "forgotten",
                "batches",
                "groups_paired",
            ):
                setattr(totals, name, getattr(totals, name) + getattr(done, name))
            for k, v in done.pairs.items():
                totals.pairs[k] = totals.pairs.get(k, 0) + v
            if once and done.records == 0:
                break
            if done.records == 0:
                time.sleep(poll_interval)
    else:
        from prefloop.curator.ingest.kafka import KafkaSource

        click.echo(
            msg.RUN_KAFKA.format(
                topic=settings.kafka_topic, bootstrap=settings.kafka_bootstrap, group=settings.kafka_group
            ),
            err=True,
        )
        ksource = KafkaSource(
            cur,
            bootstrap=str(settings.kafka_bootstrap),
            topic=settings.kafka_topic,
            dlq_topic=settings.kafka_dlq_topic,
            group=settings.kafka_group,
            metrics=metrics,
            options=settings.kafka_options,
            health=health,
        )
        signal.signal(signal.SIGTERM, lambda *_: ksource.stop())
        signal.signal(signal.SIGINT, lambda *_: ksource.stop())
        totals = ksource.run(once=once)
    return totals


@click.command()
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSONL of v1 events.",
)
@click.option("--no-tag", is_flag=True, help="Do not tag prompt groups.")
@click.option(
    "--strict",
    is_flag=True,
    help="Check every line first; if any is not a valid event, store nothing and exit 1 (lines listed).",
)
@click.option(
    "--from-start",
    is_flag=True,
    help="Read the file from its first line even if an earlier ingest read it (stored events count as repeats).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the totals as one JSON object on stdout.")
@click.pass_obj
def ingest(
    settings: Settings, path: Path, no_tag: bool, strict: bool, from_start: bool, as_json: bool
) -> None:
    """Load a file of v1 events (one JSON object per line) through the curator's ingest path.

    A file ingested before is read from where that run stopped, so lines appended since are loaded; a file
    already read to its end loads nothing and says so. Invalid lines are kept as dead letters with their
    reason; exit 1 when the file holds no events or none of its lines is valid (with --strict: when any line
    is invalid, and then nothing is stored), also when nothing new was read."""
    from dataclasses import asdict

    from prefloop.curator.ingest import FileSource
    from prefloop.curator.ingest.check import check_file, has_lines

    if not path.is_file():
        raise click.ClickException(msg.NO_FILE.format(path=path))
    if not has_lines(path):
        raise click.ClickException(cli_msg.INGEST_EMPTY.format(path=path))
    if strict and (checked := check_file(path)).invalid:
        for line, reason in checked.invalid[:_SHOWN_INVALID]:
            click.echo(msg.INVALID_LINE.format(path=path, line=line, reason=reason), err=True)
        raise click.ClickException(
            cli_msg.INGEST_STRICT.format(path=path, dead=len(checked.invalid), records=checked.lines)
        )
    cur = build_curator(settings, tag=not no_tag)
    try:
        totals = FileSource(cur, path, from_start=from_start).run()
    finally:
        cur.store.dispose()
    lines = totals.records
    if totals.bytes_read == 0:  # read to its end before: the file's own verdict, as its first ingest gave it
        checked = check_file(path)
        lines, all_invalid = checked.lines, len(checked.invalid) == checked.lines
    else:
        all_invalid = totals.records > 0 and totals.dead_letters == totals.records
    if as_json:
        echo_json({"path": str(path), "ok": not all_invalid} | asdict(totals))
    elif totals.bytes_read == 0:
        click.echo(msg.INGEST_NOTHING_NEW.format(path=path, size=totals.start_byte), err=True)
    else:
        pairs = ", ".join(f"{k} {v}" for k, v in sorted(totals.pairs.items())) or "none"
        click.echo(
            msg.INGEST_DONE.format(
                path=path,
                records=totals.records,
                inserted=totals.inserted,
                duplicates=totals.duplicates,
                dead=totals.dead_letters,
                pairs=pairs,
            )
            + _forgotten_note(totals),
            err=True,
        )
    if all_invalid:
        raise click.ClickException(cli_msg.INGEST_ALL_INVALID.format(path=path, records=lines))


@click.command()
@click.option("--days", type=click.IntRange(0), default=None, help="Default: PREFLOOP_RAW_RETENTION_DAYS.")
@click.option("--dry-run", is_flag=True, help="Only count what would be purged.")
@click.pass_obj
def purge(settings: Settings, days: int | None, dry_run: bool) -> None:
    """Blank raw event text older than the retention period (pairs keep their scrubbed text)."""
    from prefloop.curator.ingest.purge import count_purgeable
    from prefloop.curator.ingest.purge import purge as do_purge
    from prefloop.curator.store.models import utcnow

    days = settings.raw_retention_days if days is None else days
    cutoff = utcnow() - timedelta(days=days)
    store = _store(settings)
    if dry_run:
        n = count_purgeable(store, cutoff)
        click.echo(msg.PURGE_DRY_RUN.format(events=n, days=days, cutoff=cutoff.isoformat()))
    else:
        click.echo(do_purge(store, cutoff).summary(days, cutoff))
    store.dispose()
