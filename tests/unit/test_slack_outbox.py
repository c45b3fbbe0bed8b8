"""The outbox worker against the local Slack emulator: rate limits, outages, ordering, exactly-once."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from prefloop.curator.store import Store
from prefloop.curator.store.models import OutboxMessage, ReviewPost
from prefloop.curator.store.models.base import utcnow
from prefloop.slackbot.emulator import SlackEmulator
from prefloop.slackbot.outbox import Outbox
from prefloop.slackbot.quorum import QuorumPolicy
from prefloop.slackbot.rubric import load_rubric
from prefloop.slackbot.service import ReviewService
from prefloop.slackbot.simulate import make_review_pairs


class Clock:
    def __init__(self) -> None:
        self.now = utcnow() + timedelta(seconds=5)  # messages queued during the test are due

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture()
def emulator() -> Iterator[SlackEmulator]:
    emu = SlackEmulator().start()
    yield emu
    emu.stop()


def _worker(store: Store, emulator: SlackEmulator, clock: Clock) -> tuple[ReviewService, Outbox]:
    service = ReviewService(store, load_rubric(), QuorumPolicy(), "#review", rng=random.Random(1))
    client = WebClient(token="xoxb-test", base_url=emulator.url, timeout=5)
    client.retry_handlers = []  # the outbox owns retries
    return service, Outbox(service, client, clock=clock)


def test_429_then_200_posts_every_pair_exactly_once(store: Store, emulator: SlackEmulator) -> None:
    clock = Clock()
    service, outbox = _worker(store, emulator, clock)
    ids = make_review_pairs(store, 4)
    service.enqueue_pending()
    emulator.fail("chat.postMessage", status=429, times=1, retry_after=30)
    first = outbox.drain_once()
    assert first.sent == 0 and first.retried == 1 and first.deferred == 3  # the method is paused for all
    assert outbox.drain_once().sent == 0  # still inside Retry-After
    clock.now += timedelta(seconds=31)
    assert outbox.drain_once().sent == 4
    posted = emulator.calls_to("chat.postMessage")
    assert sorted(c.response["ts"] for c in posted) == sorted({c.response["ts"] for c in posted})
    assert len(posted) == 4 and len(emulator.calls_to("chat.postMessage", ok_only=False)) == 5
    with store.session() as s:
        posts = list(s.scalars(select(ReviewPost)))
        assert sorted(p.pair_id for p in posts) == ids and all(p.state == "posted" and p.ts for p in posts)
        row = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
        assert row is not None and row.attempts == 2 and row.status == "sent"


def test_server_errors_back_off_and_nothing_is_lost(store: Store, emulator: SlackEmulator) -> None:
    clock = Clock()
    service, outbox = _worker(store, emulator, clock)
    make_review_pairs(store, 2)
    service.enqueue_pending()
    emulator.fail("*", status=500, times=3)
    for _ in range(10):
        outbox.drain_once()
        clock.now += timedelta(seconds=400)
    assert len(emulator.calls_to("chat.postMessage")) == 2
    assert outbox.pending() == 0


def test_slack_down_keeps_messages_pending(store: Store) -> None:
    clock = Clock()
    service = ReviewService(store, load_rubric(), QuorumPolicy(), "#review")
    client = WebClient(token="xoxb-test", base_url="http://127.0.0.1:9/api/", timeout=2)
    client.retry_handlers = []
    outbox = Outbox(service, client, clock=clock)
    make_review_pairs(store, 1)
    service.enqueue_pending()
    stats = outbox.drain_once()
    assert stats.retried == 1 and outbox.pending() == 1
    with store.session() as s:
        row = s.scalars(select(OutboxMessage)).one()
        assert row.last_error and row.next_attempt_at > clock.now


def test_thread_replies_wait_for_their_post_and_final_errors_fail(
    store: Store, emulator: SlackEmulator
) -> None:
    clock = Clock()
    service, outbox = _worker(store, emulator, clock)
    (pid,) = make_review_pairs(store, 1)
    with service.write() as s:  # a reply queued before its pair was even posted
        service.queue_call(s, "chat.postMessage", {"channel": "#review", "text": "early"}, pid, thread_of=pid)
        service.queue_call(
            s, "chat.postEphemeral", {"channel": "#review", "text": "x"}, None
        )  # no user: refused
    service.enqueue_pending()
    stats = outbox.drain_once()
    assert stats.deferred == 1 and stats.failed == 1 and stats.sent == 1
    clock.now += timedelta(seconds=2)
    assert outbox.drain_once().sent == 1
    post, reply = emulator.calls_to("chat.postMessage")
    assert (
        reply.args["thread_ts"] == post.response["ts"] and reply.args["channel"] == post.response["channel"]
    )
    with store.session() as s:
        failed = s.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed")).one()
        assert "user_not_in_channel" in (failed.last_error or "")


def test_a_failing_drain_is_one_log_line_without_a_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """The worker's loop survives a database it cannot reach, and says so in one line per attempt: the error's
    class and message, never a traceback."""
    store = Store("postgresql+psycopg://prefloop:prefloop@127.0.0.1:9/prefloop")  # nothing listens on port 9
    service = ReviewService(store, load_rubric(), QuorumPolicy(), "#review")
    client = WebClient(token="xoxb-test", base_url="http://127.0.0.1:9/api/", timeout=2)
    outbox = Outbox(service, client, poll_seconds=0.05)
    with caplog.at_level(logging.ERROR, logger="prefloop.slackbot.outbox"):
        outbox.start()
        deadline = time.monotonic() + 10
        while len(_drain_failures(caplog)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        outbox.stop()
    store.dispose()
    failures = _drain_failures(caplog)
    assert len(failures) >= 2  # it kept trying
    for record in failures:
        text = record.getMessage()
        assert record.exc_info is None and record.exc_text is None, "a traceback in the log"
        assert "\n" not in text
        assert "OperationalError" in text and "127.0.0.1" in text


def _drain_failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "outbox drain failed" in r.getMessage()]
