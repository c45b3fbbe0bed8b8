"""The spool writer thread and the bounded in-memory queue in front of it.

Request threads call :meth:`SpoolWriterThread.put`: a ``deque.append`` of the event's wire line — or of its
checked record, which this thread serializes with ``encode`` (the request thread does only the checks), plus
one wake-up for the first event of a batch (a ``Lock.release``: one C call, where ``Event.set`` runs a Condition
in Python on the request thread) or for an event whose caller waits (an :class:`Ack`); after a write the
writer looks again every ``write_delay`` on its own for a while (``_POLL_S``), so under a steady stream the
request threads make no wake-up call at all. An event nobody waits for lets the writer
linger ``write_delay`` seconds to gather a batch (batching by time: one wake-up, one write(2) per batch instead
of per event — the request path stays cheap and the writer rarely competes for the GIL); an acknowledged event
is written at once. The writer drains everything queued, writes it with one write(2), fsyncs according to the
durability mode, and only then releases the :class:`Ack` of each item (group commit).
"""

from __future__ import annotations

import collections
import contextlib
import errno
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from prefloop.capture import messages
from prefloop.capture.errors import (
    AckTimeoutError,
    PublisherClosedError,
    QueueFullError,
    SpoolFullError,
    SpoolWriteError,
)
from prefloop.capture.metrics import CaptureMetrics
from prefloop.capture.publisher.account import SpoolAccount
from prefloop.capture.publisher.ids import IdPool
from prefloop.capture.publisher.spool import SegmentWriter
from prefloop.schemas.errors import CaptureError

__all__ = ["DURABILITY_MODES", "Ack", "SpoolWriterThread"]

log = logging.getLogger("prefloop.capture")

#: none: write(2) into the page cache before acknowledging (survives a killed process, not a power cut);
#: interval: plus fdatasync at most every ``fsync_interval`` seconds (a power cut loses at most that window);
#: always: fdatasync before acknowledging each batch (survives a power cut).
DURABILITY_MODES = ("none", "interval", "always")
_RESCAN_S = 1.0
#: after writing, the writer looks for new events every ``write_delay`` for this long before it waits to be
#: woken: under a steady stream no request thread makes a wake-up system call (nor the writer a GIL hand-off)
_POLL_S = 1.0
#: a failing spool write is logged at most once per this many seconds (it is retried about once a second)
_FAIL_LOG_S = 60.0
#: errors a fresh segment cannot cure: rolling on them would only leave an empty file per retry
_DISK_FULL = frozenset((errno.ENOSPC, errno.EDQUOT))


class Ack:
    """Completion of one queued item: set by the writer thread once the item is in the spool file."""

    __slots__ = ("_done", "error")

    def __init__(self) -> None:
        self._done = threading.Event()
        self.error: BaseException | None = None

    def set(self, error: BaseException | None = None) -> None:
        self.error = error
        self._done.set()

    def wait(self, timeout: float) -> None:
        """Return once the item is on disk; raise its error, or :class:`AckTimeoutError`."""
        if not self._done.wait(timeout):
            raise AckTimeoutError(timeout)
        if self.error is not None:
            raise self.error


#: (the wire line, or a record for ``encode``; the event type, "" for a flush marker; the caller's ack)
_Item = tuple[Any, str, "Ack | None"]


class SpoolWriterThread:
    """Owns the :class:`SegmentWriter`; the only thread that writes spool files of this process."""

    def __init__(
        self,
        writer: SegmentWriter,
        account: SpoolAccount,
        metrics: CaptureMetrics,
        *,
        max_events: int,
        durability: str,
        fsync_interval: float,
        write_delay: float = 0.005,
        on_written: Callable[[], None] | None = None,
        ids: IdPool | None = None,
        encode: Callable[[Any], bytes] | None = None,
    ) -> None:
        if durability not in DURABILITY_MODES:
            raise ValueError(f"durability must be one of {DURABILITY_MODES}, got {durability!r}")
        self.writer = writer
        self.account = account
        self.metrics = metrics
        self.max_events = max_events
        self.durability = durability
        self.fsync_interval = fsync_interval
        self.write_delay = write_delay
        self.ids = ids
        self.encode = encode
        self.on_written = on_written
        self.written_events = 0
        self._queue: collections.deque[_Item] = collections.deque()
        # released = look now (a binary semaphore): something was queued while the writer slept, or a caller
        # waits for the disk. Its timed acquire is also how the writer lingers and looks again: one C call, where
        # Event.wait runs a Condition in Python (allocating a lock) on the writer thread, holding the GIL.
        self._wake = threading.Lock()
        self._wake.acquire()
        #: someone waits for an ack: write now, without gathering a batch (set before the wake-up's release)
        self._urgent = False
        #: True while the writer waits for a wake-up (no events lately); False while it looks on its own
        self._sleeping = False
        self._closed = False
        self._stop = False
        #: monotonic time of the first of the current run of failed writes (None while writes succeed)
        self.failing_since: float | None = None
        self._failures = 0
        self._last_failure_log = float("-inf")
        self._thread = threading.Thread(target=self._run, name="prefloop-spool-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    # --- request threads ------------------------------------------------------------------------
    def put(self, line: Any, kind: str, ack: Ack | None = None) -> None:
        """Queue one event: its wire line (``bytes`` ending with ``\\n``) or its record for ``encode``.
        Raises instead of dropping."""
        queue = self._queue
        if self._closed or self.account.full or len(queue) >= self.max_events:
            self._refuse()
        queue.append((line, kind, ack))
        if ack is not None:
            self._urgent = True
            self._poke()
        elif self._sleeping:
            self._poke()

    def submit(self, record: Any) -> None:
        """:meth:`put` of a response's record nobody waits for (``Publisher.submit_record`` is this method):
        the host's request path, so written out with no other frame; a refusal is counted here."""
        queue = self._queue
        if self._closed or self.account.full or len(queue) >= self.max_events:
            try:
                self._refuse()
            except CaptureError as exc:
                self.metrics.count_rejected(getattr(exc, "reason", "unavailable"))
                raise
        queue.append((record, "response", None))
        if self._sleeping:  # (while events come in, the writer looks every write_delay without being woken)
            try:  # noqa: SIM105 (contextlib.suppress would add frames on the request path)
                self._wake.release()
            except RuntimeError:  # already woken
                pass

    def _refuse(self) -> None:
        if self._closed:
            raise PublisherClosedError()
        if self.account.full:
            raise SpoolFullError(self.account.pending, self.account.max_bytes)
        raise QueueFullError(self.max_events)

    def _poke(self) -> None:
        """Wake the writer thread (idempotent)."""
        with contextlib.suppress(RuntimeError):
            self._wake.release()

    def flush(self, timeout: float) -> None:
        """Block until everything queued before this call is in the spool file (and synced per the mode)."""
        ack = Ack()
        self._queue.append((b"", "", ack))
        self._urgent = True
        self._poke()
        ack.wait(timeout)

    def close(self, timeout: float) -> None:
        """Refuse new events, write what is queued, stop the thread, close the segment and free the lock."""
        self._closed = True
        self._stop = True
        self._urgent = True
        self._poke()
        if self._thread.is_alive():
            self._thread.join(timeout)
        left = len(self._queue)
        if left:
            log.error(messages.LOG_DROPPED_AT_EXIT, left)
            self.metrics.count_rejected("spool_write_failed", left)
        self.writer.close()

    @property
    def depth(self) -> int:
        return len(self._queue)

    # --- the writer thread ------------------------------------------------------------------------
    def _run(self) -> None:
        dirty = False
        last_sync = last_scan = time.monotonic()
        backoff = 0.0
        self.account.rescan()
        if self.ids is not None:
            self.ids.top_up()
        last_write = float("-inf")
        while True:
            if not self._queue:
                if self._stop:
                    break
                if self.write_delay > 0 and time.monotonic() - last_write < _POLL_S:
                    # events came lately: look again after write_delay (a click's wake-up ends the wait)
                    self._wake.acquire(timeout=self.write_delay)
                else:
                    timeout = _RESCAN_S
                    if dirty and self.durability == "interval":
                        timeout = max(0.0, min(timeout, last_sync + self.fsync_interval - time.monotonic()))
                    self._sleeping = True  # from now on a request thread wakes us for its event
                    if not self._queue:
                        self._wake.acquire(timeout=timeout)
                    self._sleeping = False
                    if self._queue and self.write_delay > 0 and not self._urgent:
                        self._wake.acquire(timeout=self.write_delay)  # gather a batch, unless a caller waits
            elif self.write_delay > 0 and not self._urgent:
                self._wake.acquire(timeout=self.write_delay)  # gather a batch, unless a caller waits
            self._urgent = False
            if self._queue:
                if self._write_batch():
                    dirty = True
                    backoff = 0.0
                    last_write = time.monotonic()
                    if self.ids is not None:
                        self.ids.top_up()
                else:
                    if self._stop:
                        break
                    backoff = min(1.0, backoff * 2 or 0.01)
                    time.sleep(backoff)
            now = time.monotonic()
            if dirty and self.durability == "interval" and now - last_sync >= self.fsync_interval:
                self._sync()
                dirty, last_sync = False, now
            elif dirty and self.durability == "always":
                dirty = False
            if now - last_scan >= _RESCAN_S:
                self.account.rescan()
                self.metrics.queue_depth.set(len(self._queue))
                last_scan = now
        if dirty and self.durability != "none":
            self._sync()

    def _write_batch(self) -> bool:
        queue = self._queue
        items: list[_Item] = []
        popleft = queue.popleft
        with contextlib.suppress(IndexError):
            while True:
                items.append(popleft())
        if self.encode is not None:
            items = self._encoded(items)
        data = b"".join(item[0] for item in items)
        if data:
            try:
                self.writer.write(data)
                if self.durability == "always":
                    self.writer.sync()
                    self.metrics.fsyncs.inc()
            except OSError as exc:
                return self._failed(items, exc)
            self.account.add(len(data))
            if self.failing_since is not None:
                self._recovered()
        counts: dict[str, int] = {}
        for _line, kind, ack in items:
            if kind:
                counts[kind] = counts.get(kind, 0) + 1
            if ack is not None:
                ack.set()
        if counts:
            n = 0
            for kind, c in counts.items():
                self.metrics.count_accepted(kind, c)
                n += c
            self.written_events += n
            self.metrics.pending_events.inc(n)
            if self.on_written is not None:
                self.on_written()
        return True

    def _encoded(self, items: list[_Item]) -> list[_Item]:
        """``items`` with every queued record serialized. One that cannot be is dropped, counted and
        logged: the request thread's checks vouched for it, so that is a bug, and it must not stop the rest."""
        encode = self.encode
        assert encode is not None
        out = []
        for item in items:
            body = item[0]
            if type(body) is not bytes:
                try:
                    body = encode(body)
                except Exception as exc:
                    self.metrics.count_rejected("error")
                    log.error(messages.LOG_ENCODE_FAILED, item[1], type(exc).__name__)
                    continue
                item = (body, item[1], item[2])
            out.append(item)
        return out

    def _failed(self, items: list[_Item], exc: OSError) -> bool:
        """A write failed: callers waiting for an ack get the error (they were not acknowledged); events
        already acknowledged to their caller (no ack object) go back to the front of the queue for a retry."""
        self.metrics.write_errors.inc()
        now = time.monotonic()
        if self.failing_since is None:
            self.failing_since = now
        self._failures += 1
        if now - self._last_failure_log >= _FAIL_LOG_S:
            log.error(messages.LOG_WRITE_FAILED, self.writer.path, exc, self._failures)
            self._last_failure_log = now
        error = SpoolWriteError(str(self.writer.path), exc)
        keep = []
        for item in items:
            if item[2] is None:
                keep.append(item)
            elif item[0]:
                self.metrics.count_rejected("spool_write_failed")
                item[2].set(error)
            else:
                item[2].set(error)
        self._queue.extendleft(reversed(keep))
        if exc.errno not in _DISK_FULL:  # (a broken file descriptor or file: a fresh segment may cure it)
            with contextlib.suppress(OSError):
                self.writer.roll()
        return False

    def _recovered(self) -> None:
        assert self.failing_since is not None
        log.warning(messages.LOG_WRITE_RECOVERED, self._failures, time.monotonic() - self.failing_since)
        self.failing_since = None
        self._failures = 0
        self._last_failure_log = float("-inf")

    def _sync(self) -> None:
        try:
            self.writer.sync()
            self.metrics.fsyncs.inc()
        except OSError as exc:
            self.metrics.write_errors.inc()
            log.error(messages.LOG_SYNC_FAILED, self.writer.path, exc)
