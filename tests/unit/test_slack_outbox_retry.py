"""The outbox never gives up silently (issue 16): an outage of hours strands nothing (capped backoff, no attempt
limit), a message it does give up on is logged, counted in the metrics, and `prefloop slackbot resend` sends it.
The real outbox against the local Slack Web API emulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from prefloop.curator.cli import main
from prefloop.curator.store import Store
from prefloop.curator.store.models import OutboxMessage
from prefloop.slackbot.emulator import SlackEmulator
from prefloop.slackbot.ops import render_metrics
from prefloop.slackbot.simulate import make_review_pairs
from tests.unit.test_slack_outbox import Clock, _worker


@pytest.fixture()
def emulator() -> Iterator[SlackEmulator]:
    emu = SlackEmulator().start()
    yield emu
    emu.stop()


def _rows(store: Store) -> list[OutboxMessage]:
    with store.session() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_six_hour_outage_strands_nothing(store: Store, emulator: SlackEmulator) -> None:
    clock = Clock()
    service, outbox = _worker(store, emulator, clock)
    make_review_pairs(store, 2)
    service.enqueue_pending()
    emulator.fail("*", status=503, times=10**6)
    delays = []
    start = clock.now
    while clock.now - start < timedelta(hours=6):
        outbox.drain_once()
        (row, _) = _rows(store)
        delays.append((row.next_attempt_at - clock.now).total_seconds())
        clock.now = max(clock.now + timedelta(seconds=30), min(r.next_attempt_at for r in _rows(store)))
    assert all(r.status == "pending" for r in _rows(store))
    assert _rows(store)[0].attempts > 25  # the old limit: about an hour of backoff
    assert max(delays) <= outbox.max_backoff  # capped
    emulator.recover()
    clock.now += timedelta(seconds=outbox.max_backoff)
    assert outbox.drain_once().sent == 2


def test_a_message_given_up_on_is_logged_counted_and_resent(
    store: Store, emulator: SlackEmulator, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    service, outbox = _worker(store, emulator, clock)
    (pid,) = make_review_pairs(store, 1)
    service.enqueue_pending()
    emulator.fail("*", status=503, times=10**6)
    clock.now += outbox.give_up_after + timedelta(seconds=1)  # Slack away for longer than the retry window
    with caplog.at_level(logging.ERROR, logger="prefloop.slackbot.outbox"):
        stats = outbox.drain_once()
    assert stats.failed == 1
    (row,) = _rows(store)
    assert row.status == "failed" and "503" in (row.last_error or "")
    assert f"gave up on message {row.id}" in caplog.text and "prefloop slackbot resend" in caplog.text
    assert b'prefloop_slack_outbox_messages{status="failed"} 1.0' in render_metrics(store)

    emulator.recover()
    monkeypatch.setenv("PREFLOOP_DATABASE_URL", store.url)
    monkeypatch.setenv("PREFLOOP_SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("PREFLOOP_SLACK_API_URL", emulator.url)
    monkeypatch.setenv("PREFLOOP_SLACK_CHANNEL", "#review")
    assert main(["slackbot", "resend"]) in (0, None)
    (row,) = _rows(store)
    assert row.status == "sent" and row.pair_id == pid
    assert b'prefloop_slack_outbox_messages{status="failed"} 0.0' in render_metrics(store)
    assert len(emulator.calls_to("chat.postMessage")) == 1
