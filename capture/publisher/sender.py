"""The Kafka sender thread: ships spool segments in order, records progress in the cursor, deletes what is
shipped, and adopts the spool directories of dead writer processes.

The producer is built here, on this thread, never on a request thread: kafka-python's constructor may probe
the broker and ``send()`` may block up to ``max_block_ms`` waiting for metadata.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    # kafka-python 3.0 calls importlib.resources.read_text (deprecated) while importing its protocol schemas
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka import KafkaProducer
    from kafka.errors import KafkaTimeoutError, UnknownError

from prefloop.capture import messages
from prefloop.capture.metrics import CaptureMetrics
from prefloop.capture.publisher.account import SpoolAccount
from prefloop.capture.publisher.setaside import RECORD_ERRORS, event_id_of, set_aside
from prefloop.capture.publisher.spool import (
    Cursor,
    complete_lines,
    list_segments,
    list_writers,
    read_cursor,
    remove_writer_dir,
    try_lock,
    write_cursor,
)

__all__ = ["KafkaSender", "conversation_key", "make_producer"]

log = logging.getLogger("prefloop.capture")

_KEY_MARK = b'"conversation_id":"'
_ADOPT_EVERY_S = 2.0


def conversation_key(line: bytes) -> bytes:
    """The Kafka key of one wire-JSON event: its ``conversation_id``.

    The canonical wire form is compact JSON with the envelope fields first, so the first ``"conversation_id":"``
    is the event's own (a quote inside a string value is always escaped, so the pattern cannot start inside
    one). Identifiers contain no quote or backslash, so the value ends at the next quote.
    """
    start = line.find(_KEY_MARK)
    if start >= 0:
        start += len(_KEY_MARK)
        end = line.find(b'"', start)
        if end > start:
            return line[start:end]
    try:
        return str(json.loads(line)["conversation_id"]).encode()
    except (ValueError, KeyError, TypeError):
        return b""


def make_producer(settings: dict[str, Any]) -> Any:
    """A kafka-python producer. Call it on the sender thread only (the constructor may probe the broker)."""
    return KafkaProducer(**settings)


def close_producer(producer: Any) -> None:
    """Close ``producer`` now, dropping what it has not sent (it is still in the spool).

    kafka-python's ``close(timeout=0)`` flushes first and raises when batches are pending (Kafka down, a batch
    refused), leaving its I/O thread running and the producer unclosed, so its ``__del__`` prints a traceback
    later. Then stop the I/O thread and mark it closed here."""
    try:
        producer.close(timeout=0)
    except Exception:
        sender = getattr(producer, "_sender", None)
        with contextlib.suppress(Exception):
            if sender is not None:
                sender.force_close()
        producer._closed = True


class _Source:
    """One writer directory the sender ships: its own, or an adopted dead one (``lock_fd`` held)."""

    def __init__(self, path: Path, lock_fd: int | None) -> None:
        self.path = path
        self.lock_fd = lock_fd
        self.cursor = read_cursor(path)
        #: adopted directories ship oldest first: by the id (UUIDv7, time-ordered) of their next event
        self.age = (self._first_event_id() or "", path.name)

    def _first_event_id(self) -> str | None:
        for seq, segment in list_segments(self.path):
            if seq < self.cursor.seq:
                continue
            offset = self.cursor.offset if seq == self.cursor.seq else 0
            lines, _, _ = complete_lines(segment, offset, 4096, 1)
            if lines:
                return event_id_of(lines[0])
        return None

    @property
    def dead(self) -> bool:
        return self.lock_fd is not None


class KafkaSender:
    """Background shipping of the spool to one Kafka topic (key = conversation id: a conversation stays
    ordered within one writer's spool)."""

    def __init__(
        self,
        root: Path,
        own_dir: Path,
        producer_factory: Callable[[], Any],
        topic: str,
        account: SpoolAccount,
        metrics: CaptureMetrics,
        *,
        batch_max_events: int,
        batch_max_bytes: int,
        linger: float,
        send_timeout: float,
    ) -> None:
        self.root = root
        self.own = _Source(own_dir, None)
        self.producer_factory = producer_factory
        self.topic = topic
        self.account = account
        self.metrics = metrics
        self.batch_max_events = batch_max_events
        self.batch_max_bytes = batch_max_bytes
        self.linger = linger
        self.send_timeout = send_timeout
        self.shipped_events = 0
        self.own_shipped_events = 0  # of those, from ``own_dir`` (the rest from adopted directories)
        self.set_aside_events = 0
        self._cursor_failure_logged = float("-inf")
        self.adopted: dict[Path, _Source] = {}
        self._producer: Any = None
        self._wake = threading.Event()
        self._stop = False
        self._draining = False
        self._healthy = True
        self._idle = threading.Condition()
        self._requested = 0  # wait_idle() generations asked for ...
        self._idle_seen = 0  # ... and the last one a round found nothing left for
        self._thread = threading.Thread(target=self._run, name="prefloop-kafka-sender", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def status(self) -> dict[str, Any]:
        return {
            "mode": "thread",
            "up": self._thread.is_alive(),
            "restarts": 0,
            "set_aside": self.set_aside_events,
            "adopted": len(self.adopted),
        }

    def wake(self) -> None:
        """Called by the writer after each batch: there is something to ship."""
        if not self._wake.is_set():
            self._wake.set()

    def wait_idle(self, timeout: float) -> bool:
        """Block until everything on disk at the time of the call is shipped (True) or ``timeout`` passes."""
        with self._idle:
            self._requested += 1
            target = self._requested
        self._wake.set()
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._idle_seen < target:
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    return False
                self._idle.wait(min(left, 0.1))
        return True

    def close(self, timeout: float) -> None:
        """Try to ship what is left for up to ``timeout`` s, then stop. Unshipped events stay on disk."""
        self._draining = True
        self._wake.set()
        if timeout > 0 and self._thread.is_alive():
            self.wait_idle(timeout)
        self._stop = True
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=max(1.0, self.send_timeout))
        self._reset_producer()
        for source in self.adopted.values():
            if source.lock_fd is not None:
                with contextlib.suppress(OSError):
                    os.close(source.lock_fd)
        self.adopted.clear()

    def abandon_after_fork(self) -> None:
        """In a forked child: forget the parent's producer and adopted locks without closing them for it."""
        self._producer = None
        for source in self.adopted.values():
            if source.lock_fd is not None:
                with contextlib.suppress(OSError):
                    os.close(source.lock_fd)
        self.adopted.clear()

    # --- the sender thread ------------------------------------------------------------------------
    def _run(self) -> None:
        self.metrics.sender_up.set(1)
        try:
            self._loop()
        finally:
            self.metrics.sender_up.set(0)

    def _loop(self) -> None:
        backoff = 0.0
        next_adopt = 0.0
        while not self._stop:
            generation = self._requested
            if time.monotonic() >= next_adopt:
                self._adopt()
                next_adopt = time.monotonic() + _ADOPT_EVERY_S
            try:
                progressed = self._ship_round()
            except Exception as exc:  # a Kafka or disk failure: events stay in the spool
                self._failed(exc)
                backoff = min(5.0, backoff * 2 or 0.2)
                self._wake.wait(backoff)
                self._wake.clear()
                continue
            if not self._healthy:
                self._healthy = True
                log.warning(messages.LOG_KAFKA_BACK)
            backoff = 0.0
            if progressed:
                continue
            with self._idle:
                self._idle_seen = generation
                self._idle.notify_all()
            self._wake.wait(min(_ADOPT_EVERY_S, max(0.0, next_adopt - time.monotonic())))
            if self._wake.is_set():
                # cleared before lingering: a wake-up that comes meanwhile makes one more round. So a round
                # follows every wake-up by at least ``linger``, and whatever is written within ``linger`` of a
                # wake-up ships without one of its own (ProcessSender.wake relies on it).
                self._wake.clear()
                if not self._draining and self.linger > 0:
                    time.sleep(self.linger)  # let a batch build up (batching by time)

    def _failed(self, exc: Exception) -> None:
        kind = type(exc).__name__
        self.metrics.kafka_errors.labels(kind).inc()
        if self._healthy:
            log.error(messages.LOG_KAFKA_ERROR, exc)
        self._healthy = False
        self._reset_producer()
        # back to the last committed position: anything sent after it is sent again (at-least-once)
        self.own.cursor = read_cursor(self.own.path)
        for source in self.adopted.values():
            source.cursor = read_cursor(source.path)

    def _adopt(self) -> None:
        for path in list_writers(self.root):
            if path == self.own.path or path in self.adopted:
                continue
            fd = try_lock(path)
            if fd is None:
                continue
            self.adopted[path] = _Source(path, fd)
            self.metrics.adopted_writers.inc()
            log.warning(messages.LOG_ADOPTED, path.name)

    def _ship_round(self) -> bool:
        """Ship one batch. A dead writer's spool goes first, oldest first, and this process's own events
        wait until it is empty: the dead process's events of a conversation are older than ours, so a
        conversation stays in order across a crash and restart. True when anything was shipped."""
        for path, source in sorted(self.adopted.items(), key=lambda item: item[1].age):
            if self._stop:
                return False
            progressed = self._ship_batch(source)
            if not list_segments(path):
                remove_writer_dir(path)
                if source.lock_fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(source.lock_fd)
                del self.adopted[path]
                continue
            return progressed
        return self._ship_batch(self.own)

    def _ship_batch(self, source: _Source) -> bool:
        segments = list_segments(source.path)
        cursor = source.cursor
        lines: list[bytes] = []
        nbytes = 0
        done: list[Path] = []  # segments completely read in this batch
        position = cursor
        for i, (seq, path) in enumerate(segments):
            if seq < position.seq:
                done.append(path)  # shipped earlier; deletion was interrupted
                continue
            offset = position.offset if seq == position.seq else 0
            has_next = source.dead or i + 1 < len(segments)  # checked before reading: no race with a roll
            got, new_offset, at_eof = complete_lines(
                path, offset, self.batch_max_bytes - nbytes, self.batch_max_events - len(lines)
            )
            lines.extend(got)
            nbytes += new_offset - offset
            position = Cursor(seq, new_offset)
            if at_eof and has_next:
                done.append(path)
                position = Cursor(seq + 1, 0) if i + 1 >= len(segments) else Cursor(segments[i + 1][0], 0)
                continue
            break
        if not lines:
            self._commit(source, position, done, 0, 0)
            return False
        self._send(source, lines)
        self._commit(source, position, done, len(lines), nbytes)
        return True

    def _send(self, source: _Source, lines: list[bytes]) -> None:
        """Send ``lines`` and wait for Kafka's acknowledgment. A record Kafka refuses for good is set aside
        (it never blocks the ones after it); any other failure raises and the batch is sent again."""
        producer = self._producer
        if producer is None:
            producer = self._producer = self.producer_factory()
        send = producer.send
        topic = self.topic
        futures = []
        for line in lines:
            if not line:
                continue
            try:
                futures.append((line, send(topic, value=line, key=conversation_key(line))))
            except RECORD_ERRORS as exc:  # e.g. over max_request_size: refused before it left
                self._set_aside(source, line, exc)
        self._flush(producer, [future for _, future in futures])
        refused = []
        for line, future in futures:
            if future.failed():
                if not isinstance(future.exception, RECORD_ERRORS):
                    raise future.exception
                refused.append(line)
        if refused:
            # the broker refuses a whole batch for one bad record: send each again on its own, on a fresh
            # producer, and set aside only those refused alone
            self._reset_producer()
            for line in refused:
                self._send_alone(source, line)

    def _send_alone(self, source: _Source, line: bytes) -> None:
        producer = self._producer = self._producer or self.producer_factory()
        try:
            future = producer.send(self.topic, value=line, key=conversation_key(line))
        except RECORD_ERRORS as exc:
            self._set_aside(source, line, exc)
            return
        self._flush(producer, [future])
        if future.failed():
            if not isinstance(future.exception, RECORD_ERRORS):
                raise future.exception
            self._set_aside(source, line, future.exception)
            self._reset_producer()

    def _flush(self, producer: Any, futures: list[Any]) -> None:
        """Wait until Kafka answered for every one of ``futures`` (or raise after ``send_timeout``)."""
        deadline = time.monotonic() + self.send_timeout
        while True:
            try:
                producer.flush(timeout=min(1.0, max(0.01, deadline - time.monotonic())))
            except KafkaTimeoutError:
                pass
            except UnknownError:  # "Future not done": a batch was split after a size refusal
                time.sleep(0.01)
            if all(future.is_done for future in futures):
                return
            if self._stop or time.monotonic() >= deadline:
                raise KafkaTimeoutError(f"Kafka did not acknowledge a batch within {self.send_timeout} s")

    def _reset_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            close_producer(producer)

    def _set_aside(self, source: _Source, line: bytes, exc: BaseException) -> None:
        reason = type(exc).__name__
        path = set_aside(self.root, source.path, line)
        self.set_aside_events += 1
        self.metrics.set_aside.labels(reason).inc()
        log.error(messages.LOG_SET_ASIDE, event_id_of(line) or "?", len(line), reason, path)

    def _commit(self, source: _Source, position: Cursor, done: list[Path], n: int, nbytes: int) -> None:
        # shipped segments go first: on a full disk that frees the room the cursor file needs (a crash before the
        # cursor is written leaves it at a removed segment, and the next one is read from its start)
        for path in done:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        if position != source.cursor:
            try:
                write_cursor(source.path, position)
            except (
                OSError
            ) as exc:  # full or failing disk: keep the progress in memory, never send a batch twice
                if time.monotonic() - self._cursor_failure_logged >= 60.0:
                    self._cursor_failure_logged = time.monotonic()
                    log.error(messages.LOG_CURSOR_FAILED, source.path.name, exc)
            source.cursor = position
        if n:
            self.shipped_events += n
            self.metrics.shipped.inc(n)
            if source is self.own:
                self.own_shipped_events += n
                self.metrics.pending_events.dec(n)
            self.account.release(nbytes)
