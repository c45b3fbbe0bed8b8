"""What the bot reads back from the store: a reviewer's pending pairs, the queue, stats and the votes that
agreement is computed over. Read-only; :class:`~prefloop.slackbot.service.ReviewService` inherits these."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select

from prefloop.curator.pipeline.review_outcomes import audit_outcomes, review_calibration
from prefloop.curator.store import Store
from prefloop.curator.store.models import AuditEntry, OutboxMessage, Pair, ReviewPost, Vote
from prefloop.slackbot.agreement import RatedVote
from prefloop.slackbot.quorum import to_label

__all__ = ["OPEN_STATES", "ReviewQueries", "harm_categories"]

#: Review posts still waiting for votes.
OPEN_STATES = ("posted", "escalated")


def harm_categories(tags: dict[str, Any] | None) -> tuple[str, ...]:
    """The harm categories of a pair from its tags (``hazards`` list, or a single ``hazard``); ``none`` if none."""
    tags = tags or {}
    value = tags.get("hazards", tags.get("hazard", tags.get("categories")))
    if isinstance(value, str):
        value = [value]
    cats = tuple(sorted({str(v) for v in value or [] if v and v != "none"}))
    return cats or ("none",)


class ReviewQueries:
    """Read-only queries over the review tables."""

    store: Store

    def pending_for(self, user: str, limit: int = 10) -> tuple[list[ReviewPost], int]:
        """Open posts ``user`` has not voted on, oldest first (at most ``limit``) and how many more there are."""
        with self.store.session() as s:
            voted = select(Vote.pair_id).where(Vote.reviewer == user)
            base = select(ReviewPost).where(
                ReviewPost.state.in_(OPEN_STATES), ReviewPost.pair_id.not_in(voted)
            )
            total = s.scalar(select(func.count()).select_from(base.subquery())) or 0
            rows = list(s.scalars(base.order_by(ReviewPost.posted_at, ReviewPost.pair_id).limit(limit)))
        return rows, max(total - len(rows), 0)

    def queue_counts(self) -> dict[str, int]:
        with self.store.session() as s:
            rows = s.execute(select(ReviewPost.state, func.count()).group_by(ReviewPost.state)).all()
            counts = {"queued": 0, "posted": 0, "escalated": 0, "resolved": 0} | {
                str(k): int(v) for k, v in rows
            }
            counts["unposted"] = int(
                s.scalar(
                    select(func.count())
                    .select_from(Pair)
                    .outerjoin(ReviewPost, ReviewPost.pair_id == Pair.pair_id)
                    .where(Pair.status == "review", ReviewPost.pair_id.is_(None))
                )
                or 0
            )
        return counts

    def oldest_open(self) -> ReviewPost | None:
        with self.store.session() as s:
            return s.scalar(
                select(ReviewPost)
                .where(ReviewPost.state.in_(OPEN_STATES))
                .order_by(ReviewPost.posted_at)
                .limit(1)
            )

    def stats(self) -> dict[str, int]:
        with self.store.session() as s:
            votes = int(s.scalar(select(func.count()).select_from(Vote)) or 0)
            reviewers = int(s.scalar(select(func.count(func.distinct(Vote.reviewer)))) or 0)
            resolved = s.execute(
                select(Pair.status, Pair.review)
                .join(ReviewPost, ReviewPost.pair_id == Pair.pair_id)
                .where(ReviewPost.state == "resolved")
            ).all()
            outbox = dict(
                s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
            )
            refused = int(
                s.scalar(
                    select(func.count(func.distinct(AuditEntry.pair_id))).where(
                        AuditEntry.action == "post_refused_unscrubbed"
                    )
                )
                or 0
            )
        return {
            "votes": votes,
            "reviewers": reviewers,
            "accepted": sum(st == "accepted" for st, _ in resolved),
            "swapped": sum(st == "accepted" and bool((rv or {}).get("swapped")) for st, rv in resolved),
            "discarded": sum(st == "discarded" for st, _ in resolved),
            "pending": int(outbox.get("pending", 0)),
            "failed": int(outbox.get("failed", 0)),
            "sent": int(outbox.get("sent", 0)),
            "unscrubbed": refused,
        }

    def rated_votes(self) -> list[RatedVote]:
        """Every reviewer-role vote on a *resolved* pair, in the stored frame, with the button as pressed and
        the pair's harm categories (for agreement). Open pairs are left out: figures that moved with each vote
        on an open pair would tell reviewers how the others voted (blind review)."""
        with self.store.session() as s:
            rows = s.execute(
                select(Vote.pair_id, Vote.reviewer, Vote.choice, Vote.a_is, Pair.tags)
                .join(Pair, Pair.pair_id == Vote.pair_id)
                .join(ReviewPost, ReviewPost.pair_id == Vote.pair_id)
                .where(Vote.role == "reviewer", ReviewPost.state == "resolved")
                .order_by(Vote.pair_id, Vote.voted_at, Vote.id)
            ).all()
        return [
            RatedVote(pid, rev, to_label(ch, a_is), harm_categories(tags), shown=ch)
            for pid, rev, ch, a_is, tags in rows
        ]

    def review_calibration(self) -> dict[str, Any]:
        """Per strength band, how often reviewers confirmed the users' side (see
        :func:`~prefloop.curator.pipeline.review_outcomes.review_calibration`)."""
        with self.store.session() as s:
            return review_calibration(s)

    def audit_outcomes(self) -> Counter[str]:
        """Outcome -> count over the resolved pairs of the audit sample (see
        :func:`~prefloop.curator.pipeline.review_outcomes.audit_outcomes`)."""
        with self.store.session() as s:
            return audit_outcomes(s)
