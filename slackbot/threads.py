"""The "Read full" modal and the discussion in review threads (kept as signal; released scrubbed)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from prefloop.curator.store.models import (
    Pair,
    ReviewPost,
    ThreadMessage,
)
from prefloop.curator.store.models.base import utcnow
from prefloop.slackbot.exit_guard import pair_view
from prefloop.slackbot.resolution import Resolution
from prefloop.slackbot.views import PairView, full_text_modal

log = logging.getLogger(__name__)


class Threads(Resolution):
    """Read full and thread replies."""

    # -- full text, thread discussion, events --------------------------------------------------------------
    def full_text_modal_for(
        self, pair_id: str, user: str, action_key: str | None = None
    ) -> dict[str, Any] | None:
        """The "Read full" modal of a pair (scrubbed texts only), audited; None when there is nothing to show or
        the click was handled before. The caller opens it at once (a trigger id lives 3 seconds)."""

        def run() -> dict[str, Any] | None:
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

        return self.once(action_key, run)[1]

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

        def run() -> bool:
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
                return True

        done, kept = self.once(event_id, run)
        if not done:
            log.info("slack event %s handled concurrently (retry %s): skipped", event_id, retry_num)
        return bool(kept)
