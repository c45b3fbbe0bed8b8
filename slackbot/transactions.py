"""The review workflow's plumbing: one write transaction at a time on SQLite, the audit log, the outbox
(every Slack call is written in the same transaction as the state change it belongs to) and the record of
Slack events already handled."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prefloop.curator.store import Store
from prefloop.curator.store.models import (
    AuditEntry,
    GoldItem,
    OutboxMessage,
    SeenSlackEvent,
)
from prefloop.curator.store.models.base import utcnow
from prefloop.slackbot.queries import ReviewQueries
from prefloop.slackbot.quorum import QuorumPolicy
from prefloop.slackbot.rubric import Rubric
from prefloop.slackbot.views import DEFAULT_CUT

#: How often a process that has seen no gold item asks the store again (gold items are added by the CLI).
GOLD_CHECK_SECONDS = 30.0


class ReviewTransactions(ReviewQueries):
    """State and plumbing shared by the review workflow's parts (posting, voting, resolution, threads)."""

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
        #: Whether the store holds gold items: until it does, a vote needs no gold look-ups (checked again every
        #: ``GOLD_CHECK_SECONDS``; once true it stays true).
        self._has_gold = False
        self._gold_checked_at = -GOLD_CHECK_SECONDS

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

    def mark_handled(self, s: Session, event_id: str | None) -> None:
        """Mark a Slack event id as handled in this transaction. An id handled before (or concurrently) fails
        the insert on the primary key at once: callers catch IntegrityError and skip the event. (No look-up
        first: every vote would pay for it, and only replays need it.)"""
        if event_id:
            s.add(SeenSlackEvent(event_id=event_id, at=utcnow()))
            s.flush()

    def store_has_gold(self, s: Session) -> bool:
        """Whether any gold item exists (cached; see ``_has_gold``)."""
        now = time.monotonic()
        if not self._has_gold and now - self._gold_checked_at >= GOLD_CHECK_SECONDS:
            self._has_gold = s.scalar(select(GoldItem.pair_id).limit(1)) is not None
            self._gold_checked_at = now
        return self._has_gold
