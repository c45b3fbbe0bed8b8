"""The publisher: request threads hand it events; a writer thread puts them in the spool; a sender thread
ships the spool to Kafka. Usable without Flask."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefloop.capture import messages
from prefloop.capture.errors import EventTooLargeError
from prefloop.capture.metrics import CaptureMetrics
from prefloop.capture.publisher.account import SpoolAccount
from prefloop.capture.publisher.config import PublisherConfig
from prefloop.capture.publisher.ids import IdPool
from prefloop.capture.publisher.sender import KafkaSender, make_producer
from prefloop.capture.publisher.sidecar import ProcessSender
from prefloop.capture.publisher.spool import (
    SegmentWriter,
    list_segments,
    pending_bytes,
    read_cursor,
    remove_writer_dir,
)
from prefloop.capture.publisher.writer import Ack, SpoolWriterThread
from prefloop.capture.response_line import Record, encode_record
from prefloop.schemas.errors import CaptureError

__all__ = ["Publisher", "wire_line"]

log = logging.getLogger("prefloop.capture")


def wire_line(event: Any) -> bytes:
    """``event.to_json()`` as UTF-8 bytes plus ``\n`` — straight from pydantic's serializer, skipping the
    str round trip (same bytes; ``tests/unit/test_capture_publisher.py`` holds the two equal)."""
    return event.__pydantic_serializer__.to_json(event, exclude_none=True) + b"\n"


class Publisher:
    """Accepts v1 events and gets them to Kafka (or, in embedded mode, into the spool the curator reads).

    Guarantees, per call:

    - :meth:`submit` — validated and serialized on the caller's thread, then queued in memory; returns at once.
      The event reaches the spool file within milliseconds; a process killed in that window loses it.
    - :meth:`publish` — returns only once the event is in the spool file: write(2) into the page cache done
      (survives SIGKILL of this process), plus fdatasync done when ``durability="always"`` (survives a power
      cut). With ``"interval"`` the fdatasync follows within ``fsync_interval`` s.
    - Either raises a :class:`~prefloop.schemas.errors.CaptureError` instead of dropping (spool over budget, queue
      full, disk error, shut down); each refusal is counted in ``prefloop_capture_events_rejected_total``.

    Events on disk are shipped in order per writer process, at least once (the curator ingests idempotently
    by ``event_id``). Kafka being down only grows the spool.
    """

    def __init__(
        self,
        config: PublisherConfig | None = None,
        *,
        producer_factory: Callable[[], Any] | None = None,
        **options: Any,
    ) -> None:
        if config is None:
            config = PublisherConfig(**options)
        elif options:
            raise TypeError("pass either a PublisherConfig or keyword options, not both")
        self.config = config
        #: The longest wire line accepted: ``max_event_bytes`` plus its newline.
        self.max_line_bytes = config.max_event_bytes + 1
        self._producer_factory = producer_factory
        self._closed = False
        self._start()
        ref = weakref.ref(self)

        def _after_fork_child() -> None:
            publisher = ref()
            if publisher is not None:
                publisher._after_fork_child()

        def _at_exit() -> None:
            publisher = ref()
            if publisher is not None:
                publisher.shutdown()

        self._at_exit = _at_exit
        os.register_at_fork(after_in_child=_after_fork_child)
        atexit.register(_at_exit)

    def _start(self) -> None:
        config = self.config
        self.metrics = CaptureMetrics()
        self._account = SpoolAccount(config.spool_dir, config.spool_max_bytes, self.metrics)
        self._segments = SegmentWriter(
            config.spool_dir, config.segment_max_bytes, sync_dirs=config.durability != "none"
        )
        self._sender: KafkaSender | ProcessSender | None = None
        if not config.embedded and config.sender == "process" and self._producer_factory is None:
            self._sender = ProcessSender(
                config.sidecar_settings(), self._segments.dir, self._account, self.metrics
            )
        elif not config.embedded:
            self._sender = KafkaSender(
                config.spool_dir,
                self._segments.dir,
                self._producer_factory or self._default_producer,
                config.topic,
                self._account,
                self.metrics,
                batch_max_events=config.batch_max_events,
                batch_max_bytes=config.batch_max_bytes,
                linger=config.linger,
                send_timeout=config.send_timeout,
            )
        self.ids = IdPool()
        self._writer = SpoolWriterThread(
            self._segments,
            self._account,
            self.metrics,
            max_events=config.queue_max_events,
            durability=config.durability,
            fsync_interval=config.fsync_interval,
            write_delay=config.write_delay,
            on_written=self._sender.wake if self._sender is not None else None,
            ids=self.ids,
            encode=encode_record,
        )
        #: :meth:`submit` for a response's checked :data:`~prefloop.capture.response_line.Record` (from
        #: :func:`~prefloop.capture.response_line.check_response`) whose wire line is known to fit
        #: ``max_event_bytes``: the writer thread makes and serializes its fields, so the caller's thread does
        #: not. The writer's own method (no frame of this class on the host's request path).
        self.submit_record: Callable[[Record], None] = self._writer.submit
        self._writer.start()
        if self._sender is not None:
            self._sender.start()

    def _default_producer(self) -> Any:
        return make_producer(self.config.producer_settings())

    # --- accepting events ---------------------------------------------------------------------------
    def new_event_id(self) -> str:
        """A fresh UUIDv7 event id (``uuid6.uuid7()``), from a pool the writer thread keeps topped up."""
        return self.ids.take()

    def submit(self, event: Any) -> None:
        """Queue ``event`` (a ``prefloop.schemas.events`` model) and return at once. See the class docstring."""
        self.submit_line(wire_line(event), event.type)

    def submit_line(self, line: bytes, kind: str) -> None:
        """:meth:`submit` for an event already serialized to its wire form (``line`` ends with ``\\n``)."""
        try:
            if len(line) > self.max_line_bytes:
                raise EventTooLargeError(len(line) - 1, self.config.max_event_bytes)
            self._writer.put(line, kind)
        except CaptureError as exc:
            self.metrics.count_rejected(getattr(exc, "reason", "unavailable"))
            raise

    def publish(self, event: Any, timeout: float | None = None) -> None:
        """Return once ``event`` is in the spool file (see the class docstring for exactly what that means)."""
        self.publish_line(wire_line(event), event.type, timeout)

    def publish_line(self, line: bytes, kind: str, timeout: float | None = None) -> None:
        """:meth:`publish` for an event already serialized to its wire form (``line`` ends with ``\\n``)."""
        ack = Ack()
        try:
            if len(line) > self.max_line_bytes:
                raise EventTooLargeError(len(line) - 1, self.config.max_event_bytes)
            self._writer.put(line, kind, ack)
            ack.wait(self.config.ack_timeout if timeout is None else timeout)
        except CaptureError as exc:
            if getattr(exc, "reason", "") != "spool_write_failed":  # the writer counted those
                self.metrics.count_rejected(getattr(exc, "reason", "unavailable"))
            raise

    # --- lifecycle ----------------------------------------------------------------------------------
    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything accepted so far is in the spool and, with Kafka, shipped. True when done."""
        if self._closed:
            return False
        deadline = time.monotonic() + timeout
        try:
            self._writer.flush(timeout)
        except CaptureError:
            return False
        if self._sender is None:
            return True
        return self._sender.wait_idle(max(0.0, deadline - time.monotonic()))

    def shutdown(self, timeout: float | None = None) -> None:
        """Write what is queued, try to ship the rest for ``timeout`` s (default ``shutdown_timeout``),
        stop the threads. Unshipped events stay on disk; the next process (or a live sibling) ships them.
        Registered with ``atexit``; calling it twice is harmless."""
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self._at_exit)
        timeout = self.config.shutdown_timeout if timeout is None else timeout
        own_dir = self._segments.dir
        if self._sender is not None:
            with contextlib.suppress(CaptureError):
                self._writer.flush(max(timeout, 0.5))
            self._sender.close(timeout)
        self._writer.close(max(timeout, 1.0))
        if self._sender is not None:
            left = _unshipped_bytes(own_dir)
            if left == 0:
                remove_writer_dir(own_dir)
            else:
                log.warning(messages.LOG_SHUTDOWN_PENDING, left, own_dir)

    def _after_fork_child(self) -> None:
        """In a forked worker (gunicorn --preload): leave the parent's spool directory, producer and threads
        to the parent; start a writer directory, threads and metrics of our own."""
        if self._closed:
            return
        self._writer.writer.abandon_after_fork()
        if self._sender is not None:
            self._sender.abandon_after_fork()
        self._start()

    # --- introspection --------------------------------------------------------------------------------
    @property
    def embedded(self) -> bool:
        return self.config.embedded

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def writer_dir(self) -> Path:
        """This process's spool directory (``<spool_dir>/<host>-<pid>-<random>``)."""
        return self._segments.dir

    @property
    def spool_full(self) -> bool:
        return self._account.full

    def account_pending(self) -> int:
        """Bytes not yet shipped, as this process's account knows them (no disk scan)."""
        return max(0, self._account.pending)

    @property
    def spool_write_failing(self) -> bool:
        """The spool writer's last write failed (a full or broken disk): clicks are refused until one succeeds."""
        return self._writer.failing_since is not None

    @property
    def queue_depth(self) -> int:
        return self._writer.depth

    def sender_status(self) -> dict[str, Any]:
        """``mode`` (``embedded``, ``thread``, ``process``), ``up``, ``restarts``, ``set_aside``."""
        sender = self._sender
        if sender is None:
            return {"mode": "embedded", "up": True, "restarts": 0, "set_aside": 0}
        return sender.status()

    def pending_bytes(self) -> int:
        """Bytes on disk not yet shipped, over the whole spool directory (a fresh scan)."""
        return pending_bytes(self.config.spool_dir)


def _unshipped_bytes(writer_dir: Path) -> int:
    cursor = read_cursor(writer_dir)
    total = 0
    for seq, path in list_segments(writer_dir):
        if seq < cursor.seq:
            continue
        size = path.stat().st_size
        total += size - cursor.offset if seq == cursor.seq else size
    return total
