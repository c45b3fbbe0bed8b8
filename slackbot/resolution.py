"""Resolving a pair by the quorum's decision (status, swap, the release's review fields, the users' history,
the post's update) and escalating a split to the adjudicators."""

from __future__ import annotations

import hashlib
import hmac
import logging
import sys
from collections import Counter
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from prefloop.curator.pipeline.review_outcomes import record_review_outcome
from prefloop.curator.store.models import (
    Pair,
    ReviewPost,
    ThreadMessage,
    Vote,
)
from prefloop.curator.store.models.base import utcnow
from prefloop.schemas.records import VoteRecord
from prefloop.slackbot import messages as msg
from prefloop.slackbot.exit_guard import pair_view
from prefloop.slackbot.quorum import Ballot, Decision, pair_effect, to_label
from prefloop.slackbot.transactions import ReviewTransactions
from prefloop.slackbot.views import resolved_message

log = logging.getLogger(__name__)

#: The settling vote's read of the pair, locked (of=pairs only), with its thread's messages; built once
_PAIR_AND_THREAD = (
    select(Pair, ThreadMessage)
    .outerjoin(ThreadMessage, ThreadMessage.pair_id == Pair.pair_id)
    .where(Pair.pair_id == bindparam("pair_id"))
    .order_by(ThreadMessage.ts)
    .with_for_update(of=Pair)
    .execution_options(populate_existing=True)
)


class Resolution(ReviewTransactions):
    """Resolve and escalate; what a resolved pair carries into the release."""

    def _resolve(
        self, s: Session, post: ReviewPost, votes: list[Vote], ballots: list[Ballot], decision: Decision
    ) -> None:
        """Settle the pair in the vote's transaction. Its reads (the pair's lock with the thread, the users'
        records) touch no row this transaction changed before them, so nothing is flushed until the commit: the
        vote, both audit entries, the three Slack calls and the pair's and post's updates go in one statement per
        table (each read used to flush what came before it: three round trips more on the settling vote, and one
        more for reading the thread apart)."""
        with s.no_autoflush:
            self._settle(s, post, votes, ballots, decision)

    def _settle(
        self, s: Session, post: ReviewPost, votes: list[Vote], ballots: list[Ballot], decision: Decision
    ) -> None:
        # one statement: the pair, locked, with its thread's messages (oldest first; one row with none if none)
        rows = s.execute(_PAIR_AND_THREAD, {"pair_id": post.pair_id}).all()
        pair = rows[0][0] if rows else None
        thread = [m for _, m in rows if m is not None]
        assert pair is not None and decision.outcome is not None
        now = utcnow()
        view = pair_view(pair)  # before any swap: the post keeps showing what reviewers saw
        status, swap = pair_effect(decision.outcome)
        if pair.status == "gold":  # a gold item resolves like any pair but never becomes data
            status, swap = "gold", False
        elif decision.outcome in ("chosen", "rejected"):
            # reviewers confirmed or contradicted the users' evidence (and, for one user's, its signal kind)
            record_review_outcome(
                s, pair.users, pair.signals, pair.conflicts, agreed=decision.outcome == "chosen"
            )
        if swap:
            pair.chosen, pair.rejected = pair.rejected, pair.chosen
            pair.chosen_response_id, pair.rejected_response_id = (
                pair.rejected_response_id,
                pair.chosen_response_id,
            )
            pair.chosen_human_written = False
        agreeing = [v.reason for v, b in zip(votes, ballots, strict=True) if b.label == decision.outcome]
        reasons = [r for r, _ in Counter(r for r in agreeing if r).most_common()]
        tally = dict(Counter(b.label for b in ballots))
        pair.status = status
        pair.rubric_version = self.rubric.version
        pair.review = {
            "outcome": decision.outcome,
            "votes": [
                VoteRecord(
                    pair_id=v.pair_id,
                    reviewer=v.reviewer,
                    choice=v.choice,  # type: ignore[arg-type]
                    reason=v.reason,
                    a_is=v.a_is,  # type: ignore[arg-type]
                    rubric_version=v.rubric_version,
                    voted_at=v.voted_at,
                ).model_dump(mode="json")
                | {"role": v.role}
                for v in votes
            ],
            "agreement": decision.agreement,
            "resolved_at": now.isoformat(),
            "reasons": reasons,
            "decided_by": decision.decided_by,
            "tally": tally,
            "swapped": swap,
            "a_is": post.a_is,
            "rubric_version": self.rubric.version,
            "policy_version": self.policy.version,
            **self._release_fields(thread, votes, swap),
        }
        post.state, post.resolved_at, post.outcome = "resolved", now, decision.outcome
        self.audit(
            s,
            "prefloop",
            "resolved",
            post.pair_id,
            outcome=decision.outcome,
            status=status,
            swapped=swap,
            tally=tally,
            decided_by=decision.decided_by,
        )
        update = resolved_message(
            view,
            post.a_is,
            self.rubric,
            decision.outcome,
            tally,
            decision.agreement or 0.0,
            decision.decided_by or "",
            self.cut,
        )
        channel = post.channel or self.channel
        self.queue_call(
            s,
            "chat.update",
            {"channel": channel, **update},
            post.pair_id,
            f"resolve:{post.pair_id}",
            update_of=post.pair_id,
        )
        note = msg.RESOLVED_THREAD.format(outcome=msg.OUTCOME_LABELS.get(decision.outcome, decision.outcome))
        self.queue_call(
            s,
            "chat.postMessage",
            {"channel": channel, "text": note},
            post.pair_id,
            f"resolved-note:{post.pair_id}",
            thread_of=post.pair_id,
        )

    def reviewer_pseudonym(self, user: str) -> str:
        """A stable pseudonymous id for a reviewer (keyed HMAC; the Slack user id is never released)."""
        return "rev_" + hmac.new(self.pseudonym_key, user.encode(), hashlib.sha256).hexdigest()[:16]

    def _release_fields(
        self, thread: list[ThreadMessage], votes: list[Vote], swapped: bool
    ) -> dict[str, Any]:
        """What the release carries about the review: each vote (pseudonymous reviewer, side in the stored frame,
        the button pressed, rubric reason and version, time, role), the thread's remarks (scrubbed, or withheld
        when no scrubber is available), and whether the first two reviewer votes agreed (for the selection
        bias the card reports). ``side`` is in the released frame: after a swap, ``chosen`` is still the answer
        the row calls chosen."""
        flip = {"chosen": "rejected", "rejected": "chosen"} if swapped else {}
        # a vote not yet flushed (this click's) has no id: it is the latest
        ordered = sorted(votes, key=lambda v: (v.voted_at, v.id if v.id is not None else sys.maxsize))
        first_two = [to_label(v.choice, v.a_is) for v in ordered if v.role == "reviewer"][:2]
        remarks = self._remarks(thread)
        return {
            "release_votes": [
                {
                    "reviewer": self.reviewer_pseudonym(v.reviewer),
                    "side": flip.get(label := to_label(v.choice, v.a_is), label),
                    "pressed": v.choice,
                    "reason": v.reason,
                    "rubric_version": v.rubric_version,
                    "at": v.voted_at.isoformat() if v.voted_at else None,
                    "role": v.role,
                }
                for v in ordered
            ],
            "remarks": remarks if remarks is not None else [],
            "remarks_withheld": 0 if remarks is not None else len(thread),
            "first_two_agree": (first_two[0] == first_two[1]) if len(first_two) == 2 else None,
            "reviewer_votes": sum(v.role == "reviewer" for v in votes),
        }

    def _remarks(self, thread: list[ThreadMessage]) -> list[dict[str, Any]] | None:
        if not thread:
            return []
        if self.remark_scrubber is None:
            return None
        try:
            texts = self.remark_scrubber([m.text for m in thread])
        except Exception as exc:  # a scrubber failure withholds the remarks; it never blocks a resolution
            log.warning("scrubbing review remarks failed (%s): withheld", exc.__class__.__name__)
            return None
        if texts is None:
            return None
        return [
            {
                "reviewer": self.reviewer_pseudonym(m.user_id),
                "at": m.at.isoformat() if m.at else None,
                "text": t,
            }
            for m, t in zip(thread, texts, strict=True)
        ]

    def _escalate(self, s: Session, post: ReviewPost, n_votes: int) -> None:
        post.state, post.escalated_at = "escalated", utcnow()
        group = f"<!subteam^{self.adjudicator_group}>" if self.adjudicator_group else msg.NO_ADJUDICATORS
        self.audit(s, "prefloop", "escalated", post.pair_id, votes=n_votes, group=self.adjudicator_group)
        text = msg.ESCALATED_THREAD.format(group=group, votes=n_votes)
        self.queue_call(
            s,
            "chat.postMessage",
            {"channel": post.channel or self.channel, "text": text},
            post.pair_id,
            f"escalate:{post.pair_id}",
            thread_of=post.pair_id,
        )

    def is_escalated(self, pair_id: str) -> bool:
        with self.store.session() as s:
            return s.scalar(select(ReviewPost.state).where(ReviewPost.pair_id == pair_id)) == "escalated"
