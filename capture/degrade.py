"""What ``response_shown`` does instead of raising into the host's request (non-strict mode, the default).

A response that cannot be recorded (spool over budget, queue full, event too large, invalid input, no user,
shut down, or a bug in capture) returns an empty :class:`~prefloop.capture.core.ResponseToken` the template
can render as usual; the failure is counted in ``prefloop_capture_degraded_total{reason}``, logged at most
once per interval (with how many were not logged), and shown by ``<prefix>/status``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from prefloop.capture import messages
from prefloop.capture.metrics import CaptureMetrics
from prefloop.schemas.errors import PrefloopError

__all__ = ["Degradations", "reason_of"]

log = logging.getLogger("prefloop.capture")


def reason_of(exc: BaseException) -> str:
    """The metric label of one failure: the capture error's reason, ``invalid`` for a schema error, else
    ``error`` (a bug)."""
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str):
        return reason
    if isinstance(exc, PrefloopError):
        return "invalid"
    return "error"


class Degradations:
    """Counts degraded calls by reason and rate-limits their log lines to one per ``interval`` seconds."""

    def __init__(
        self, metrics: CaptureMetrics, interval: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.metrics = metrics
        self.interval = interval
        self.clock = clock
        self.counts: dict[str, int] = {}
        self.last_reason: str | None = None
        self._last_at: float | None = None
        self._next_log = float("-inf")
        self._unlogged = 0
        self._lock = threading.Lock()

    def record(self, exc: BaseException) -> str:
        """Count ``exc``; log it unless a line was logged less than ``interval`` ago. Returns its reason."""
        reason = reason_of(exc)
        self.metrics.degraded.labels(reason).inc()
        now = self.clock()
        with self._lock:
            self.counts[reason] = self.counts.get(reason, 0) + 1
            self.last_reason, self._last_at = reason, now
            if now < self._next_log:
                self._unlogged += 1
                return reason
            unlogged, self._unlogged = self._unlogged, 0
            self._next_log = now + self.interval
        if reason == "error":  # a bug in capture, not the caller's input: the traceback helps
            log.error(
                messages.LOG_DEGRADED, reason, type(exc).__name__, unlogged, self.interval, exc_info=exc
            )
        else:
            log.warning(messages.LOG_DEGRADED, reason, exc, unlogged, self.interval)
        return reason

    def recent(self) -> bool:
        """True when a call degraded within the last ``interval`` seconds."""
        return self._last_at is not None and self.clock() - self._last_at < self.interval

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            ago = None if self._last_at is None else round(self.clock() - self._last_at, 3)
            return {"counts": dict(self.counts), "last_reason": self.last_reason, "seconds_ago": ago}
