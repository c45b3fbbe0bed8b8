"""The Slack outbox worker: makes the Slack API calls queued in the store, in order, exactly once each.

Slack being down (5xx, connection errors) or rate-limiting (429 + Retry-After) only delays a message: it stays
``pending`` with a later ``next_attempt_at``. A rate-limited method is paused for every message until its
Retry-After has passed. Errors Slack will never accept (``channel_not_found``, an expired trigger id, ...)
mark the message ``failed`` with the error kept in ``last_error``.

Messages may refer to a pair's post instead of carrying its ``ts``: ``thread_of`` (reply in its thread) and
``update_of`` (edit it). They wait until the post itself was sent.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update

from prefloop.curator.store.models import OutboxMessage, ReviewPost
from prefloop.curator.store.models.base import utcnow
from prefloop.slackbot.service import ReviewService

__all__ = ["DrainStats", "Outbox", "SlackCaller"]

log = logging.getLogger(__name__)

#: Slack errors worth retrying (everything else returned with ok=false is final).
_RETRYABLE_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}


@dataclass(frozen=True)
class _Claimed:
    id: int
    method: str
    pair_id: str | None
    payload: dict[str, Any]
    attempts: int


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
        max_attempts: int = 25,
        max_backoff: float = 300.0,
        poll_seconds: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.service = service
        self.store = service.store
        self.client = client
        self.batch = batch
        self.lease = timedelta(seconds=lease_seconds)
        self.max_attempts = max_attempts
        self.max_backoff = max_backoff
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
            except Exception:  # the loop must survive a database hiccup; the message stays queued
                log.exception("outbox drain failed; retrying")
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
                _Claimed(r.id, r.method, r.pair_id, dict(r.payload or {}), r.attempts + 1) for r in take
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
        log.error("Slack refused %s for pair %s: %s (not retried)", row.method, row.pair_id, error)
        with self.service.write() as s:
            msg = s.get(OutboxMessage, row.id)
            assert msg is not None
            msg.status, msg.last_error = "failed", f"HTTP {status}: {error}"
        return DrainStats(failed=1)

    def _retry(self, row: _Claimed, error: str) -> DrainStats:
        if row.attempts >= self.max_attempts:
            log.error(
                "giving up on %s for pair %s after %d attempts: %s",
                row.method,
                row.pair_id,
                row.attempts,
                error,
            )
            with self.service.write() as s:
                msg = s.get(OutboxMessage, row.id)
                assert msg is not None
                msg.status, msg.last_error = "failed", error
            return DrainStats(failed=1)
        delay = min(self.max_backoff, 2.0 ** max(row.attempts - 1, 0)) * (0.5 + random.random() / 2)
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


def _retry_after(headers: Any) -> int:
    for key in ("Retry-After", "retry-after"):
        try:
            value = headers.get(key)
            if value is not None:
                return max(int(float(value if isinstance(value, str) else value[0])), 1)
        except (TypeError, ValueError, IndexError):
            continue
    return 1
