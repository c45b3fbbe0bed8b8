"""Votes and rubric reasons: replay-proof recording, role checks, gold standing, then the quorum policy."""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, aliased

from prefloop.curator.store.models import (
    AuditEntry,
    GoldItem,
    ReviewPost,
    SeenSlackEvent,
    Vote,
)
from prefloop.curator.store.models.base import utcnow
from prefloop.slackbot import messages as msg
from prefloop.slackbot.actions import ActionRef
from prefloop.slackbot.gold import flagged, gold_scores
from prefloop.slackbot.quorum import Ballot, Decision, decide, to_label
from prefloop.slackbot.resolution import Resolution

log = logging.getLogger(__name__)

#: gold_items in the "does the store hold any gold item" subquery (apart from the join on the voted pair)
_ANY_GOLD = aliased(GoldItem)
#: The vote path's statements, built once (a click then spends no interpreter time composing them): the post,
#: locked (votes on one pair take turns), whether it is a gold item and whether the store holds any gold item
_LOCK_POST = (
    select(ReviewPost, GoldItem.pair_id.is_not(None), exists(select(_ANY_GOLD.pair_id)))
    .outerjoin(GoldItem, GoldItem.pair_id == ReviewPost.pair_id)
    .where(ReviewPost.pair_id == bindparam("pair_id"))
    .with_for_update(of=ReviewPost)
)
#: the pair's votes, oldest first
_VOTES_OF = select(Vote).where(Vote.pair_id == bindparam("pair_id")).order_by(Vote.id)
#: PostgreSQL: the click's key marked as handled (see ``first_time``) and the pair's votes read in one statement,
#: sent once the post is locked. Every row has the number of keys inserted (0: the click was handled before);
#: with no votes yet there is one row with no vote. The data-modifying CTE runs whether or not a vote is read.
_SEEN = (
    postgresql.insert(SeenSlackEvent)
    .values(event_id=bindparam("seen_id"), at=bindparam("seen_at"))
    .on_conflict_do_nothing()
    .returning(SeenSlackEvent.event_id)
    .cte("seen")
)
_MARKED = select(func.count().label("inserted")).select_from(_SEEN).subquery("marked")
_MARK_AND_VOTES = (
    select(_MARKED.c.inserted, Vote)
    .select_from(_MARKED)
    .outerjoin(Vote, Vote.pair_id == bindparam("pair_id"))
    .order_by(Vote.id)
)


@dataclass
class VoteResult:
    #: recorded | changed | closed (already resolved) | unknown (not under review) | duplicate (this action
    #: was handled before) | superseded (a newer action of the voter is stored) | refused (role may not vote)
    status: Literal["recorded", "changed", "closed", "unknown", "duplicate", "superseded", "refused"]
    decision: Decision | None = None
    message: str = ""


class Voting(Resolution):
    """Record votes and reasons; apply the quorum policy after each vote."""

    # -- votes -------------------------------------------------------------------------------------------
    def cast_vote(
        self,
        pair_id: str,
        user: str,
        choice: str,
        reason: str | None,
        *,
        is_reviewer: bool = True,
        is_adjudicator: bool = False,
        channel: str | None = None,
        action: ActionRef | None = None,
    ) -> VoteResult:
        """Record ``user``'s vote (replacing their earlier one), then apply the quorum policy.

        With ``action`` (the click's identity) a retried or replayed click changes nothing, and a click older
        than the stored vote's never overwrites it. Adjudicators who are not reviewers vote on escalated pairs
        only; their votes are counted apart from the reviewers' (role ``adjudicator``)."""
        if choice not in msg.CHOICE_LABELS:
            raise ValueError(f"unknown vote choice {choice!r}")
        if reason is not None and reason not in self.rubric.reason_ids:
            reason = None

        def run() -> VoteResult:
            with self.write() as s:
                return self._cast(
                    s, pair_id, user, choice, reason, is_reviewer, is_adjudicator, channel, action
                )

        done, result = self.once(action.key if action is not None else None, run)
        if not done or result is None:  # the same action handled concurrently (its key is already stored)
            log.info("slack action on %s handled concurrently: skipped", pair_id)
            return VoteResult("duplicate")
        self.on_outbox()
        return result

    def _cast(
        self,
        s: Session,
        pair_id: str,
        user: str,
        choice: str,
        reason: str | None,
        is_reviewer: bool,
        is_adjudicator: bool,
        channel: str | None,
        action: ActionRef | None,
    ) -> VoteResult:
        # one statement: the post, locked (votes on one pair take turns), whether it is a gold item, and whether
        # the store holds any gold item at all (if not, no voter has a gold standing to weigh)
        found = s.execute(_LOCK_POST, {"pair_id": pair_id}).first()
        post, is_gold, any_gold = found if found is not None else (None, False, False)
        votes: list[Vote] | None = None
        if action is not None and post is not None and self.store.dialect == "postgresql":
            # one round trip instead of two: the statement starts after the post's lock was granted, so it sees
            # every vote committed before (each vote on the pair takes that lock first)
            rows = s.execute(
                _MARK_AND_VOTES, {"seen_id": action.key, "seen_at": utcnow(), "pair_id": pair_id}
            ).all()
            first = bool(rows[0][0])
            votes = [v for _, v in rows if v is not None]
        else:
            first = action is None or self.first_time(s, action.key)
        if not first:
            log.info("slack action on %s already handled: skipped", pair_id)
            return VoteResult("duplicate")
        # "queued" still accepts votes: Slack may deliver a click before the outbox recorded the post's ts
        refuse = functools.partial(self._refuse_vote, s, user, channel, pair_id, choice)
        if post is None:
            return refuse("unknown", "vote_refused_unknown", msg.UNKNOWN_PAIR.format(pair_id=pair_id))
        if post.state == "resolved":
            outcome = msg.OUTCOME_LABELS.get(post.outcome or "", post.outcome)
            text = msg.ALREADY_RESOLVED.format(pair_id=pair_id, outcome=outcome)
            return refuse("closed", "vote_refused_resolved", text)
        if not is_reviewer and post.state != "escalated":
            return refuse(
                "refused", "vote_refused_not_escalated", msg.ADJUDICATORS_WAIT.format(pair_id=pair_id)
            )
        return self._record_vote(
            s,
            post,
            user,
            choice,
            reason,
            is_reviewer,
            is_adjudicator,
            channel,
            action,
            gold=(bool(is_gold), bool(any_gold)),
            votes=votes,
        )

    def _refuse_vote(
        self,
        s: Session,
        user: str,
        channel: str | None,
        pair_id: str,
        choice: str,
        status: Literal["unknown", "closed", "refused"],
        audit_action: str,
        text: str,
    ) -> VoteResult:
        """A click that cannot count: audited, and the voter told why (only them)."""
        self.audit(s, user, audit_action, pair_id, choice=choice)
        self.ephemeral(s, channel, user, text, pair_id)
        return VoteResult(status, message=text)

    def _record_vote(
        self,
        s: Session,
        post: ReviewPost,
        user: str,
        choice: str,
        reason: str | None,
        is_reviewer: bool,
        is_adjudicator: bool,
        channel: str | None,
        action: ActionRef | None,
        gold: tuple[bool, bool],
        votes: list[Vote] | None = None,
    ) -> VoteResult:
        """``gold``: (this pair is a gold item, the store holds any gold item); ``votes``: the pair's votes, oldest
        first, when already read (after the post's lock)."""
        now = utcnow()
        if votes is None:
            votes = list(s.scalars(_VOTES_OF, {"pair_id": post.pair_id}))
        vote = next((v for v in votes if v.reviewer == user), None)
        if vote is not None and action is not None and not action.newer_than(vote.action_ts):
            # an older click delivered late (or replayed with a new signature): the newer vote stands
            self.audit(
                s,
                user,
                "vote_superseded",
                post.pair_id,
                choice=choice,
                action_ts=action.action_ts,
                kept_action_ts=vote.action_ts,
            )
            return VoteResult("superseded")
        # adjudicators are counted apart, and only on escalated pairs; one who already voted as a reviewer on
        # this pair stays a reviewer (the split was theirs too)
        role = (
            "adjudicator"
            if post.state == "escalated"
            and is_adjudicator
            and (not is_reviewer or vote is None or vote.role == "adjudicator")
            else "reviewer"
        )
        previous = None if vote is None else {"choice": vote.choice, "reason": vote.reason, "role": vote.role}
        if vote is None:
            vote = Vote(
                pair_id=post.pair_id, reviewer=user, a_is=post.a_is, rubric_version=self.rubric.version
            )
            s.add(vote)
            votes.append(vote)
        vote.choice, vote.reason, vote.role, vote.voted_at = choice, reason, role, now
        vote.rubric_version = self.rubric.version
        vote.action_ts = action.action_ts if action is not None else vote.action_ts
        is_gold, any_gold = gold
        if is_gold:
            s.flush()
            self._check_gold(s, user)
        weights = self._gold_weights(s, [v.reviewer for v in votes]) if any_gold else {}
        ballots = [
            Ballot(v.reviewer, to_label(v.choice, v.a_is), v.role, weights.get(v.reviewer, 1.0))  # type: ignore[arg-type]
            for v in votes
        ]
        decision = decide(ballots, self.policy, escalated=post.state == "escalated")
        self.audit(
            s,
            user,
            "vote_changed" if previous else "vote",
            post.pair_id,
            choice=choice,
            label=to_label(choice, post.a_is),
            reason=reason,
            role=role,
            previous=previous,
            decision=decision.state,
        )
        reason_text = msg.VOTE_REASON.format(reason=self.rubric.label(reason)) if reason else ""
        template = msg.VOTE_CHANGED if previous else msg.VOTE_RECORDED
        text = template.format(pair_id=post.pair_id, choice=msg.CHOICE_LABELS[choice], reason=reason_text)
        self.ephemeral(s, channel or post.channel, user, text, post.pair_id)
        if decision.state == "resolved":
            self._resolve(s, post, votes, ballots, decision)
        elif decision.state == "escalate" and post.state != "escalated":
            self._escalate(s, post, len(votes))
        return VoteResult("changed" if previous else "recorded", decision, text)

    def _gold_weights(self, s: Session, reviewers: list[str]) -> dict[str, float]:
        """What each flagged reviewer's vote counts for (the policy's ``gold_policy``); others count 1."""
        p = self.policy
        if p.gold_policy == "count":
            return {}
        low = flagged(gold_scores(s, reviewers), p)
        return {r: (p.gold_low_weight if p.gold_policy == "weight" else 0.0) for r in low}

    def _check_gold(self, s: Session, user: str) -> None:
        """After a vote on a gold item: flag ``user`` to the team (once) when they fall below the threshold.

        On PostgreSQL two of the reviewer's gold votes on different posts run concurrently, and neither would see
        the other's vote: a lock per reviewer, held to the end of the transaction, makes the later one count both."""
        if self.store.dialect == "postgresql":
            key = int.from_bytes(
                hashlib.sha256(f"prefloop-gold:{user}".encode()).digest()[:8], "big", signed=True
            )
            s.execute(select(func.pg_advisory_xact_lock(key)))
        score = gold_scores(s, [user]).get(user)
        if score is None or user not in flagged({user: score}, self.policy):
            return
        if s.scalar(
            select(AuditEntry.id).where(AuditEntry.action == "gold_flagged", AuditEntry.actor == user)
        ):
            return
        cats = ", ".join(f"{cat} {r}/{n}" for cat, (n, r) in sorted(score.by_category.items()))
        self.audit(
            s, user, "gold_flagged", None, items=score.items, right=score.right, by_category=score.by_category
        )
        text = msg.GOLD_FLAG.format(
            user=user,
            accuracy=score.accuracy or 0.0,
            n=score.items,
            categories=cats,
            policy=msg.GOLD_POLICIES[self.policy.gold_policy].format(weight=self.policy.gold_low_weight),
        )
        self.queue_call(
            s,
            "chat.postMessage",
            {"channel": self.team_channel or self.channel, "text": text},
            None,
            f"gold-flag:{user}",
        )

    def record_reason(
        self,
        pair_id: str,
        user: str,
        reason: str,
        channel: str | None = None,
        action: ActionRef | None = None,
    ) -> str:
        """A reviewer picked a rubric reason: attach it to their vote if they have one. A retried click (same
        ``action``) changes nothing and answers nothing."""
        label = self.rubric.label(reason)

        def run() -> str:
            with self.write() as s:
                if action is not None and not self.first_time(s, action.key):
                    return ""
                post = s.get(ReviewPost, pair_id)
                vote = s.scalar(select(Vote).where(Vote.pair_id == pair_id, Vote.reviewer == user))
                if (
                    post is None
                    or post.state == "resolved"
                    or vote is None
                    or reason not in self.rubric.reason_ids
                ):
                    text = msg.REASON_BEFORE_VOTE.format(reason=label)
                else:
                    vote.reason = reason
                    text = msg.REASON_RECORDED.format(pair_id=pair_id, reason=label)
                self.audit(s, user, "reason", pair_id, reason=reason, attached=vote is not None)
                self.ephemeral(s, channel, user, text, pair_id)
                return text

        done, text = self.once(action.key if action is not None else None, run)
        if not done or not text:
            return ""
        self.on_outbox()
        return text
