"""The Slack outbox worker: makes the Slack API calls queued in the store, in order, exactly once each.

Slack being down (5xx, connection errors) or rate-limiting (429 + Retry-After) only delays a message: it stays
``pending`` with a later ``next_attempt_at``, retried with exponential backoff capped at ``max_backoff`` (5
minutes) for as long as ``give_up_after`` (3 days) from when it was queued: an outage of hours strands nothing.
A rate-limited method is paused for every message until its Retry-After has passed. Errors Slack will never
accept (``channel_not_found``, an expired trigger id, ...), and messages still refused after ``give_up_after``,
are marked ``failed`` with the error in ``last_error``: never silently — each one is logged (an ERROR line that
names the command to send it again), counted in ``prefloop_slack_outbox_messages{status="failed"}``, and
``prefloop slackbot resend`` (:func:`resend_failed`) queues it again. A ``chat.delete`` of a message that is
gone already is done.

Messages may refer to a pair's post instead of carrying its ``ts``: ``thread_of`` (reply in its thread) and
``update_of`` (edit it). They wait until the post itself was sent.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update

from prefloop.curator.store.models import OutboxMessage, ReviewPost
from prefloop.curator.store.models.base import utcnow
from prefloop.slackbot import messages
from prefloop.slackbot.service import ReviewService

__all__ = ["DrainStats", "Outbox", "SlackCaller", "resend_failed"]

log = logging.getLogger(__name__)

#: Slack errors worth retrying (everything else returned with ok=false is final).
_RETRYABLE_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
#: Errors that mean the call's purpose is already met (deleting a message that is gone).
_DONE_ERRORS = {"chat.delete": {"message_not_found"}}


@dataclass(frozen=True)
class _Claimed:
    id: int
    method: str
    pair_id: str | None
    payload: dict[str, Any]
    attempts: int
    created_at: datetime | None = None


class SlackCaller(Protocol):
    def api_call(self, api_method: str, *, json: dict[str, Any] | None = None) -> Any: ...


@dataclass
class DrainStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0

    def __iadd__(self, other: DrainStats) -> DrainStats:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.deferred += other.deferred
        return self


class Outbox:
    """Drains ``slack_outbox``. ``drain_once()`` for a CLI run; ``start()`` for a background thread."""

    def __init__(
        self,
        service: ReviewService,
        client: SlackCaller,
        batch: int = 100,
        lease_seconds: float = 60.0,
        max_attempts: int | None = None,
        max_backoff: float = 300.0,
        give_up_after: float = 3 * 24 * 3600.0,
        poll_seconds: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.service = service
        self.store = service.store
        self.client = client
        self.batch = batch
        self.lease = timedelta(seconds=lease_seconds)
        #: give up after this many attempts (None: only ``give_up_after`` counts)
        self.max_attempts = max_attempts
        self.max_backoff = max_backoff
        self.give_up_after = timedelta(seconds=give_up_after)
        self.poll_seconds = poll_seconds
        self.clock = clock
        self._paused: dict[str, datetime] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.totals = DrainStats()

    # -- background thread -------------------------------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    def start(self) -> Outbox:
        if self._thread is None:
            self._stop.clear()
            self.service.on_outbox = self.wake
            self._thread = threading.Thread(target=self._run, name="slack-outbox", daemon=True)
            self._thread.start()
        return self

    @property
    def alive(self) -> bool:
        """The background worker thread runs (for the bot's readiness probe)."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                stats = self.drain_once()
            except Exception as exc:  # the loop must survive a database hiccup; the message stays queued
                log.error("outbox drain failed (%s); retrying", _one_line(exc))
                stats = DrainStats()
            if stats.sent == 0 or self._stop.is_set():
                self._wake.wait(self.poll_seconds)

    # -- one pass ----------------------------------------------------------------------------------------
    def drain_once(self) -> DrainStats:
        """Try every message due now (oldest first, at most ``batch``). Returns what happened."""
        stats = DrainStats()
        claimed, stats.deferred = self._claim_due()
        for row in claimed:
            until = self._paused.get(row.method)
            if (self._stop.is_set() and self._thread is not None) or (
                until is not None and until > self.clock()
            ):
                # stopping, or the method was rate-limited earlier in this pass: hand the message back
                self._reschedule(row.id, until or self.clock(), None, count_attempt=False)
                stats.deferred += 1
                continue
            stats += self._send_one(row)
        self.totals += stats
        return stats

    def _claim_due(self) -> tuple[list[_Claimed], int]:
        """Lease the due messages (not of a paused method) in one transaction. PostgreSQL skips rows another
        process holds, so several workers never send the same message."""
        now = self.clock()
        paused = {m for m, until in self._paused.items() if until > now}
        with self.service.write() as s:
            query = (
                select(OutboxMessage)
                .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.id)
                .limit(self.batch)
            )
            if self.store.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(s.scalars(query))
            take = [r for r in rows if r.method not in paused]
            if take:
                s.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_([r.id for r in take]))
                    .values(next_attempt_at=now + self.lease, attempts=OutboxMessage.attempts + 1)
                    .execution_options(synchronize_session=False)
                )
            claimed = [
                _Claimed(r.id, r.method, r.pair_id, dict(r.payload or {}), r.attempts + 1, r.created_at)
                for r in take
            ]
        return claimed, len(rows) - len(take)

    def _send_one(self, row: _Claimed) -> DrainStats:
        payload = row.payload
        args = dict(payload.get("args") or {})
        ref = payload.get("thread_of") or payload.get("update_of")
        if ref:
            with self.store.session() as s:
                where = s.execute(
                    select(ReviewPost.channel, ReviewPost.ts).where(ReviewPost.pair_id == ref)
                ).first()
            if where is None or not where.ts:
                self._reschedule(row.id, self.clock() + timedelta(seconds=1), None, count_attempt=False)
                return DrainStats(deferred=1)
            args["channel"] = where.channel or args.get("channel")
            args["thread_ts" if payload.get("thread_of") else "ts"] = where.ts
        try:
            response = self.client.api_call(row.method, json=args)
            data = dict(response.data) if hasattr(response, "data") else dict(response)
        except SlackApiError as exc:
            return self._failed_call(row, exc)
        except Exception as exc:  # connection refused, timeout, DNS: Slack is unreachable, try later
            return self._retry(row, f"{exc.__class__.__name__}: {exc}")
        with self.service.write() as s:
            s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(
                    status="sent",
                    sent_at=self.clock(),
                    last_error=None,
                    result={k: data[k] for k in ("channel", "ts", "message_ts") if k in data},
                )
                .execution_options(synchronize_session=False)
            )
            if payload.get("record_post") and row.pair_id:
                self.service.record_posted(s, row.pair_id, str(data.get("channel")), str(data.get("ts")))
        return DrainStats(sent=1)

    def _failed_call(self, row: _Claimed, exc: SlackApiError) -> DrainStats:
        status = getattr(exc.response, "status_code", None)
        headers = getattr(exc.response, "headers", {}) or {}
        data = getattr(exc.response, "data", {}) or {}
        error = data.get("error") if isinstance(data, dict) else None
        if status == 429 or error == "ratelimited":
            retry_after = _retry_after(headers)
            until = self.clock() + timedelta(seconds=retry_after)
            self._paused[row.method] = until
            log.warning("Slack rate-limited %s: retrying after %ss", row.method, retry_after)
            self._reschedule(
                row.id, until, f"429 ratelimited (Retry-After {retry_after}s)", count_attempt=True
            )
            return DrainStats(retried=1)
        if (status is not None and status >= 500) or error in _RETRYABLE_ERRORS:
            return self._retry(row, f"HTTP {status}: {error or 'server error'}")
        if error in _DONE_ERRORS.get(row.method, ()):
            with self.service.write() as s:
                s.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id)
                    .values(status="sent", sent_at=self.clock(), last_error=str(error))
                    .execution_options(synchronize_session=False)
                )
            return DrainStats(sent=1)
        return self._fail(row, f"HTTP {status}: {error}", messages.OUTBOX_REFUSED)

    def _fail(self, row: _Claimed, error: str, template: str) -> DrainStats:
        """Mark the message failed: logged (one ERROR line per message) and counted by status in the metrics;
        ``prefloop slackbot resend`` queues it again."""
        log.error(
            template.format(
                id=row.id, method=row.method, pair=row.pair_id or "-", attempts=row.attempts, error=error
            )
        )
        with self.service.write() as s:
            msg = s.get(OutboxMessage, row.id)
            assert msg is not None
            msg.status, msg.last_error = "failed", error
        return DrainStats(failed=1)

    def _gave_up(self, row: _Claimed) -> bool:
        if self.max_attempts is not None and row.attempts >= self.max_attempts:
            return True
        created = row.created_at
        if created is None:
            return False
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        return self.clock() - created >= self.give_up_after

    def _retry(self, row: _Claimed, error: str) -> DrainStats:
        if self._gave_up(row):
            return self._fail(row, error, messages.OUTBOX_GAVE_UP)
        delay = min(self.max_backoff, 2.0 ** min(max(row.attempts - 1, 0), 30)) * (0.5 + random.random() / 2)
        log.warning("Slack %s failed (%s): retry %d in %.1fs", row.method, error, row.attempts, delay)
        self._reschedule(row.id, self.clock() + timedelta(seconds=delay), error, count_attempt=True)
        return DrainStats(retried=1)

    def _reschedule(self, msg_id: int, when: datetime, error: str | None, count_attempt: bool) -> None:
        with self.service.write() as s:
            msg = s.get(OutboxMessage, msg_id)
            assert msg is not None
            msg.next_attempt_at = when
            if error:
                msg.last_error = error
            if not count_attempt:
                msg.attempts -= 1

    def drain(self, timeout: float = 30.0) -> DrainStats:
        """Drain until nothing is due or ``timeout`` passes, waiting for Retry-After/backoff in between."""
        deadline = time.monotonic() + timeout
        total = DrainStats()
        while time.monotonic() < deadline:
            stats = self.drain_once()
            total += stats
            if self.pending() == 0:
                break
            if stats.sent == 0:
                time.sleep(0.2)
        return total

    def pending(self) -> int:
        with self.store.session() as s:
            return len(list(s.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "pending"))))


def resend_failed(store: Any, ids: Sequence[int] = (), *, now: datetime | None = None) -> int:
    """Queue failed messages again (all of them, or those with ``ids``): pending, due now, attempts and age
    counted afresh. Returns how many."""
    now = now or utcnow()
    query = update(OutboxMessage).where(OutboxMessage.status == "failed")
    if ids:
        query = query.where(OutboxMessage.id.in_(list(ids)))
    with store.session() as s:
        result = s.execute(
            query.values(status="pending", attempts=0, next_attempt_at=now, created_at=now).execution_options(
                synchronize_session=False
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _one_line(exc: BaseException) -> str:
    """An error as one log line: its class and the first line of its message (no traceback: a database that is
    down would otherwise write one every poll)."""
    text = str(exc).strip()
    first = text.splitlines()[0][:300] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _retry_after(headers: Any) -> int:
    for key in ("Retry-After", "retry-after"):
        try:
            value = headers.get(key)
            if value is not None:
                return max(int(float(value if isinstance(value, str) else value[0])), 1)
        except (TypeError, ValueError, IndexError):
            continue
    return 1
