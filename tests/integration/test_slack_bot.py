"""The real bolt app served over HTTP on 127.0.0.1, driven by signed requests exactly as Slack sends them,
talking to the local Slack Web API emulator. Runs on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import TimeoutError as PoolTimeout

from prefloop.curator.settings import Settings
from prefloop.curator.store import Store
from prefloop.curator.store.models import AuditEntry, Pair, ReviewPost, ThreadMessage, Vote
from prefloop.slackbot.app import click_slots
from prefloop.slackbot.simulate import (
    EmulatedBot,
    SignedClient,
    block_action,
    cast_votes,
    event_callback,
    slash_command,
    start_emulated_bot,
)
from tests.factories.slack import ephemerals, post_review_pairs, wait_for

pytestmark = pytest.mark.integration

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
REVIEWERS = ["U1", "U2", "U3"]


@pytest.fixture()
def bot(store_url: str) -> Iterator[EmulatedBot]:
    settings = Settings.load({}, database_url=store_url, slack_channel="#prefloop-review")
    store = Store(store_url)
    running = start_emulated_bot(
        settings, store, reviewers=REVIEWERS, adjudicators=["UADJ"], signing_secret=SECRET
    )
    yield running
    running.stop()
    store.dispose()


def _count(bot: EmulatedBot, model: type) -> int:
    with bot.bot.store.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _a_is(bot: EmulatedBot, pair_id: str) -> str:
    with bot.bot.store.session() as s:
        post = s.get(ReviewPost, pair_id)
        assert post is not None
        return post.a_is


def test_three_reviewers_vote_to_quorum(bot: EmulatedBot) -> None:
    (post,) = post_review_pairs(bot, 1)

    def choose(_reviewer: str, _post: object) -> tuple[str, str]:
        return ("a", "correctness")

    # the third reviewer votes once the first two made quorum (the outbox has sent the post's update)
    results = cast_votes(bot.url, SECRET, REVIEWERS[:2], [post], choose=choose)
    wait_for(lambda: bot.emulator.calls_to("chat.update"))
    results += cast_votes(bot.url, SECRET, REVIEWERS[2:], [post], choose=choose)
    assert [status for *_, status in results] == [200, 200, 200]
    with bot.bot.store.session() as s:
        pair = s.get(Pair, post.pair_id)
        assert pair is not None and pair.status == "accepted"
        review = pair.review or {}
        assert review["outcome"] == _a_is(bot, post.pair_id) and review["reasons"] == ["correctness"]
        assert review["swapped"] is (review["outcome"] == "rejected")
    update = bot.emulator.calls_to("chat.update")[0]
    assert update.args["ts"] == post.ts and update.args["channel"] == post.channel
    assert "Resolved" in update.args["text"] and not any(
        b["type"] == "actions" for b in update.args["blocks"]
    )
    wait_for(lambda: len(ephemerals(bot, "U3")) == 1)
    # blind review: a voter is told their own vote, never the tally
    assert all("A better: " not in t for t in ephemerals(bot, "U1"))
    assert "already resolved" in ephemerals(bot, "U3")[0]  # the third vote came after quorum


def test_a_split_escalates_to_adjudicators_who_decide(bot: EmulatedBot) -> None:
    (post,) = post_review_pairs(bot, 1)
    picks = iter(["a", "b", "tie"])
    cast_votes(bot.url, SECRET, REVIEWERS, [post], choose=lambda _u, _p: (next(picks), None))
    wait_for(lambda: bot.emulator.thread(post.channel, post.ts))
    (note,) = bot.emulator.thread(post.channel, post.ts)
    assert "<!subteam^S0PREFLOOPADJ>" in note["text"]
    client = SignedClient(bot.url, SECRET)
    assert client.action(block_action("UADJ", post, "both_bad", "safety"))[0] == 200
    wait_for(lambda: bot.emulator.calls_to("chat.update"))
    with bot.bot.store.session() as s:
        pair = s.get(Pair, post.pair_id)
        assert pair is not None and pair.status == "discarded"
        assert (pair.review or {})["decided_by"] == "adjudicator"
        assert s.scalar(select(Vote.role).where(Vote.reviewer == "UADJ")) == "adjudicator"


def test_a_non_reviewer_is_refused_ephemerally(bot: EmulatedBot) -> None:
    (post,) = post_review_pairs(bot, 1)
    status, _ = SignedClient(bot.url, SECRET).action(block_action("U_OUTSIDER", post, "a"))
    assert status == 200
    wait_for(lambda: ephemerals(bot, "U_OUTSIDER"))
    assert "only members of the reviewer group" in ephemerals(bot, "U_OUTSIDER")[0]
    with bot.bot.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Vote)) == 0
        assert (
            s.scalar(select(AuditEntry.action).where(AuditEntry.actor == "U_OUTSIDER"))
            == "vote_refused_not_reviewer"
        )


def test_forged_or_stale_signatures_get_401(bot: EmulatedBot) -> None:
    (post,) = post_review_pairs(bot, 1)
    client = SignedClient(bot.url, SECRET)
    payload = block_action("U1", post, "a")
    assert client.action(payload, signature="v0=" + "0" * 64)[0] == 401
    assert client.action(payload, timestamp=int(time.time()) - 6 * 60)[0] == 401
    forged = SignedClient(bot.url, "not-the-secret")
    assert forged.action(payload)[0] == 401
    with bot.bot.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Vote)) == 0
    assert client.action(payload)[0] == 200  # the same request, correctly signed and fresh


def test_a_retried_event_is_counted_once(bot: EmulatedBot) -> None:
    (post,) = post_review_pairs(bot, 1)
    event = {
        "type": "message",
        "channel": post.channel,
        "user": "U2",
        "text": "A invents a citation",
        "ts": f"{time.time():.6f}",
        "thread_ts": post.ts,
        "channel_type": "channel",
    }
    envelope = event_callback(event, event_id="Ev0RETRIED01")
    client = SignedClient(bot.url, SECRET)
    assert client.event(envelope)[0] == 200
    assert client.event(envelope, retry_num=1)[0] == 200
    assert client.event(envelope, retry_num=2)[0] == 200
    # events are acked before their listener runs (Slack wants the 200 fast): wait for the work to land
    wait_for(lambda: _count(bot, ThreadMessage) >= 1)
    time.sleep(0.5)  # the retries were acked too; give their listeners time to (wrongly) write
    with bot.bot.store.session() as s:
        rows = list(s.scalars(select(ThreadMessage)))
        assert [(r.pair_id, r.user_id, r.text) for r in rows] == [
            (post.pair_id, "U2", "A invents a citation")
        ]


def test_slack_429_then_200_still_posts_every_pair_once(bot: EmulatedBot) -> None:
    bot.emulator.fail("chat.postMessage", status=429, times=1, retry_after=1)
    posts = post_review_pairs(bot, 3)
    assert sorted(p.pair_id for p in posts) == sorted(set(p.pair_id for p in posts)) and len(posts) == 3
    attempts = bot.emulator.calls_to("chat.postMessage", ok_only=False)
    assert [c.status for c in attempts].count(429) == 1 and len(attempts) == 4
    with bot.bot.store.session() as s:
        assert {p.ts for p in s.scalars(select(ReviewPost))} == {p.ts for p in posts}


def test_slash_command_app_home_and_read_full(bot: EmulatedBot) -> None:
    (post,) = post_review_pairs(bot, 1)
    client = SignedClient(bot.url, SECRET)
    status, body = client.command(slash_command("U1", "queue"))
    assert status == 200 and "1 open" in json.loads(body)["text"]
    hook = bot.emulator.response_url("coverage")
    status, body = client.command(slash_command("U1", "coverage", channel="D0DIRECT", response_url=hook))
    assert status == 200 and "Computing" in json.loads(body)["text"]
    # answered through the command's response_url (works in a DM), not chat.postEphemeral
    wait_for(lambda: bot.emulator.calls_to("response_url"), timeout=60)
    answer = bot.emulator.calls_to("response_url")[0].args
    assert answer["_hook"] == "coverage" and answer["text"].strip() and answer["response_type"] == "ephemeral"
    assert not ephemerals(bot, "U1")
    status, body = client.command(slash_command("U1", "bogus"))
    assert "Usage" in json.loads(body)["text"]
    home = event_callback({"type": "app_home_opened", "user": "U2", "channel": "D0HOME", "tab": "home"})
    assert client.event(home)[0] == 200
    wait_for(lambda: bot.emulator.calls_to("views.publish"))
    published = bot.emulator.calls_to("views.publish")[0].args
    assert published["user_id"] == "U2" and post.pair_id in json.dumps(published["view"])
    payload = block_action("U1", post, "read_full", trigger_id="trig-1")
    assert client.action(payload)[0] == 200
    wait_for(lambda: bot.emulator.calls_to("views.open"))
    assert bot.emulator.calls_to("views.open")[0].args["trigger_id"] == "trig-1"


def _hold_the_only_connection(store: Store) -> Connection:
    deadline = time.monotonic() + 15
    while True:  # the outbox worker may hold it for a moment
        try:
            return store.engine.connect()
        except PoolTimeout:
            if time.monotonic() > deadline:
                raise


def test_a_vote_the_store_cannot_take_is_not_acknowledged(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack's 200 means the vote is stored. With no database connection to be had in time (the pool exhausted
    under load, or the database down), the click is answered 503 — Slack shows the reviewer it failed — with one
    line in the log and no traceback; the same click once the store is back is stored before its 200."""
    settings = Settings.load({}, database_url=postgres_url, slack_channel="#prefloop-review")
    store = Store(postgres_url, pool_size=1, max_overflow=0, pool_timeout=0.5)
    running = start_emulated_bot(
        settings, store, reviewers=REVIEWERS, adjudicators=["UADJ"], signing_secret=SECRET
    )
    try:
        (post,) = post_review_pairs(running, 1)
        running.bot.outbox.stop()  # the one connection is the listener's alone from here
        client = SignedClient(running.url, SECRET)
        held = _hold_the_only_connection(store)
        with caplog.at_level(logging.INFO):
            status, _ = client.action(block_action("U1", post, "a", "correctness"))
        held.close()
        assert status == 503
        assert _count(running, Vote) == 0
        answered = [
            r for r in caplog.records if r.name.startswith(("slack_bolt", "prefloop.slackbot.listeners"))
        ]
        assert any("could not be stored" in r.getMessage() for r in answered)
        assert not [r for r in answered if r.exc_info], "a traceback in the log"
        status, _ = client.action(block_action("U1", post, "a", "correctness"))
        assert status == 200
        assert _count(running, Vote) == 1  # stored before the 200, not after it
    finally:
        running.stop()
        store.dispose()


def test_a_click_that_finds_no_store_slot_in_time_is_answered_503_at_once(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Clicks that write to the store hold one of a bounded number of slots (fewer than the pool's connections).
    A click that finds none free within the ack budget is answered 503 then — within Slack's 3 seconds, not
    after the pool's 30-second timeout — with one log line and nothing stored; once a slot is free it is stored
    before its 200."""
    settings = Settings.load({}, database_url=postgres_url, slack_channel="#prefloop-review")
    store = Store(postgres_url, pool_size=1, max_overflow=2)  # 3 connections, 2 kept for the bot's others
    assert click_slots(store) == 1
    running = start_emulated_bot(
        settings, store, reviewers=REVIEWERS, adjudicators=["UADJ"], signing_secret=SECRET
    )
    try:
        (post,) = post_review_pairs(running, 1)
        running.bot.ack_budget = 0.5
        client = SignedClient(running.url, SECRET)
        with caplog.at_level(logging.INFO), running.bot.store_slot(None):  # another click holds the slot
            started = time.monotonic()
            status, _ = client.action(block_action("U1", post, "a", "correctness"))
            took = time.monotonic() - started
        assert status == 503 and 0.4 < took < 2.0
        assert _count(running, Vote) == 0
        answered = [r for r in caplog.records if r.name.startswith(("slack_bolt", "prefloop.slackbot"))]
        assert [r.getMessage() for r in answered if "could not be stored" in r.getMessage()] and all(
            "no store slot" in r.getMessage() for r in answered if "could not be stored" in r.getMessage()
        )
        assert not [r for r in answered if r.exc_info], "a traceback in the log"
        status, _ = client.action(block_action("U1", post, "b", "correctness"))
        assert status == 200 and _count(running, Vote) == 1
    finally:
        running.stop()
        store.dispose()
