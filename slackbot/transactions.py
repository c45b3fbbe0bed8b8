"""The review workflow's plumbing: one write transaction at a time on SQLite, the audit log, the outbox
(every Slack call is written in the same transaction as the state change it belongs to) and the record of
Slack events already handled."""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, TypeVar

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from prefloop.curator.store import Store
from prefloop.curator.store.bulk import insert_stmt
from prefloop.curator.store.models import (
    AuditEntry,
    OutboxMessage,
    SeenSlackEvent,
)
from prefloop.curator.store.models.base import utcnow
from prefloop.slackbot.queries import ReviewQueries
from prefloop.slackbot.quorum import QuorumPolicy
from prefloop.slackbot.rubric import Rubric
from prefloop.slackbot.views import DEFAULT_CUT

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How often a transaction that met a concurrent one creating the same record is run again.
CONFLICT_ATTEMPTS = 3
#: The insert that marks a Slack event or action as handled, per dialect (see ``first_time``).
_MARK_SEEN: dict[str, Any] = {}


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

    def handled_before(self, event_id: str) -> bool:
        """Whether a Slack event or action id is recorded as handled (by a committed transaction)."""
        with self.store.session() as s:
            return s.get(SeenSlackEvent, event_id) is not None

    def once(self, key: str | None, run: Callable[[], T]) -> tuple[bool, T | None]:
        """Run ``run`` (one write transaction that marks ``key`` with :meth:`first_time`): ``(True, its result)``,
        or ``(False, None)`` when a concurrent transaction handled the same Slack action or event (an insert of
        ``key`` failed on it). A conflict on any other key is two transactions creating one record at once, not a
        duplicate: the transaction is run again, so an acknowledged click is never dropped for it."""
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                return True, run()
            except IntegrityError as exc:
                if key is not None and self.handled_before(key):
                    return False, None
                if attempt == CONFLICT_ATTEMPTS:
                    raise
                log.warning(
                    "slack action %s met a concurrent write (%s); running it again (%d of %d)",
                    key or "(no key)",
                    type(exc.orig).__name__,
                    attempt + 1,
                    CONFLICT_ATTEMPTS,
                )
        raise AssertionError("unreachable")  # pragma: no cover

    def first_time(self, s: Session, event_id: str | None) -> bool:
        """Mark a Slack event id as handled in this transaction; False if it was handled before.

        One statement: an insert that does nothing on conflict and says whether it inserted. On PostgreSQL a
        concurrent transaction inserting the same id makes it wait for that one: if it commits, this is a
        duplicate; if it rolls back, this one inserts."""
        if not event_id:
            return True
        dialect = s.get_bind().dialect.name
        stmt = _MARK_SEEN.get(dialect)
        if stmt is None:  # built once per dialect: a click spends no interpreter time composing it
            stmt = _MARK_SEEN[dialect] = (
                insert_stmt(s, SeenSlackEvent)
                .values(event_id=bindparam("seen_id"), at=bindparam("seen_at"))
                .on_conflict_do_nothing()
                .returning(SeenSlackEvent.event_id)
            )
        inserted = s.execute(stmt, {"seen_id": event_id, "seen_at": utcnow()}).first()
        return inserted is not None
