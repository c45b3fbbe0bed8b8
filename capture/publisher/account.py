"""How many bytes the spool holds that Kafka (or the curator) has not taken yet, against the budget."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from prefloop.capture import messages
from prefloop.capture.metrics import CaptureMetrics
from prefloop.capture.publisher.spool import pending_bytes

__all__ = ["SpoolAccount"]

log = logging.getLogger("prefloop.capture")


class SpoolAccount:
    """Pending bytes = the last scan of the spool directory + what this process wrote since − what it shipped.

    ``full`` is a plain bool read by request threads without a lock (admission control). The budget is soft by
    at most the in-memory queue: events admitted while under budget are always written, never dropped.
    """

    def __init__(self, root: Path, max_bytes: int, metrics: CaptureMetrics) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.metrics = metrics
        self.full = False
        self._base = 0
        self._delta = 0
        self._lock = threading.Lock()
        metrics.spool_max_bytes.set(max_bytes)

    @property
    def pending(self) -> int:
        return self._base + self._delta

    def rescan(self) -> None:
        scanned = pending_bytes(self.root)
        with self._lock:
            self._base, self._delta = scanned, 0
        self._update()

    def add(self, n: int) -> None:
        with self._lock:
            self._delta += n
        self._update()

    def release(self, n: int) -> None:
        with self._lock:
            self._delta -= n
        self._update()

    def _update(self) -> None:
        pending = max(0, self.pending)
        self.metrics.pending_bytes.set(pending)
        if pending >= self.max_bytes and not self.full:
            self.full = True
            self.metrics.spool_full.set(1)
            log.error(messages.LOG_SPOOL_FULL, pending, self.max_bytes)
        elif pending < self.max_bytes and self.full:
            self.full = False
            self.metrics.spool_full.set(0)
            log.warning(messages.LOG_SPOOL_OK, pending, self.max_bytes)
