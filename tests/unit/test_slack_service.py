"""The review workflow over the real store (SQLite here; PostgreSQL too under `-m integration`)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from prefloop.curator.store import Store
from prefloop.curator.store.models import AuditEntry, OutboxMessage, Pair, ReviewPost, ThreadMessage, Vote
from prefloop.curator.store.models.base import utcnow
from prefloop.slackbot.quorum import QuorumPolicy
from prefloop.slackbot.rubric import load_rubric
from prefloop.slackbot.service import ReviewService
from prefloop.slackbot.simulate import make_review_pairs


def _service(store: Store, **policy: object) -> ReviewService:
    return ReviewService(
        store,
        load_rubric(),
        QuorumPolicy(**policy),  # type: ignore[arg-type]
        channel="#review",
        adjudicator_group="S0ADJ",
        rng=random.Random(7),
    )


def _post(service: ReviewService, n: int = 1, **kw: object) -> list[str]:
    ids = make_review_pairs(service.store, n, **kw)  # type: ignore[arg-type]
    service.enqueue_pending()
    with service.store.session() as s:
        for i, pid in enumerate(ids):
            service.record_posted(s, pid, "C0REVIEW", f"1700000000.{i:06d}")
    return ids


def _a_is(store: Store, pair_id: str) -> str:
    with store.session() as s:
        post = s.get(ReviewPost, pair_id)
        assert post is not None
        return post.a_is


def _outbox(store: Store, method: str | None = None) -> list[OutboxMessage]:
    with store.session() as s:
        q = select(OutboxMessage).order_by(OutboxMessage.id)
        if method:
            q = q.where(OutboxMessage.method == method)
        return list(s.scalars(q))


def test_enqueue_posts_scrubbed_pairs_once_and_refuses_unscrubbed(store: Store) -> None:
    service = _service(store)
    make_review_pairs(store, 3, unscrubbed=2)
    first = service.enqueue_pending()
    assert len(first.queued) == 3 and len(first.refused_unscrubbed) == 2
    assert service.enqueue_pending().queued == []  # nothing posted twice
    posts = [m for m in _outbox(store, "chat.postMessage") if m.dedupe_key.startswith("post:")]
    assert sorted(str(m.pair_id) for m in posts) == sorted(first.queued)
    assert all(m.pair_id not in first.refused_unscrubbed for m in _outbox(store))
    assert service.stats()["unscrubbed"] == 2
    with store.session() as s:
        audited = s.scalars(select(AuditEntry.pair_id).where(AuditEntry.action == "post_refused_unscrubbed"))
        assert set(audited) == set(first.refused_unscrubbed)
        assert {p.a_is for p in s.scalars(select(ReviewPost))} <= {"chosen", "rejected"}


def test_quorum_for_the_stored_rejected_side_swaps_and_records_review(store: Store) -> None:
    service = _service(store)
    (pid,) = _post(service)
    b_is_rejected = (
        "b" if _a_is(store, pid) == "chosen" else "a"
    )  # the button that means "rejected is better"
    with store.session() as s:
        original = s.get(Pair, pid)
        assert original is not None
        chosen, rejected = original.chosen, original.rejected
    r1 = service.cast_vote(pid, "U1", b_is_rejected, "correctness")
    assert r1.status == "recorded" and r1.decision is not None and r1.decision.state == "open"
    r2 = service.cast_vote(pid, "U2", b_is_rejected, "grounding")
    assert r2.decision is not None and r2.decision.state == "resolved"
    with store.session() as s:
        pair = s.get(Pair, pid)
        assert pair is not None and pair.status == "accepted"
        assert (pair.chosen, pair.rejected) == (rejected, chosen)
        review = pair.review or {}
        assert review["outcome"] == "rejected" and review["swapped"] is True and review["agreement"] == 1.0
        assert set(review["reasons"]) == {"correctness", "grounding"} and review["resolved_at"]
        assert [v["reviewer"] for v in review["votes"]] == ["U1", "U2"]
        assert s.get(ReviewPost, pid).state == "resolved"  # type: ignore[union-attr]
    keys = {m.dedupe_key for m in _outbox(store)}
    assert f"resolve:{pid}" in keys and f"resolved-note:{pid}" in keys
    late = service.cast_vote(pid, "U3", "a", None)
    assert late.status == "closed"


def test_vote_is_changeable_until_resolution(store: Store) -> None:
    service = _service(store)
    (pid,) = _post(service)
    service.cast_vote(pid, "U1", "a", None)
    changed = service.cast_vote(pid, "U1", "tie", None)
    assert changed.status == "changed"
    service.record_reason(pid, "U1", "format")
    with store.session() as s:
        votes = list(s.scalars(select(Vote).where(Vote.pair_id == pid)))
        assert [(v.reviewer, v.choice, v.reason) for v in votes] == [("U1", "tie", "format")]
        actions = list(
            s.scalars(select(AuditEntry.action).where(AuditEntry.pair_id == pid, AuditEntry.actor == "U1"))
        )
        assert actions == ["vote", "vote_changed", "reason"]


def test_split_escalates_and_an_adjudicator_decides(store: Store) -> None:
    service = _service(store)
    (pid,) = _post(service)
    for user, choice in (("U1", "a"), ("U2", "b"), ("U3", "tie")):
        service.cast_vote(pid, user, choice, None)
    with store.session() as s:
        assert s.get(ReviewPost, pid).state == "escalated"  # type: ignore[union-attr]
    escalation = next(m for m in _outbox(store) if m.dedupe_key == f"escalate:{pid}")
    assert "<!subteam^S0ADJ>" in escalation.payload["args"]["text"] and escalation.payload["thread_of"] == pid
    result = service.cast_vote(pid, "UADJ", "both_bad", None, is_adjudicator=True)
    assert result.decision is not None and result.decision.decided_by == "adjudicator"
    with store.session() as s:
        pair = s.get(Pair, pid)
        assert (
            pair is not None and pair.status == "discarded" and (pair.review or {})["outcome"] == "both_bad"
        )


def test_thread_messages_are_kept_once_per_event(store: Store) -> None:
    service = _service(store)
    (pid,) = _post(service)
    assert service.record_thread_message("Ev1", "1700000000.000000", "U1", "1700000001.1", "B cites a source")
    assert not service.record_thread_message("Ev1", "1700000000.000000", "U1", "1700000001.1", "B cites", 1)
    assert not service.record_thread_message("Ev2", "999.000", "U1", "1000.1", "unrelated thread")
    with store.session() as s:
        rows = list(s.scalars(select(ThreadMessage)))
        assert [(r.pair_id, r.text) for r in rows] == [(pid, "B cites a source")]


def test_reminders_follow_the_policy_and_the_last_is_broadcast(store: Store) -> None:
    service = _service(store, remind_after_hours=24, max_reminders=2)
    (pid,) = _post(service)
    service.cast_vote(pid, "U1", "a", None)
    now = utcnow()
    assert service.remind_due(now + timedelta(hours=1)) == 0
    assert service.remind_due(now + timedelta(hours=25)) == 1
    assert service.remind_due(now + timedelta(hours=26)) == 0
    assert service.remind_due(now + timedelta(hours=49)) == 1
    assert service.remind_due(now + timedelta(hours=200)) == 0  # max reached
    reminders = [m for m in _outbox(store) if m.dedupe_key.startswith("remind:")]
    assert [m.payload["args"]["reply_broadcast"] for m in reminders] == [False, True]
    assert "1 more agreeing vote" in reminders[0].payload["args"]["text"]


def test_pending_for_lists_open_pairs_the_reviewer_has_not_voted_on(store: Store) -> None:
    service = _service(store)
    ids = _post(service, 3)
    service.cast_vote(ids[0], "U1", "a", None)
    pending, more = service.pending_for("U1", limit=1)
    assert [p.pair_id for p in pending] == [ids[1]] and more == 1


@pytest.mark.parametrize("choice", ["nonsense", ""])
def test_unknown_choice_is_rejected(store: Store, choice: str) -> None:
    service = _service(store)
    (pid,) = _post(service)
    with pytest.raises(ValueError, match="unknown vote choice"):
        service.cast_vote(pid, "U1", choice, None)


def test_a_vote_arriving_before_the_post_is_recorded_counts(store: Store) -> None:
    service = _service(store)
    (pid,) = make_review_pairs(store, 1)
    service.enqueue_pending()  # queued, the outbox has not recorded the post's ts yet
    assert service.cast_vote(pid, "U1", "a", None).status == "recorded"
    assert service.cast_vote("no-such-pair", "U1", "a", None).status == "unknown"
