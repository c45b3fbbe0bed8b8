"""Retention: blank raw event text older than the retention period; metadata and scrubbed pairs stay.

What is blanked: the texts in ``events.payload`` (context contents, response text, feedback comment, edited
text), ``responses.text`` (set to NULL: such responses are never paired again), ``feedback.comment`` (NULL),
``prompt_groups.context`` contents for groups last seen before the cutoff, the texts of pairs that were never
scrubbed (discarded ties and the like), and the raw bytes of dead letters (emptied; code and reason stay).
Scrubbed pairs are what reviews and releases read, and they are left as they are.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from prefloop.curator.ingest.refused import one_line_reason
from prefloop.curator.ingest.sanitize import finite_json
from prefloop.curator.messages import PURGE_DONE, PURGE_FAILED
from prefloop.curator.store import Store
from prefloop.curator.store.models import (
    DeadLetter,
    EventRow,
    FeedbackState,
    Pair,
    PromptGroup,
    ResponseRow,
    utcnow,
)

__all__ = ["PurgeResult", "PurgeSchedule", "blank_payload", "count_purgeable", "purge"]

log = logging.getLogger(__name__)

_BATCH = 1000


@dataclass
class PurgeResult:
    events: int = 0
    responses: int = 0
    groups: int = 0
    pairs: int = 0
    comments: int = 0
    dead_letters: int = 0

    def summary(self, days: int, cutoff: datetime) -> str:
        """The one-line report of a finished purge (the CLI prints it, the schedule logs it)."""
        return PURGE_DONE.format(
            days=days,
            cutoff=cutoff.isoformat(),
            events=self.events,
            responses=self.responses,
            groups=self.groups,
            pairs=self.pairs,
            comments=self.comments,
            dead_letters=self.dead_letters,
        )


def _blank_messages(messages: Any) -> Any:
    if not isinstance(messages, list):
        return messages
    return [{**m, "content": ""} if isinstance(m, dict) else m for m in messages]


def blank_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with every free text emptied (ids, types, times, ratings kept)."""
    # an unknown field with a number out of range (kept as received, e.g. 1e400) cannot be written back as JSON
    out = {k: v for k, v in payload.items() if finite_json(v)}
    if "context" in out:
        out["context"] = _blank_messages(out["context"])
    for key in ("text", "comment", "edited_text"):
        if isinstance(out.get(key), str):
            out[key] = ""
    return out


def count_purgeable(store: Store, cutoff: datetime) -> int:
    with store.session() as s:
        return int(
            s.execute(
                select(func.count()).where(EventRow.occurred_at < cutoff, EventRow.purged_at.is_(None))
            ).scalar_one()
        )


def purge(store: Store, cutoff: datetime) -> PurgeResult:
    """Blank raw text older than ``cutoff``, in batches of a thousand rows per transaction."""
    result = PurgeResult()
    now = utcnow()
    while True:
        with store.session() as s:
            rows = s.execute(
                select(EventRow.event_id, EventRow.payload)
                .where(EventRow.occurred_at < cutoff, EventRow.purged_at.is_(None))
                .limit(_BATCH)
            ).all()
            if not rows:
                break
            s.execute(
                update(EventRow),
                [
                    {"event_id": r.event_id, "payload": blank_payload(r.payload), "purged_at": now}
                    for r in rows
                ],
            )
            result.events += len(rows)
    with store.session() as s:
        result.responses = s.execute(  # type: ignore[attr-defined]
            update(ResponseRow)
            .where(ResponseRow.shown_at < cutoff, ResponseRow.text.is_not(None))
            .values(text=None)
        ).rowcount
        groups = s.execute(
            select(PromptGroup.key, PromptGroup.context).where(
                PromptGroup.last_seen < cutoff, PromptGroup.purged_at.is_(None)
            )
        ).all()
        if groups:
            s.execute(
                update(PromptGroup),
                [{"key": g.key, "context": _blank_messages(g.context), "purged_at": now} for g in groups],
            )
        result.groups = len(groups)
        raw_pairs = s.execute(
            select(Pair.pair_id, Pair.prompt).where(
                Pair.scrubbed.is_(False), Pair.formed_at < cutoff, Pair.chosen != ""
            )
        ).all()
        if raw_pairs:
            s.execute(
                update(Pair),
                [
                    {"pair_id": p.pair_id, "prompt": _blank_messages(p.prompt), "chosen": "", "rejected": ""}
                    for p in raw_pairs
                ],
            )
        result.pairs = len(raw_pairs)
        result.comments = s.execute(  # type: ignore[attr-defined]
            update(FeedbackState)
            .where(FeedbackState.occurred_at < cutoff, FeedbackState.comment.is_not(None))
            .values(comment=None)
        ).rowcount
        result.dead_letters = s.execute(  # type: ignore[attr-defined]
            update(DeadLetter).where(DeadLetter.at < cutoff, func.length(DeadLetter.raw) > 0).values(raw=b"")
        ).rowcount
    return result


#: a failed purge runs again after this long at most (retention is a promise: not an hour late for a blip)
RETRY_AFTER_FAILURE_S = 300.0


class PurgeSchedule:
    """Runs :func:`purge` for ``retention_days`` on a daemon thread: at :meth:`start`, then every ``interval_s``
    (``prefloop curator run`` starts one, so retention holds without a separate cron job; ``prefloop purge``
    stays for one-off runs). A failed run is logged in one line (the error's class and SQLSTATE, never its SQL)
    and retried after at most :data:`RETRY_AFTER_FAILURE_S`: purging is idempotent, each batch its own transaction. ``clock`` gives the current UTC time (tests pass their own)."""

    def __init__(
        self,
        store: Store,
        retention_days: int,
        *,
        interval_s: float = 3600.0,
        metrics: Any = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.retention_days = retention_days
        self.interval_s = interval_s
        self.metrics = metrics
        self.clock = clock
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> PurgeResult:
        """Purge now, whatever the schedule."""
        now = self.clock()
        cutoff = now - timedelta(days=self.retention_days)
        result = purge(self.store, cutoff)
        self.runs += 1
        log.info(result.summary(self.retention_days, cutoff))
        if self.metrics is not None:
            self.metrics.observe_purge(result.events, time.time())
        return result

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="prefloop-purge", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the schedule; a purge that is running finishes its current batch first."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except (
                Exception
            ) as exc:  # the store is away, its disk is full, a lock conflict: the next run catches up
                wait = min(self.interval_s, RETRY_AFTER_FAILURE_S)
                log.warning(PURGE_FAILED.format(error=one_line_reason(exc), interval=wait))
                self._stop.wait(wait)
                continue
            self._stop.wait(self.interval_s)
