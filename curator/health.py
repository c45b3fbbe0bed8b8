"""Liveness and readiness of the long-running roles, as plain data and plain functions.

A role keeps a small state object up to date from its own loop (a few attribute writes per poll); the ops
server (:mod:`prefloop.curator.ops_server`) turns the reports into ``/healthz`` and ``/readyz``:

- **live** (``/healthz``): the process is not stuck. A restart would help, so Kubernetes may restart on it.
- **ready** (``/readyz``): the role does its work now. For the curator: it polls its topic (or spool), the
  database answers, and how far behind it is (consumer lag per partition, summed).

A report is ``(ok, detail)``: ``detail`` is a JSON-able dict that says why.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "POLL_STALE_S",
    "STALL_S",
    "ConsumerState",
    "Report",
    "consumer_liveness",
    "consumer_readiness",
    "scheduler_readiness",
]

Report = tuple[bool, dict[str, Any]]

#: readiness: the consumer loop polled within this many seconds
POLL_STALE_S = 30.0
#: liveness: the loop made progress within this many seconds (= Kafka's max.poll.interval.ms default), unless it
#: is waiting for the database, which a restart would not bring back
STALL_S = 300.0


@dataclass
class ConsumerState:
    """What the curator's loop last did. Written by the loop's threads, read by the ops server."""

    mode: str = "kafka"  # "kafka" or "spool"
    started_at: float = field(default_factory=time.monotonic)
    #: the store, scrubber and tagger are loaded and the loop runs
    running: bool = False
    stopped: bool = False
    last_poll_at: float | None = None
    partitions: tuple[int, ...] = ()
    lag: dict[int, int] = field(default_factory=dict)
    db_failing_since: float | None = None
    db_error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def polled(self, partitions: tuple[int, ...] | None = None, now: float | None = None) -> None:
        with self._lock:
            self.running = True
            self.last_poll_at = time.monotonic() if now is None else now
            if partitions is not None:
                self.partitions = partitions
                self.lag = {p: n for p, n in self.lag.items() if p in partitions}

    def set_lag(self, behind: dict[int, int]) -> None:
        with self._lock:
            self.lag = dict(behind)

    def db_failed(self, error: str, now: float | None = None) -> None:
        with self._lock:
            if self.db_failing_since is None:
                self.db_failing_since = time.monotonic() if now is None else now
            self.db_error = error

    def db_ok(self) -> None:
        if self.db_failing_since is not None:
            with self._lock:
                self.db_failing_since, self.db_error = None, None

    def snapshot(self) -> ConsumerState:
        with self._lock:
            return ConsumerState(
                mode=self.mode,
                started_at=self.started_at,
                running=self.running,
                stopped=self.stopped,
                last_poll_at=self.last_poll_at,
                partitions=self.partitions,
                lag=dict(self.lag),
                db_failing_since=self.db_failing_since,
                db_error=self.db_error,
            )


def _detail(state: ConsumerState, now: float) -> dict[str, Any]:
    return {
        "mode": state.mode,
        "running": state.running,
        "partitions": list(state.partitions),
        "lag": {str(p): n for p, n in sorted(state.lag.items())},
        # unknown (null) until the lag of every assigned partition was measured: 0 then means caught up
        "lag_total": sum(state.lag.values()) if set(state.partitions) <= set(state.lag) else None,
        "last_poll_age_s": None if state.last_poll_at is None else round(now - state.last_poll_at, 3),
        "database": "ok"
        if state.db_failing_since is None
        else f"failing for {now - state.db_failing_since:.0f}s ({state.db_error})",
    }


def consumer_readiness(
    state: ConsumerState, now: float | None = None, stale_s: float = POLL_STALE_S
) -> Report:
    """Ready = consuming: the loop polled within ``stale_s`` and the database answers. A member with no partition
    (more members than partitions) is ready too: it polls and takes partitions over at the next rebalance."""
    state = state.snapshot()
    now = time.monotonic() if now is None else now
    detail = _detail(state, now)
    consuming = (
        state.running
        and not state.stopped
        and state.last_poll_at is not None
        and now - state.last_poll_at <= stale_s
        and state.db_failing_since is None
    )
    detail["consuming"] = consuming
    return consuming, detail


def consumer_liveness(state: ConsumerState, now: float | None = None, stall_s: float = STALL_S) -> Report:
    """Live unless the loop has made no progress for ``stall_s`` for a reason a restart could fix (start-up,
    loading the models, counts from process start; waiting for the database does not count as stuck)."""
    state = state.snapshot()
    now = time.monotonic() if now is None else now
    detail = _detail(state, now)
    last = state.last_poll_at if state.last_poll_at is not None else state.started_at
    stuck = now - last > stall_s and state.db_failing_since is None and not state.stopped
    return not stuck, detail


def scheduler_readiness(running: bool, next_run_time: Any) -> Report:
    """Ready when the scheduler runs and its job store (the database) holds the monthly job."""
    ok = bool(running) and next_run_time is not None
    return ok, {
        "running": bool(running),
        "next_run_time": None if next_run_time is None else str(next_run_time),
    }
