"""One outbox pass spends as few statements as it can (issue 17): the posts its messages refer to are read once, the
messages Slack took are marked ``sent`` together, and a call that fails changes nothing for the others. The real
outbox against the local Slack emulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select

from prefloop.curator.store import Store
from prefloop.curator.store.models import OutboxMessage, ReviewPost
from prefloop.slackbot.emulator import SlackEmulator
from prefloop.slackbot.outbox import Outbox
from prefloop.slackbot.simulate import make_review_pairs
from tests.unit.test_slack_outbox import Clock, _worker


@pytest.fixture()
def emulator() -> Iterator[SlackEmulator]:
    emu = SlackEmulator().start()
    yield emu
    emu.stop()


class _Statements:
    """The SQL statements the store's engine runs while the outbox makes one pass (an executemany counts once)."""

    def __init__(self, store: Store, outbox: Outbox) -> None:
        self.seen: list[str] = []
        event.listen(store.engine, "before_cursor_execute", self._one)
        try:
            self.stats = outbox.drain_once()
        finally:
            event.remove(store.engine, "before_cursor_execute", self._one)

    def _one(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.seen.append(" ".join(statement.split()).lower())

    def count(self, start: str, contains: str = "") -> int:
        return sum(1 for s in self.seen if s.startswith(start) and contains in s)


def _statuses(store: Store) -> dict[int, tuple[str, str | None]]:
    with store.session() as s:
        rows = s.execute(select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.result)).all()
    return {r.id: (r.status, (r.result or {}).get("ts")) for r in rows}


def test_a_pass_marks_exactly_what_slack_took_in_one_statement(store: Store, emulator: SlackEmulator) -> None:
    clock = Clock()
    service, outbox = _worker(store, emulator, clock)
    make_review_pairs(store, 5)
    service.enqueue_pending()
    emulator.fail("chat.postMessage", status=500, times=1)  # the first post fails and is retried later
    statements = _Statements(store, outbox)
    stats = statements.stats
    assert stats.sent == 4 and stats.retried == 1
    sent_marks = statements.count("update slack_outbox", "set status")
    assert sent_marks == 1, statements.seen  # four messages, one statement
    assert statements.count("update review_posts") == 1  # where Slack put the four posts, one statement
    statuses = _statuses(store)
    first = min(statuses)
    assert statuses[first] == ("pending", None)  # the failed call: still due, nothing recorded
    took = {c.response["ts"] for c in emulator.calls_to("chat.postMessage")}
    assert {ts for i, (st, ts) in statuses.items() if i != first and st == "sent"} == took and len(took) == 4
    with store.session() as s:
        posts = {p.pair_id: p for p in s.scalars(select(ReviewPost))}
    assert sum(p.state == "posted" and p.ts in took for p in posts.values()) == 4
    assert sum(p.state == "queued" and p.ts is None for p in posts.values()) == 1


def test_replies_find_their_posts_in_one_read_per_pass(store: Store, emulator: SlackEmulator) -> None:
    clock = Clock()
    service, outbox = _worker(store, emulator, clock)
    ids = make_review_pairs(store, 3)
    service.enqueue_pending()
    with service.write() as s:  # a reply to each post, queued after the posts: the same pass sends them
        for pid in ids:
            service.queue_call(
                s, "chat.postMessage", {"channel": "#review", "text": "note"}, pid, thread_of=pid
            )
    statements = _Statements(store, outbox)
    stats = statements.stats
    assert stats.sent == 6 and stats.deferred == 0
    assert statements.count("select", "from review_posts") == 1, statements.seen
    posts = {
        c.response["ts"]: c.args for c in emulator.calls_to("chat.postMessage") if "thread_ts" not in c.args
    }
    replies = [c.args for c in emulator.calls_to("chat.postMessage") if "thread_ts" in c.args]
    assert len(posts) == 3 and sorted(r["thread_ts"] for r in replies) == sorted(posts)


def test_what_slack_took_is_marked_even_when_the_pass_breaks_off(
    store: Store, emulator: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass that breaks off half-way (here: the third call fails and the store refuses its reschedule) still
    marks the messages Slack took before: they are not sent a second time."""
    clock = Clock()
    service, outbox = _worker(store, emulator, clock)
    make_review_pairs(store, 4)
    service.enqueue_pending()
    calls = {"n": 0}
    real = outbox.client.api_call

    def third_call_fails(method: str, *, json: dict[str, Any] | None = None) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            emulator.fail("chat.postMessage", status=500, times=1)
        return real(method, json=json)

    def store_down(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the store refused the reschedule")

    monkeypatch.setattr(outbox.client, "api_call", third_call_fails)
    monkeypatch.setattr(outbox, "_reschedule", store_down)
    with pytest.raises(RuntimeError):
        outbox.drain_once()
    took = [c.response["ts"] for c in emulator.calls_to("chat.postMessage")]
    statuses = sorted(_statuses(store).items())
    assert len(took) == 2 and [ts for _, (st, ts) in statuses if st == "sent"] == took
    assert [st for _, (st, _) in statuses] == ["sent", "sent", "pending", "pending"]


def test_a_long_pass_marks_as_it_goes(store: Store, emulator: SlackEmulator) -> None:
    """Within a pass longer than ``mark_every`` the messages sent so far are marked before the next call, so a
    pass never outlives the lease of messages it has sent (another worker would send them again)."""
    clock = Clock()
    service, outbox = _worker(store, emulator, clock)
    outbox.mark_every = 0.0
    make_review_pairs(store, 3)
    service.enqueue_pending()
    seen_sent: list[int] = []
    real = outbox.client.api_call

    def watching(method: str, *, json: dict[str, Any] | None = None) -> Any:
        seen_sent.append(sum(st == "sent" for st, _ in _statuses(store).values()))
        return real(method, json=json)

    outbox.client.api_call = watching  # type: ignore[method-assign]
    assert outbox.drain_once().sent == 3
    assert seen_sent == [0, 1, 2]


def test_the_worker_gathers_a_burst_of_clicks_into_one_pass(store: Store, emulator: SlackEmulator) -> None:
    """Woken by a click, the worker waits ``gather_seconds`` before its pass, so the calls of the clicks that
    follow within that time go out in the same pass (one claim, one read, one mark) instead of one pass each."""
    service, outbox = _worker(store, emulator, Clock())
    outbox.gather_seconds, outbox.poll_seconds = 3.0, 30.0
    passes: list[int] = []
    idle = threading.Event()  # the worker's first pass, on start, is over: it waits for a wake-up
    real = outbox.drain_once

    def counted() -> Any:
        stats = real()
        if stats.sent:
            passes.append(stats.sent)
        idle.set()
        return stats

    outbox.drain_once = counted  # type: ignore[method-assign]
    outbox.start()
    try:
        assert idle.wait(15)
        for user in ("U1", "U2", "U3"):  # three clicks, each queueing its ephemeral and waking the worker
            with service.write() as s:
                service.ephemeral(s, "#review", user, f"vote of {user} recorded")
            service.on_outbox()
            time.sleep(0.1)
        deadline = time.monotonic() + 15
        while sum(passes) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        outbox.stop()
    assert passes == [3]
    assert sorted(c.args["user"] for c in emulator.calls_to("chat.postEphemeral")) == ["U1", "U2", "U3"]
