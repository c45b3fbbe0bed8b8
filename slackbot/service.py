"""The review workflow over the store: queue pairs for posting, record votes and discussion, resolve by the
quorum policy, audit every action. No Slack client here: every Slack call is written to the outbox
(:mod:`prefloop.slackbot.outbox`) in the same transaction as the state change it belongs to.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from prefloop.curator.pipeline.user_history import record_outcome
from prefloop.curator.scrub.guard import ExitGuard
from prefloop.curator.store import Store
from prefloop.curator.store.models import (
    AuditEntry,
    GoldItem,
    OutboxMessage,
    Pair,
    ReviewPost,
    SeenSlackEvent,
    ThreadMessage,
    Vote,
)
from prefloop.curator.store.models.base import utcnow
from prefloop.schemas.records import VoteRecord
from prefloop.slackbot import messages as msg
from prefloop.slackbot.gold import flagged, gold_scores
from prefloop.slackbot.queries import OPEN_STATES, ReviewQueries, harm_categories
from prefloop.slackbot.quorum import Ballot, Decision, QuorumPolicy, decide, pair_effect, to_label
from prefloop.slackbot.rubric import Rubric
from prefloop.slackbot.views import DEFAULT_CUT, PairView, full_text_modal, resolved_message, review_message

__all__ = ["ActionRef", "EnqueueResult", "ReviewService", "VoteResult", "harm_categories", "pair_view"]

log = logging.getLogger(__name__)


#: The last guard before Slack (docs/privacy.md): e-mail, phone, card, IBAN, SSN, IP, keys and tokens the
#: scrubber missed are masked in what is posted, counted and logged without the value.
EXIT_GUARD = ExitGuard("slack")


def pair_view(pair: Pair) -> PairView:
    chosen, rejected = EXIT_GUARD.texts(pair.pair_id, [pair.chosen, pair.rejected])
    return PairView(
        pair_id=pair.pair_id,
        prompt=EXIT_GUARD.messages(pair.pair_id, list(pair.prompt or [])),
        chosen=chosen,
        rejected=rejected,
        tags=dict(pair.tags or {}),
        route_reasons=list(pair.route_reasons or []),
    )


@dataclass(frozen=True)
class ActionRef:
    """The identity of one Slack click: who pressed what, on which message, at Slack's ``action_ts``.

    A retried or replayed request carries the same identity, so it is handled once; of two clicks by one user
    on one message, the later ``action_ts`` wins whatever order they arrive in."""

    user: str
    container: str
    action_id: str
    action_ts: str

    @property
    def key(self) -> str:
        blob = "|".join((self.user, self.container, self.action_id, self.action_ts))
        return "act:" + hashlib.sha256(blob.encode()).hexdigest()[:40]

    def newer_than(self, other_ts: str | None) -> bool:
        return other_ts is None or _ts_value(self.action_ts) > _ts_value(other_ts)


def _ts_value(ts: str) -> Decimal:
    try:
        return Decimal(ts)
    except InvalidOperation:
        return Decimal(0)


@dataclass
class EnqueueResult:
    queued: list[str] = field(default_factory=list)
    refused_unscrubbed: list[str] = field(default_factory=list)


@dataclass
class VoteResult:
    #: recorded | changed | closed (already resolved) | unknown (not under review) | duplicate (this action
    #: was handled before) | superseded (a newer action of the voter is stored) | refused (role may not vote)
    status: Literal["recorded", "changed", "closed", "unknown", "duplicate", "superseded", "refused"]
    decision: Decision | None = None
    message: str = ""


class ReviewService(ReviewQueries):
    """One per process; thread-safe (SQLite writes are serialized in-process, PostgreSQL locks the post row)."""

    def __init__(
        self,
        store: Store,
        rubric: Rubric,
        policy: QuorumPolicy,
        channel: str,
        adjudicator_group: str | None = None,
        rng: random.Random | None = None,
        cut: int = DEFAULT_CUT,
        pseudonym_key: bytes | None = None,
        remark_scrubber: Callable[[list[str]], list[str] | None] | None = None,
        team_channel: str | None = None,
    ) -> None:
        self.store = store
        self.rubric = rubric
        self.policy = policy
        self.channel = channel
        self.adjudicator_group = adjudicator_group
        self.cut = cut
        #: Key of the reviewer pseudonyms released with the votes (no Slack user id leaves the store).
        self.pseudonym_key = pseudonym_key or b"prefloop-reviewer-pseudonym"
        #: Scrubs thread remarks before they join the released votes; None (or a None result) withholds them.
        self.remark_scrubber = remark_scrubber
        #: Where reviewers below the gold threshold are flagged (default: the review channel).
        self.team_channel = team_channel
        self._rng = rng or random.SystemRandom()
        self._rng_lock = threading.Lock()
        #: SQLite allows one writer; a read-then-write transaction that loses the race fails instead of
        #: waiting, so in-process writers take this lock. PostgreSQL needs none (row locks).
        self.write_lock: threading.Lock | None = threading.Lock() if store.dialect == "sqlite" else None
        #: called after a transaction that queued Slack calls (the outbox worker's wake-up)
        self.on_outbox: Callable[[], None] = lambda: None
        self.refused_unscrubbed = 0

    # -- plumbing ----------------------------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[Session]:
        with self.write_lock or nullcontext(), self.store.session() as session:
            yield session

    def audit(self, s: Session, actor: str, action: str, pair_id: str | None, **detail: Any) -> None:
        s.add(
            AuditEntry(
                at=utcnow(),
                actor=actor,
                action=action,
                pair_id=pair_id,
                rubric_version=self.rubric.version,
                detail=detail,
            )
        )

    def queue_call(
        self,
        s: Session,
        method: str,
        args: dict[str, Any],
        pair_id: str | None,
        key: str | None = None,
        **ref: Any,
    ) -> None:
        s.add(
            OutboxMessage(
                dedupe_key=key or f"{method}:{uuid.uuid4().hex}",
                method=method,
                payload={"args": args, **ref},
                pair_id=pair_id,
                status="pending",
                attempts=0,
                next_attempt_at=utcnow(),
                created_at=utcnow(),
            )
        )

    def ephemeral(
        self, s: Session, channel: str | None, user: str, text: str, pair_id: str | None = None
    ) -> None:
        """Queue a message only ``user`` sees (in the review channel unless ``channel`` is given)."""
        self.queue_call(
            s, "chat.postEphemeral", {"channel": channel or self.channel, "user": user, "text": text}, pair_id
        )

    # -- posting -----------------------------------------------------------------------------------------
    def enqueue_pending(self, limit: int | None = None) -> EnqueueResult:
        """Queue every pair routed to review that has no post yet, with gold items mixed in at the policy's
        ``gold_rate`` (in random places, looking like any other post). Unscrubbed pairs are refused (counted,
        logged and audited), never posted."""
        result = EnqueueResult()
        with self.write() as s:
            query = (
                select(Pair)
                .outerjoin(ReviewPost, ReviewPost.pair_id == Pair.pair_id)
                .where(Pair.status == "review", ReviewPost.pair_id.is_(None))
                .order_by(Pair.formed_at, Pair.pair_id)
            )
            if limit:
                query = query.limit(limit)
            batch: list[Pair] = []
            for pair in s.scalars(query):
                if not pair.scrubbed:
                    self.refused_unscrubbed += 1
                    result.refused_unscrubbed.append(pair.pair_id)
                    log.warning(msg.POST_REFUSED_UNSCRUBBED, pair.pair_id, self.refused_unscrubbed)
                    self.audit(s, "prefloop", "post_refused_unscrubbed", pair.pair_id)
                    continue
                batch.append(pair)
            for pair in self._mix_gold(s, batch):
                self._queue_post(s, pair)
                result.queued.append(pair.pair_id)
        if result.queued:
            self.on_outbox()
        return result

    def _mix_gold(self, s: Session, batch: list[Pair]) -> list[Pair]:
        """``batch`` with unposted gold pairs inserted at random places: on average ``gold_rate`` of the posts."""
        rate = self.policy.gold_rate
        if not batch or rate <= 0:
            return batch
        with self._rng_lock:
            expected = len(batch) * rate / (1 - rate)
            n = int(expected) + (self._rng.random() < expected - int(expected))
            if n == 0:
                return batch
            gold = list(
                s.scalars(
                    select(Pair)
                    .outerjoin(ReviewPost, ReviewPost.pair_id == Pair.pair_id)
                    .where(Pair.status == "gold", ReviewPost.pair_id.is_(None))
                    .order_by(Pair.pair_id)
                )
            )
            self._rng.shuffle(gold)
            mixed = list(batch)
            for pair in gold[:n]:
                mixed.insert(self._rng.randint(0, len(mixed)), pair)
        return mixed

    def _queue_post(self, s: Session, pair: Pair) -> None:
        with self._rng_lock:
            a_is = self._rng.choice(("chosen", "rejected"))
        s.add(
            ReviewPost(
                pair_id=pair.pair_id,
                a_is=a_is,
                state="queued",
                rubric_version=self.rubric.version,
                reminders=0,
            )
        )
        payload = review_message(pair_view(pair), a_is, self.rubric, self.cut)
        args = {"channel": self.channel, **payload, "unfurl_links": False, "unfurl_media": False}
        self.queue_call(
            s, "chat.postMessage", args, pair.pair_id, key=f"post:{pair.pair_id}", record_post=True
        )
        self.audit(s, "prefloop", "post_queued", pair.pair_id, a_is=a_is)

    def record_posted(self, s: Session, pair_id: str, channel: str, ts: str) -> None:
        """The outbox sent a pair's post: remember where it is (votes and threads are found by ``ts``)."""
        post = s.get(ReviewPost, pair_id)
        if post is None:
            return
        post.channel, post.ts, post.posted_at = channel, ts, utcnow()
        if post.state == "queued":
            post.state = "posted"

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
        try:
            with self.write() as s:
                result = self._cast(
                    s, pair_id, user, choice, reason, is_reviewer, is_adjudicator, channel, action
                )
        except IntegrityError:  # the same action handled concurrently (its key is already stored)
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
        post = s.get(ReviewPost, pair_id, with_for_update=True)
        if action is not None and not self.first_time(s, action.key):
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
        return self._record_vote(s, post, user, choice, reason, is_reviewer, is_adjudicator, channel, action)

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
    ) -> VoteResult:
        now = utcnow()
        votes = list(s.scalars(select(Vote).where(Vote.pair_id == post.pair_id).order_by(Vote.id)))
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
        is_gold = s.get(GoldItem, post.pair_id) is not None
        if is_gold:
            s.flush()
            self._check_gold(s, user)
        weights = self._gold_weights(s, [v.reviewer for v in votes])
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
        """After a vote on a gold item: flag ``user`` to the team (once) when they fall below the threshold."""
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
        try:
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
        except IntegrityError:
            return ""
        self.on_outbox()
        return text

    def _resolve(
        self, s: Session, post: ReviewPost, votes: list[Vote], ballots: list[Ballot], decision: Decision
    ) -> None:
        pair = s.get(Pair, post.pair_id, with_for_update=True)
        assert pair is not None and decision.outcome is not None
        now = utcnow()
        view = pair_view(pair)  # before any swap: the post keeps showing what reviewers saw
        status, swap = pair_effect(decision.outcome)
        if pair.status == "gold":  # a gold item resolves like any pair but never becomes data
            status, swap = "gold", False
        elif decision.outcome in ("chosen", "rejected") and not pair.conflicts and pair.users:
            # the users' evidence all pointed one way: reviewers confirmed it or contradicted it
            record_outcome(s, pair.users, agreed=decision.outcome == "chosen")
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
            **self._release_fields(s, post.pair_id, votes, swap),
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

    def _release_fields(self, s: Session, pair_id: str, votes: list[Vote], swapped: bool) -> dict[str, Any]:
        """What the release carries about the review: each vote (pseudonymous reviewer, side in the stored frame,
        the button pressed, rubric reason and version, time, role), the thread's remarks (scrubbed, or withheld
        when no scrubber is available), and whether the first two reviewer votes agreed (for the selection
        bias the card reports). ``side`` is in the released frame: after a swap, ``chosen`` is still the answer
        the row calls chosen."""
        flip = {"chosen": "rejected", "rejected": "chosen"} if swapped else {}
        ordered = sorted(votes, key=lambda v: (v.voted_at, v.id or 0))
        first_two = [to_label(v.choice, v.a_is) for v in ordered if v.role == "reviewer"][:2]
        thread = list(
            s.scalars(
                select(ThreadMessage).where(ThreadMessage.pair_id == pair_id).order_by(ThreadMessage.ts)
            )
        )
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

    # -- full text, thread discussion, events --------------------------------------------------------------
    def full_text_modal_for(
        self, pair_id: str, user: str, action_key: str | None = None
    ) -> dict[str, Any] | None:
        """The "Read full" modal of a pair (scrubbed texts only), audited; None when there is nothing to show or
        the click was handled before. The caller opens it at once (a trigger id lives 3 seconds)."""
        try:
            with self.write() as s:
                if not self.first_time(s, action_key):
                    return None
                post = s.get(ReviewPost, pair_id)
                pair = s.get(Pair, pair_id)
                if post is None or pair is None or not pair.scrubbed:
                    return None
                view = pair_view(pair)
                if post.state == "resolved" and pair.review and pair.review.get("swapped"):
                    view = PairView(
                        view.pair_id, view.prompt, view.rejected, view.chosen, view.tags, view.route_reasons
                    )
                self.audit(s, user, "read_full", pair_id)
                return full_text_modal(view, post.a_is)
        except IntegrityError:
            return None

    def first_time(self, s: Session, event_id: str | None) -> bool:
        """Mark a Slack event id as handled in this transaction; False if it was handled before. (A concurrent
        duplicate fails the transaction's commit on the primary key instead: callers catch IntegrityError.)"""
        if not event_id:
            return True
        if s.get(SeenSlackEvent, event_id) is not None:
            return False
        s.add(SeenSlackEvent(event_id=event_id, at=utcnow()))
        s.flush()
        return True

    def record_thread_message(
        self,
        event_id: str | None,
        thread_ts: str,
        user: str,
        ts: str,
        text: str,
        retry_num: int | None = None,
    ) -> bool:
        """Keep a reply in a review thread as signal. Returns False for a retried or unrelated event."""
        try:
            with self.write() as s:
                post_id = s.scalar(select(ReviewPost.pair_id).where(ReviewPost.ts == thread_ts))
                if post_id is None:
                    return False
                if not self.first_time(s, event_id):
                    log.info("slack event %s already handled (retry %s): skipped", event_id, retry_num)
                    return False
                s.add(ThreadMessage(pair_id=post_id, user_id=user, ts=ts, text=text, at=utcnow()))
                self.audit(s, user, "thread_message", post_id, ts=ts, event_id=event_id, retry=retry_num)
                pair = s.get(Pair, post_id)
                if pair is not None and pair.review:  # resolved: the released remarks follow the thread
                    s.flush()
                    thread = list(
                        s.scalars(
                            select(ThreadMessage)
                            .where(ThreadMessage.pair_id == post_id)
                            .order_by(ThreadMessage.ts)
                        )
                    )
                    remarks = self._remarks(thread)
                    pair.review = {
                        **pair.review,
                        "remarks": remarks if remarks is not None else [],
                        "remarks_withheld": 0 if remarks is not None else len(thread),
                    }
        except IntegrityError:
            log.info("slack event %s handled concurrently (retry %s): skipped", event_id, retry_num)
            return False
        return True

    # -- reminders ---------------------------------------------------------------------------------------
    def remind_due(self, now: datetime | None = None) -> int:
        """Queue a thread reminder for each open pair past its reminder time; the last is broadcast."""
        now = now or utcnow()
        p = self.policy
        n = 0
        with self.write() as s:
            posts = s.scalars(select(ReviewPost).where(ReviewPost.state.in_(OPEN_STATES)))
            for post in posts:
                if post.posted_at is None or post.reminders >= p.max_reminders:
                    continue
                if now < post.posted_at + timedelta(hours=p.remind_after_hours * (post.reminders + 1)):
                    continue
                votes = list(s.scalars(select(Vote).where(Vote.pair_id == post.pair_id)))
                top = max(Counter(to_label(v.choice, v.a_is) for v in votes).values(), default=0)
                post.reminders += 1
                post.reminded_at = now
                last = post.reminders == p.max_reminders
                text = msg.REMINDER_THREAD.format(
                    needed=max(p.quorum - top, 1), n=post.reminders, max=p.max_reminders
                )
                args = {"channel": post.channel or self.channel, "text": text, "reply_broadcast": last}
                key = f"remind:{post.pair_id}:{post.reminders}"
                self.queue_call(s, "chat.postMessage", args, post.pair_id, key, thread_of=post.pair_id)
                self.audit(s, "prefloop", "reminded", post.pair_id, n=post.reminders, broadcast=last)
                n += 1
        if n:
            self.on_outbox()
        return n
