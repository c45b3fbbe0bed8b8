"""Posting pairs for review (gold items mixed in, unscrubbed pairs refused) and reminding open threads."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, case, select, update
from sqlalchemy.orm import Session

from prefloop.curator.store.models import (
    Pair,
    ReviewPost,
    Vote,
)
from prefloop.curator.store.models.base import utcnow
from prefloop.slackbot import messages as msg
from prefloop.slackbot.exit_guard import pair_view
from prefloop.slackbot.queries import OPEN_STATES
from prefloop.slackbot.quorum import to_label
from prefloop.slackbot.transactions import ReviewTransactions
from prefloop.slackbot.views import review_message

log = logging.getLogger(__name__)


@dataclass
class EnqueueResult:
    queued: list[str] = field(default_factory=list)
    refused_unscrubbed: list[str] = field(default_factory=list)


class Posting(ReviewTransactions):
    """Queue posts and reminders; remember where a post landed."""

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
        self.record_posts(s, [(pair_id, channel, ts)])

    def record_posts(self, s: Session, posted: list[tuple[str, str, str]]) -> None:
        """The outbox sent these pairs' posts ``(pair_id, channel, ts)``: one statement for all of them; a post
        still ``queued`` becomes ``posted``."""
        if not posted:
            return
        table = cast(Table, ReviewPost.__table__)
        s.execute(
            update(table)
            .where(table.c.pair_id == bindparam("p_pair"))
            .values(
                channel=bindparam("p_channel"),
                ts=bindparam("p_ts"),
                posted_at=utcnow(),
                state=case((table.c.state == "queued", "posted"), else_=table.c.state),
            ),
            [{"p_pair": pair_id, "p_channel": channel, "p_ts": ts} for pair_id, channel, ts in posted],
        )

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
