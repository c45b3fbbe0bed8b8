"""The demo, stage by stage: fresh workdir -> replayed traffic through the chat app -> curator -> review in the
emulated Slack -> release -> summary.

The app and the review bot come in through :class:`Adapters` (``prefloop demo`` wires the example Flask app
and the slackbot package; the curator package imports neither).
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from prefloop.curator.demo import messages as msg
from prefloop.curator.demo.browser import BrowserSession
from prefloop.curator.demo.errors import DemoError
from prefloop.curator.demo.leaks import find_leaks
from prefloop.curator.demo.model import TraceModel
from prefloop.curator.demo.review import ReviewDesk, Truth, run_review
from prefloop.curator.demo.summary import DemoSummary, count_events, count_pairs, render_text
from prefloop.curator.demo.trace import load_trace
from prefloop.curator.demo.users import UserStats, plan_sessions, replay_session
from prefloop.curator.settings import Settings
from prefloop.curator.store import Store

__all__ = ["DEMO_DATABASE", "MARKER", "Adapters", "AppSetup", "DemoOptions", "RunningApp", "run_demo"]

MARKER = ".prefloop-demo"
#: gates a small demo month may fail for want of volume; the demo overrides only these, and says so
SMALL_MONTH_GATES = frozenset({"label_balance", "coverage"})
DEMO_DATABASE = "prefloop_demo"


@dataclass(frozen=True)
class DemoOptions:
    workdir: Path = Path("var/demo")
    conversations: int = 300
    seed: int = 0
    #: every event is stamped as if it happened in this month (see curator.demo.clock)
    month: str = "2026-10"
    kafka: bool = False
    flip: float = 0.1
    workers: int = 4


@dataclass(frozen=True)
class AppSetup:
    """What the app adapter needs: Flask config (``PREFLOOP_CAPTURE_*``), the model, the replay clock start."""

    config: dict[str, Any]
    responder: Callable[[list[dict[str, str]], int, str], str]
    clock_start: datetime


class RunningApp(Protocol):
    url: str

    def flush(self, timeout: float) -> bool: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class Adapters:
    start_app: Callable[[AppSetup], RunningApp]
    open_review: Callable[..., ReviewDesk]  # (settings, store, *, seed) -> ReviewDesk


def _fresh_workdir(path: Path) -> None:
    if path.exists():
        if any(path.iterdir()) and not (path / MARKER).exists():
            raise DemoError(msg.NOT_A_DEMO_DIR.format(path=path, marker=MARKER), value=str(path))
        shutil.rmtree(path)
    path.mkdir(parents=True)
    (path / MARKER).write_text("made by `prefloop demo`; emptied at the start of every demo run\n")


def _curator(settings: Settings, store: Store) -> Any:
    from prefloop.curator.pairing import load_policy
    from prefloop.curator.pipeline import Curator, load_tagger
    from prefloop.curator.scrub import Scrubber

    scrubber = Scrubber(model=settings.spacy_model)
    tagger = load_tagger(settings.tagger_model)
    return Curator(store, load_policy(settings.routing_policy), scrubber=scrubber, tagger=tagger)


def _replay(url: str, plans: Sequence[Any], workers: int, flip: float) -> UserStats:
    """Every plan over HTTP, ``workers`` at a time; a user keeps one browser (cookie) across sessions."""
    total = UserStats()
    browsers = {user: BrowserSession(url) for user in sorted({p.user for p in plans})}

    def one(plan: Any) -> UserStats:
        return replay_session(browsers[plan.user], plan, flip)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="demo-user") as pool:
        # first visit: each user's session cookie exists before two of their tabs can race to create it
        list(pool.map(lambda b: b.open_page(), browsers.values()))
        for stats in pool.map(one, plans):
            total.merge(stats)
    total.requests = sum(b.requests for b in browsers.values())
    return total


def _ingest(settings: Settings, cur: Any, topic: str | None, group: str | None) -> Any:
    if topic is None:
        from prefloop.curator.ingest import SpoolSource

        return SpoolSource(cur, settings.spool_dir).run_once()
    from prefloop.curator.ingest.kafka import KafkaSource

    source = KafkaSource(
        cur,
        bootstrap=str(settings.kafka_bootstrap),
        topic=topic,
        dlq_topic=f"{topic}.dlq",
        group=str(group),
        partitions=3,
        options=settings.kafka_options,
    )
    return source.run(once=True, join_timeout_s=30.0)


def _drop_topics(settings: Settings, topics: list[str], echo: Callable[[str], None]) -> None:
    """The run's topics are consumed: delete them so demo runs do not pile up topics on the broker."""
    from prefloop.curator.kafka_clients import new_admin
    from prefloop.curator.kafka_options import client_config

    try:
        admin = new_admin(
            **client_config(str(settings.kafka_bootstrap), settings.kafka_options, client_id="prefloop-demo")
        )
        try:
            admin.delete_topics(topics)
        finally:
            admin.close()
    except Exception as exc:  # best effort: the demo's result does not depend on it
        echo(msg.TOPICS_LEFT.format(topics=", ".join(topics), error=exc))


def _release(store: Store, settings: Settings, month: str, root: Path, echo: Callable[[str], None]) -> Any:
    from prefloop.curator.releases import BuildOptions, GateFailedError, build_release

    options = BuildOptions.from_settings(settings, month, root=root, progress=False)
    try:
        return build_release(store, options)
    except GateFailedError as exc:
        failed = list(exc.failed)
        if not set(failed) <= SMALL_MONTH_GATES:
            raise  # an empty or unscrubbed release is a real failure, never overridden
        echo(msg.RELEASE_RETRY.format(failed=", ".join(failed)))
        retry = BuildOptions.from_settings(
            settings, month, root=root, progress=False, overrides=tuple(failed)
        )
        return build_release(store, retry)


def run_demo(
    settings: Settings,
    options: DemoOptions,
    adapters: Adapters,
    echo: Callable[[str], None] = print,
) -> DemoSummary:
    """Run every stage; print progress with ``echo``; return (and write) the summary."""
    from prefloop.curator.releases.months import month_bounds

    started = time.monotonic()
    stage_started = started
    seconds: dict[str, float] = {}
    total = len(msg.STAGES)

    def stage(n: int) -> None:
        nonlocal stage_started
        now = time.monotonic()
        if n > 1:
            seconds[msg.STAGES[n - 2]] = round(now - stage_started, 2)
        stage_started = now
        echo(msg.STAGE.format(n=n, total=total, title=msg.STAGES[n - 1], what=msg.STAGE_WHAT[n - 1]))

    workdir = options.workdir.resolve()
    summary = DemoSummary(
        mode="kafka" if options.kafka else "embedded",
        month=options.month,
        workdir=str(workdir),
        seed=options.seed,
        conversations=options.conversations,
    )

    # 1. prepare -------------------------------------------------------------------------------------------
    stage(1)
    _fresh_workdir(workdir)
    topic = group = None
    update: dict[str, Any] = {"spool_dir": workdir / "spool", "release_dir": workdir / "releases"}
    if options.kafka:
        run_id = uuid.uuid4().hex[:8]
        topic, group = f"prefloop.demo.{run_id}", f"prefloop-demo-{run_id}"
        update.update(kafka_topic=topic, kafka_dlq_topic=f"{topic}.dlq", kafka_group=group)
    else:
        update.update(database_url=f"sqlite:///{workdir / 'prefloop.db'}", kafka_bootstrap=None)
    settings = settings.replace(**update)
    store = Store(settings.database_url)
    store.upgrade()
    echo(msg.PREPARE.format(workdir=workdir, db=store.engine.url.render_as_string(), month=options.month))
    if topic:
        from prefloop.curator.ingest.kafka import ensure_topics

        ensure_topics(
            str(settings.kafka_bootstrap),
            {topic: 3, settings.kafka_dlq_topic: 1},
            options=settings.kafka_options,
        )
        echo(msg.PREPARE_KAFKA.format(bootstrap=settings.kafka_bootstrap, topic=topic, group=group))

    # 2. trace and curator ------------------------------------------------------------------------------
    stage(2)
    trace = load_trace(options.conversations, seed=options.seed)
    plans = plan_sessions(trace, seed=options.seed)
    injected = [v for conv in trace for v in conv.pii]
    summary.pii = {"injected_prompts": sum(1 for c in trace if c.pii), "injected_values": len(injected)}
    echo(msg.LOADED.format(n=len(trace), pii=summary.pii["injected_prompts"], sessions=len(plans)))
    t0 = time.monotonic()
    cur = _curator(settings, store)
    echo(
        msg.CURATOR_READY.format(
            model=settings.spacy_model, scrubber=cur.scrubber.VERSION, seconds=time.monotonic() - t0
        )
    )

    # 3. traffic ---------------------------------------------------------------------------------------------
    stage(3)
    config: dict[str, Any] = {
        "SECRET_KEY": f"prefloop-demo-{options.seed}",
        "PREFLOOP_CAPTURE_APP_ID": "prefloop-demo-assistant",
        "PREFLOOP_CAPTURE_SPOOL_DIR": str(settings.spool_dir),
    }
    if topic:
        config.update(
            PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP=settings.kafka_bootstrap,
            PREFLOOP_CAPTURE_KAFKA_TOPIC=topic,
            # the same security settings: capture's producer takes the same kafka-python keys
            PREFLOOP_CAPTURE_KAFKA_OPTIONS=dict(settings.kafka_options),
        )
    model = TraceModel(trace, seed=options.seed)
    app = adapters.start_app(AppSetup(config, model, month_bounds(options.month)[0]))
    try:
        echo(msg.APP_UP.format(url=app.url, mode=f"-> Kafka topic {topic}" if topic else "-> local spool"))
        t0 = time.monotonic()
        traffic = _replay(app.url, plans, options.workers, options.flip)
        if not app.flush(60.0):
            raise DemoError(
                msg.FLUSH_FAILED.format(where="to Kafka" if topic else "on disk", timeout=60), value=app.url
            )
    finally:
        app.stop()
    summary.sessions, summary.http_requests = traffic.sessions, traffic.requests
    summary.users = len({p.user for p in plans})
    summary.clicks = dict(sorted(traffic.actions.items()))
    clicks = ", ".join(f"{k} {v}" for k, v in summary.clicks.items())
    echo(
        msg.TRAFFIC_DONE.format(
            sessions=traffic.sessions,
            users=summary.users,
            requests=traffic.requests,
            seconds=time.monotonic() - t0,
            clicks=clicks,
        )
    )

    # 4. curator ---------------------------------------------------------------------------------------------
    stage(4)
    try:
        totals = _ingest(settings, cur, topic, group)
    finally:
        if topic:
            _drop_topics(settings, [topic, settings.kafka_dlq_topic], echo)
    totals.add_pairing(cur.pair_dirty())
    pairs_by = ", ".join(f"{k} {v}" for k, v in sorted(totals.pairs.items())) or "none"
    echo(
        msg.INGESTED.format(
            records=totals.records,
            inserted=totals.inserted,
            dead=totals.dead_letters,
            groups=totals.groups_paired,
            pairs=pairs_by,
        )
    )

    # 5. review ----------------------------------------------------------------------------------------------
    stage(5)
    desk = adapters.open_review(settings, store, seed=options.seed)
    try:
        truth = Truth([c.better for c in trace], [c.worse for c in trace])
        review = run_review(store, desk, truth, seed=options.seed, log=echo)
        echo(
            msg.REVIEW_DONE.format(
                outcomes=dict(review.outcomes), unresolved=review.unresolved, statuses=dict(review.statuses)
            )
        )
        summary.review = {
            "posted": review.posted,
            "votes": review.votes,
            "rounds": review.rounds,
            "outcomes": dict(sorted(review.outcomes.items())),
            "unresolved": review.unresolved,
            "http_statuses": {str(k): v for k, v in sorted(review.statuses.items())},
        }
        summary.agreement = desk.agreement()
        slack_payloads = desk.slack_payloads()
    finally:
        desk.stop()

    # 6. release ---------------------------------------------------------------------------------------------
    stage(6)
    built = _release(store, settings, options.month, settings.release_dir, echo)
    counts = built.manifest.counts
    summary.release = {
        "name": built.name,
        "path": str(built.path),
        "pairs": counts.get("pairs", 0),
        "train": counts.get("train", 0),
        "test": counts.get("test", 0),
        "card": str(built.path / "README.md"),
        "coverage_plot": str(built.path / "coverage.png"),
        "overrides": list(built.manifest.overrides),
        "warnings": list(built.report.get("warnings", [])),
    }
    echo(msg.RELEASE_DONE.format(name=built.name, pairs=summary.release["pairs"], path=built.path))

    # 7. summary ---------------------------------------------------------------------------------------------
    stage(7)
    from prefloop.curator.coverage import compute_coverage

    summary.events, summary.dead_letters = count_events(store)
    summary.pairs, summary.pii["entities_replaced"] = count_pairs(store)
    coverage = compute_coverage(store, options.month)
    summary.coverage = {
        "accepted": coverage.accepted,
        "backlog": coverage.backlog,
        "ok": coverage.ok,
        "failing": [f"{c.axis}:{c.name} ({c.status})" for c in coverage.failing],
        "categories": {f"{c.axis}:{c.name}": c.count for c in coverage.categories},
    }
    leaks = find_leaks(injected, slack_payloads, built.path)
    summary.leaks = {
        "clean": leaks.clean,
        "checked_values": leaks.checked_values,
        "slack_calls": leaks.slack_calls,
        "release_files": leaks.release_files,
        "found": [list(x) for x in leaks.found],
    }
    store.dispose()
    seconds[msg.STAGES[-1]] = round(time.monotonic() - stage_started, 2)
    summary.stage_seconds = seconds
    summary.wall_seconds = round(time.monotonic() - started, 2)
    summary.write(workdir / "summary.json")
    echo(render_text(summary))
    return summary
