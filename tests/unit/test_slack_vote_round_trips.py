"""How many statements a vote's transaction sends (each is a round trip to PostgreSQL, and under load each one is a
wait for the interpreter and a core): the vote that settles its pair writes each table once, at the commit."""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from prefloop.curator.store import Store
from prefloop.curator.store.models import AuditEntry, OutboxMessage, Pair, ReviewPost, Vote
from prefloop.slackbot.actions import ActionRef
from prefloop.slackbot.quorum import QuorumPolicy
from prefloop.slackbot.rubric import load_rubric
from prefloop.slackbot.service import ReviewService
from prefloop.slackbot.simulate import make_review_pairs

#: a new pair per hypothesis example (one store per test)
_SEEDS = itertools.count(1)
_VERB_TABLE = re.compile(r"^\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM)\s+(\w+)?", re.IGNORECASE)


def _service(store: Store) -> ReviewService:
    return ReviewService(store, load_rubric(), QuorumPolicy(), channel="#review", rng=random.Random(3))


def _posted(service: ReviewService, seed: int = 0) -> str:
    (pid,) = make_review_pairs(service.store, 1, seed=seed)
    service.enqueue_pending()
    with service.store.session() as s:
        service.record_posted(s, pid, "C0REVIEW", "1700000000.000001")
    return pid


@contextmanager
def _statements(store: Store) -> Iterator[list[str]]:
    sent: list[str] = []

    def one(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    event.listen(store.engine, "before_cursor_execute", one)
    try:
        yield sent
    finally:
        event.remove(store.engine, "before_cursor_execute", one)


def _writes(sent: list[str]) -> Counter[str]:
    out: Counter[str] = Counter()
    for statement in sent:
        m = _VERB_TABLE.match(statement)
        if m and m.group(1).upper() != "SELECT":
            out[f"{m.group(1).split()[0].upper()} {m.group(2)}"] += 1
    return out


def test_the_settling_vote_writes_each_table_once(store: Store) -> None:
    service = _service(store)
    pid = _posted(service)
    assert service.cast_vote(pid, "U1", "a", "correctness").status == "recorded"
    with _statements(store) as sent:
        result = service.cast_vote(pid, "U2", "a", "grounding")
    assert result.decision is not None and result.decision.state == "resolved"
    # nothing is written before the last read: the reads (the post's lock, the votes, the pair's lock with
    # the thread) no longer flush what came before them
    kinds = [_VERB_TABLE.match(q) for q in sent]
    verbs = [m.group(1).upper() if m else "" for m in kinds]
    last_read = max(i for i, v in enumerate(verbs) if v == "SELECT")
    assert all(v == "SELECT" for v in verbs[: last_read + 1]), sent
    if store.dialect == "postgresql":  # SQLite sends one INSERT per row (and has no round trips)
        # the vote, its audit entry and the resolution's, the ephemeral and the thread's and post's calls, the
        # pair and the post: one statement per table (the old path flushed before each read: two statements
        # of audit, outbox and pairs each)
        assert _writes(sent) == Counter(
            {
                "INSERT votes": 1,
                "INSERT audit_log": 1,
                "INSERT slack_outbox": 1,
                "UPDATE pairs": 1,
                "UPDATE review_posts": 1,
            }
        )
        # and three reads: the post's lock, the votes, the pair's lock with its thread
        assert len(sent) == 8, sent
    # and what was written is all there, in the order it was made
    with store.session() as s:
        pair = s.get(Pair, pid)
        assert pair is not None and pair.review is not None
        assert [v["reviewer"] for v in pair.review["votes"]] == ["U1", "U2"]
        assert [v["pressed"] for v in pair.review["release_votes"]] == ["a", "a"]
        assert s.get(ReviewPost, pid).state == "resolved"  # type: ignore[union-attr]
        actions = list(
            s.scalars(select(AuditEntry.action).where(AuditEntry.pair_id == pid).order_by(AuditEntry.id))
        )
        assert actions[-2:] == ["vote", "resolved"]
        calls = list(
            s.scalars(
                select(OutboxMessage.method)
                .where(OutboxMessage.pair_id == pid, OutboxMessage.dedupe_key.not_like("post:%"))
                .order_by(OutboxMessage.id)
            )
        )
        assert calls[-3:] == ["chat.postEphemeral", "chat.update", "chat.postMessage"]


def test_a_vote_that_does_not_settle_writes_each_table_once(store: Store) -> None:
    service = _service(store)
    pid = _posted(service)
    with _statements(store) as sent:
        assert service.cast_vote(pid, "U1", "b", None).status == "recorded"
    assert _writes(sent) == Counter({"INSERT votes": 1, "INSERT audit_log": 1, "INSERT slack_outbox": 1})
    assert len(sent) == 5, sent  # the post's lock, the votes, three inserts


def _click(user: str, pid: str, ts: str) -> ActionRef:
    return ActionRef(user=user, container=f"C0REVIEW:{pid}", action_id="vote_a", action_ts=ts)


def test_a_click_is_marked_and_the_votes_read_in_one_statement(store: Store) -> None:
    service = _service(store)
    pid = _posted(service)
    with _statements(store) as sent:
        assert (
            service.cast_vote(pid, "U1", "b", None, action=_click("U1", pid, "1.000001")).status == "recorded"
        )
    reads = [q for q in sent if q.lstrip().upper().startswith(("SELECT", "WITH"))]
    if store.dialect == "postgresql":
        # the post's lock, then the click's key with the votes; then the three inserts
        assert len(reads) == 2 and len(sent) == 5, sent
    else:
        assert len(reads) == 2 and len(sent) == 6, sent  # the key's own insert on SQLite


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    order=st.permutations(["new", "old", "new-again"]),
    other_vote=st.booleans(),
)
def test_replays_and_late_clicks_change_nothing_whatever_the_order(
    store: Store, order: list[str], other_vote: bool
) -> None:
    """With the key and the votes read together, a replayed click is still a duplicate (no second audit entry or
    ephemeral), and an older click never overwrites a newer one, whatever order they arrive in and however
    whether the pair has another vote (the votes' read then returns a row per vote, else one row with none)."""
    service = _service(store)
    pid = _posted(service, seed=next(_SEEDS))
    if other_vote:  # a tie: with U1's vote it never settles the pair (2 of 3 must agree)
        service.cast_vote(pid, "UO", "tie", None, action=_click("UO", pid, "0.5"))
    clicks = {
        "new": ("a", _click("U1", pid, "2.000000")),
        "old": ("b", _click("U1", pid, "1.000000")),
        "new-again": ("a", _click("U1", pid, "2.000000")),
    }
    statuses = [service.cast_vote(pid, "U1", clicks[k][0], None, action=clicks[k][1]).status for k in order]
    assert statuses.count("duplicate") == 1  # the new click's second delivery
    with store.session() as s:
        stored = s.scalars(select(Vote).where(Vote.pair_id == pid, Vote.reviewer == "U1")).one()
        assert (stored.choice, stored.action_ts) == ("a", "2.000000")
        audit = list(
            s.scalars(select(AuditEntry.action).where(AuditEntry.pair_id == pid, AuditEntry.actor == "U1"))
        )
        ephemerals = list(
            s.scalars(
                select(OutboxMessage.id).where(
                    OutboxMessage.pair_id == pid, OutboxMessage.method == "chat.postEphemeral"
                )
            )
        )
    # one entry per delivery that was not a duplicate: a vote (or change) or the late click's "superseded"
    assert len(audit) == 2
    kinds = sorted(audit)
    if order.index("old") < min(order.index("new"), order.index("new-again")):
        assert kinds == ["vote", "vote_changed"]
    else:
        assert kinds == ["vote", "vote_superseded"]
    assert len(ephemerals) == int(other_vote) + sum(k in ("vote", "vote_changed") for k in audit)


@pytest.mark.parametrize("remarks", [0, 1, 3])
def test_the_settling_vote_reads_the_thread_with_the_pairs_lock(store: Store, remarks: int) -> None:
    """The thread comes with the pair's row (one row per message, or one with none): the release carries every
    remark, oldest first, and each pair once."""
    service = ReviewService(
        store,
        load_rubric(),
        QuorumPolicy(),
        channel="#review",
        rng=random.Random(3),
        remark_scrubber=lambda texts: [t.upper() for t in texts],
    )
    pid = _posted(service)
    for i in reversed(range(remarks)):  # arriving newest first: the release orders them by ts
        assert service.record_thread_message(
            f"Ev{i}", "1700000000.000001", f"UR{i}", f"1700000100.{i}", f"r{i}"
        )
    service.cast_vote(pid, "U1", "b", None)
    assert service.cast_vote(pid, "U2", "b", None).decision.state == "resolved"  # type: ignore[union-attr]
    with store.session() as s:
        pair = s.get(Pair, pid)
        assert pair is not None and pair.review is not None
        assert [r["text"] for r in pair.review["remarks"]] == [f"R{i}" for i in range(remarks)]
        assert pair.review["remarks_withheld"] == 0
        assert [v["reviewer"] for v in pair.review["votes"]] == ["U1", "U2"]
