"""`prefloop demo [--kafka] [--workdir var/demo] [--conversations N] [--seed S]`: the whole loop, one command.

This module is the demo's composition root: it wires the example Flask app (``prefloop.capture.example``) and the real
review bot against the local Slack emulator (``slackbot``) into :func:`prefloop.curator.demo.run_demo`.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from prefloop.curator.demo import messages as msg
from prefloop.curator.demo.errors import DemoError
from prefloop.curator.demo.run import DEMO_DATABASE, Adapters, AppSetup, DemoOptions
from prefloop.curator.settings import Settings
from prefloop.curator.store import Store

__all__ = ["REVIEWERS", "EmulatedReviewDesk", "ExampleApp", "adapters", "demo"]

REVIEWERS = ("U0REVIEWER1", "U0REVIEWER2", "U0REVIEWER3", "U0REVIEWER4")
ADJUDICATORS = ("U0ADJUDICATOR",)
_QUIET = ("werkzeug", "kafka", "slack_bolt", "slack_sdk", "urllib3", "httpx", "alembic", "presidio-analyzer")


class ExampleApp:
    """The example assistant (Flask + capture) served on 127.0.0.1 on a free port, in a thread."""

    def __init__(self, setup: AppSetup) -> None:
        from werkzeug.serving import make_server

        from prefloop.capture.example import create_app
        from prefloop.curator.demo.clock import replay_clock

        self.app = create_app(setup.config, responder=setup.responder, clock=replay_clock(setup.clock_start))
        self.capture = self.app.extensions["example_capture"]
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, name="demo-app", daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def flush(self, timeout: float) -> bool:
        return bool(self.capture.flush(timeout, app=self.app))

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
        self.capture.shutdown(app=self.app)


class EmulatedReviewDesk:
    """The real bolt app over HTTP against the local Slack emulator; votes are signed requests."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        reviewers: Sequence[str] = REVIEWERS,
        adjudicators: Sequence[str] = ADJUDICATORS,
        seed: int | None = None,
    ) -> None:
        from prefloop.slackbot.simulate import start_emulated_bot

        self.store = store
        self.reviewers: Sequence[str] = list(reviewers)
        self.adjudicators: Sequence[str] = list(adjudicators)
        self.running = start_emulated_bot(
            settings,
            store,
            reviewers=self.reviewers,
            adjudicators=self.adjudicators,
            rng=None if seed is None else random.Random(seed),
        )
        self._clients: dict[str, Any] = {}

    @property
    def emulator(self) -> Any:
        return self.running.emulator

    def post_pending(self, timeout: float) -> list[Any]:
        from sqlalchemy import func, select

        from prefloop.curator.store.models import ReviewPost
        from prefloop.slackbot.simulate import posted_pairs

        queued = len(self.running.bot.service.enqueue_pending().queued)
        deadline = time.monotonic() + timeout
        while True:
            with self.store.session() as s:
                waiting = s.scalar(
                    select(func.count()).select_from(ReviewPost).where(ReviewPost.state == "queued")
                )
            posts = posted_pairs(self.emulator)
            if not waiting and len(posts) >= queued:
                return posts
            if time.monotonic() > deadline:
                raise DemoError(msg.POSTS_TIMEOUT.format(n=len(posts), expected=queued, timeout=timeout))
            time.sleep(0.05)

    def vote(self, reviewer: str, post: Any, choice: str, reason: str | None) -> int:
        from prefloop.slackbot.simulate import SignedClient, block_action

        client = self._clients.get(reviewer)
        if client is None:
            client = self._clients[reviewer] = SignedClient(self.running.url, self.running.signing_secret)
        status, _ = client.action(block_action(reviewer, post, choice, reason))
        return int(status)

    def slack_payloads(self) -> list[str]:
        return [json.dumps(c.args, ensure_ascii=False, default=str) for c in list(self.emulator.calls)]

    def agreement(self) -> dict[str, object]:
        from prefloop.slackbot.agreement import agreement_report

        overall = agreement_report(self.running.bot.service.rated_votes()).overall
        return {
            "percent": overall.percent,
            "alpha": overall.alpha,
            "pairs": overall.pairs,
            "votes": overall.votes,
        }

    def stop(self) -> None:
        for client in self._clients.values():
            client.close()
        self.running.stop()


def adapters() -> Adapters:
    """The real app and the real bot (against the emulator), as the demo and the full-stack test use them."""
    return Adapters(start_app=ExampleApp, open_review=EmulatedReviewDesk)


@click.command()
@click.option(
    "--kafka",
    is_flag=True,
    help="Use the real broker and PostgreSQL (deploy/local) instead of the spool and SQLite.",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("var/demo"),
    show_default=True,
    help="Emptied and rebuilt on every run.",
)
@click.option(
    "--conversations",
    "-n",
    type=click.IntRange(1, 600),
    default=300,
    show_default=True,
    help="hh-rlhf conversations to replay (each asked by 1-3 simulated users).",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seeds the trace, the users and the reviewers."
)
@click.option(
    "--month", default="2026-10", show_default=True, help="The month the replayed traffic is stamped with."
)
@click.pass_obj
def demo(settings: Settings, kafka: bool, workdir: Path, conversations: int, seed: int, month: str) -> None:
    """Run the whole loop on one machine: chat app -> capture -> curator -> Slack review -> release.

    Needs no Kafka, PostgreSQL or Slack (SQLite, the capture spool and a local Slack emulator); with --kafka,
    set PREFLOOP_KAFKA_BOOTSTRAP and PREFLOOP_DATABASE_URL (its own database prefloop_demo is re-created
    there). Prints each stage and a summary, also written to <workdir>/summary.json. See docs/demo.md.
    """
    from prefloop.curator.demo import run_demo

    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.ERROR if name == "kafka" else logging.WARNING)
    if kafka:
        from prefloop.curator.demo.database import fresh_database

        if not settings.kafka_bootstrap:
            raise click.ClickException(msg.NO_KAFKA)
        url = settings.database_url.get_secret_value()
        if not url.startswith("postgresql"):
            raise click.ClickException(msg.NO_POSTGRES.format(db=DEMO_DATABASE))
        settings = settings.replace(database_url=fresh_database(url, DEMO_DATABASE))
    options = DemoOptions(workdir=workdir, conversations=conversations, seed=seed, month=month, kafka=kafka)
    summary = run_demo(settings, options, adapters(), echo=lambda line: click.echo(line))
    if not summary.leaks.get("clean", False):
        raise click.ClickException("the leak check found injected personal data in Slack or the release")
