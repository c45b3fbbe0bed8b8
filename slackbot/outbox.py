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

A pass costs the bot's other threads as little interpreter time as it can (the acks wait for it): the posts its
messages refer to are read in one statement, the messages it sent are marked ``sent`` together in one
transaction at its end (or every ``mark_every`` seconds within a long pass, well inside the lease, so no other
worker takes a sent message for a lost one), and after a wake-up the worker waits ``gather_seconds`` so one pass
carries the calls of several clicks. A message whose call failed is rescheduled on its own and never stops the
others' marks. The price: a worker that dies mid-pass resends what it sent since its last marks (at-least-once,
as before, with a window of one pass instead of one message).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, cast

from slack_sdk.errors import SlackApiError
from sqlalchemy import Table, bindparam, select, update

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
#: The outbox's table, for its statements without the ORM's per-row bookkeeping.
_OUTBOX = cast(Table, OutboxMessage.__table__)


@dataclass(frozen=True)
class _Claimed:
    id: int
    method: str
    pair_id: str | None
    payload: dict[str, Any]
    attempts: int
    created_at: datetime | None = None


@dataclass(frozen=True)
class _Sent:
    """A message Slack took (or whose purpose was met): marked ``sent`` with the pass's next marks."""

    row: _Claimed
    #: what Slack answered (channel, ts), or None when the call's purpose was met already (``error`` says why)
    result: dict[str, Any] | None
    error: str | None = None
    #: where Slack put a pair's post (``record_post`` messages): (channel, ts)
    posted: tuple[str, str] | None = None


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
        gather_seconds: float = 0.1,
        mark_every: float | None = None,
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
        #: after a wake-up, wait this long so one pass carries several clicks' calls
        self.gather_seconds = gather_seconds
        #: within a pass, mark what was sent at least this often (seconds; default a tenth of the lease)
        self.mark_every = lease_seconds / 10 if mark_every is None else mark_every
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
            if self._stop.is_set():
                break
            if stats.sent + stats.retried + stats.failed >= self.batch:
                continue  # a full pass of calls made: more may be due at once (deferred ones are not)
            if stats.sent == 0 and not self._wake.wait(self.poll_seconds):
                continue  # nothing new: poll for what is due again (retries, backoffs)
            self._stop.wait(self.gather_seconds)  # let the clicks of the next moment join one pass

    # -- one pass ----------------------------------------------------------------------------------------
    def drain_once(self) -> DrainStats:
        """Try every message due now (oldest first, at most ``batch``). Returns what happened."""
        stats = DrainStats()
        claimed, stats.deferred = self._claim_due()
        posts = self._posts_of(claimed)
        sent: list[_Sent] = []
        marked_at = time.monotonic()
        try:
            for row in claimed:
                until = self._paused.get(row.method)
                if (self._stop.is_set() and self._thread is not None) or (
                    until is not None and until > self.clock()
                ):
                    # stopping, or the method was rate-limited earlier in this pass: hand the message back
                    self._reschedule(row.id, until or self.clock(), None, count_attempt=False)
                    stats.deferred += 1
                    continue
                outcome = self._send_one(row, posts)
                if isinstance(outcome, _Sent):
                    sent.append(outcome)
                    if outcome.posted is not None and row.pair_id:
                        posts[row.pair_id] = outcome.posted  # its replies later in this pass need not wait
                    stats.sent += 1
                else:
                    stats += outcome
                if sent and time.monotonic() - marked_at >= self.mark_every:
                    self._mark_sent(sent)
                    sent, marked_at = [], time.monotonic()
        finally:
            self._mark_sent(sent)  # also when a reschedule failed: what Slack took is not sent twice
        self.totals += stats
        return stats

    def _posts_of(self, claimed: list[_Claimed]) -> dict[str, tuple[str | None, str | None]]:
        """Where the posts that the claimed messages reply to or edit are: one statement per pass."""
        refs = {
            ref for row in claimed if (ref := row.payload.get("thread_of") or row.payload.get("update_of"))
        }
        if not refs:
            return {}
        with self.store.session() as s:
            rows = s.execute(
                select(ReviewPost.pair_id, ReviewPost.channel, ReviewPost.ts).where(
                    ReviewPost.pair_id.in_(sorted(refs))
                )
            )
            return {pair_id: (channel, ts) for pair_id, channel, ts in rows}

    def _mark_sent(self, sent: list[_Sent]) -> None:
        """Mark messages ``sent`` (and record where Slack put the posts among them): one transaction, one
        statement for the messages and one for the posts."""
        if not sent:
            return
        table = _OUTBOX
        now = self.clock()
        with self.service.write() as s:
            for batch, values in (
                ([d for d in sent if d.error is None], {"last_error": None, "result": bindparam("m_result")}),
                ([d for d in sent if d.error is not None], {"last_error": bindparam("m_error")}),
            ):
                if batch:
                    s.execute(
                        update(table)
                        .where(table.c.id == bindparam("m_id"))
                        .values(status="sent", sent_at=now, **values),
                        [{"m_id": d.row.id, "m_result": d.result, "m_error": d.error} for d in batch],
                    )
            posted = [(d.row.pair_id, *d.posted) for d in sent if d.posted is not None and d.row.pair_id]
            if posted:
                self.service.record_posts(s, posted)

    def _claim_due(self) -> tuple[list[_Claimed], int]:
        """Lease the due messages (not of a paused method) in one transaction. PostgreSQL skips rows another
        process holds, so several workers never send the same message."""
        now = self.clock()
        paused = {m for m, until in self._paused.items() if until > now}
        table = _OUTBOX
        with self.service.write() as s:
            query = (
                select(
                    table.c.id,
                    table.c.method,
                    table.c.pair_id,
                    table.c.payload,
                    table.c.attempts,
                    table.c.created_at,
                )
                .where(table.c.status == "pending", table.c.next_attempt_at <= now)
                .order_by(table.c.id)
                .limit(self.batch)
            )
            if self.store.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(s.execute(query))
            take = [r for r in rows if r.method not in paused]
            if take:
                s.execute(
                    update(table)
                    .where(table.c.id.in_([r.id for r in take]))
                    .values(next_attempt_at=now + self.lease, attempts=table.c.attempts + 1)
                )
            claimed = [
                _Claimed(r.id, r.method, r.pair_id, dict(r.payload or {}), r.attempts + 1, r.created_at)
                for r in take
            ]
        return claimed, len(rows) - len(take)

    def _send_one(self, row: _Claimed, posts: dict[str, tuple[str | None, str | None]]) -> _Sent | DrainStats:
        """Make one message's call: ``_Sent`` when Slack took it (marked with the pass's next marks), else what
        happened to it (rescheduled or failed, written at once)."""
        payload = row.payload
        args = dict(payload.get("args") or {})
        ref = payload.get("thread_of") or payload.get("update_of")
        if ref:
            channel, ts = posts.get(ref, (None, None))
            if not ts:
                self._reschedule(row.id, self.clock() + timedelta(seconds=1), None, count_attempt=False)
                return DrainStats(deferred=1)
            args["channel"] = channel or args.get("channel")
            args["thread_ts" if payload.get("thread_of") else "ts"] = ts
        try:
            response = self.client.api_call(row.method, json=args)
            data = dict(response.data) if hasattr(response, "data") else dict(response)
        except SlackApiError as exc:
            return self._failed_call(row, exc)
        except Exception as exc:  # connection refused, timeout, DNS: Slack is unreachable, try later
            return self._retry(row, f"{exc.__class__.__name__}: {exc}")
        result = {k: data[k] for k in ("channel", "ts", "message_ts") if k in data}
        posted = (str(data.get("channel")), str(data.get("ts"))) if payload.get("record_post") else None
        return _Sent(row, result, posted=posted)

    def _failed_call(self, row: _Claimed, exc: SlackApiError) -> _Sent | DrainStats:
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
            return _Sent(row, None, error=str(error))
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
