"""The publisher without a broker: spool writes and acknowledgments, the disk budget, fork, SIGKILL, and the
sender's bookkeeping (cursor, deletion, adoption, retry) against a recording producer."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from prefloop.capture import Publisher, PublisherConfig, QueueFullError, SpoolFullError
from prefloop.capture.errors import PublisherClosedError
from prefloop.capture.publisher.sender import conversation_key
from prefloop.capture.publisher.spool import SegmentWriter, list_segments, list_writers, read_cursor
from prefloop.schemas.events import FeedbackEvent, parse_event
from tests.factories import EventFactory

ROOT = Path(__file__).resolve().parents[2]


def spool_lines(root: Path) -> list[dict[str, Any]]:
    out = []
    for writer in list_writers(root):
        for _, path in list_segments(writer):
            out.extend(json.loads(line) for line in path.read_bytes().split(b"\n") if line)
    return out


def feedback(factory: EventFactory, conversation: str = "c1", rating: int = 1) -> FeedbackEvent:
    event = parse_event(factory.feedback("r1", rating=rating, conversation_id=conversation))
    assert isinstance(event, FeedbackEvent)
    return event


@pytest.fixture()
def factory() -> EventFactory:
    return EventFactory()


class RecordingProducer:
    """Stands in for Kafka (not under test here): records what the sender hands it; can be told to fail."""

    def __init__(self, fail: threading.Event | None = None) -> None:
        self.sent: list[tuple[bytes, bytes]] = []
        self.fail = fail or threading.Event()
        self._pending: list[tuple[bytes, bytes, _Future]] = []
        self.closed = False

    def send(self, topic: str, value: bytes, key: bytes) -> _Future:
        f = _Future()
        self._pending.append((key, value, f))
        return f

    def flush(self, timeout: float | None = None) -> None:
        for key, value, f in self._pending:
            if self.fail.is_set():
                f.exception = RuntimeError("broker unreachable")
            else:
                self.sent.append((key, value))
        self._pending.clear()

    def close(self, timeout: float | None = None) -> None:
        self.closed = True


class _Future:
    exception: BaseException | None = None
    is_done = True

    def failed(self) -> bool:
        return self.exception is not None


def kafka_publisher(tmp_path: Path, producer: RecordingProducer, **options: Any) -> Publisher:
    options.setdefault("linger", 0.0)
    config = PublisherConfig(spool_dir=tmp_path, kafka_bootstrap="127.0.0.1:1", **options)
    return Publisher(config, producer_factory=lambda: producer)


def test_publish_returns_only_once_the_event_is_in_the_spool_file(
    tmp_path: Path, factory: EventFactory
) -> None:
    pub = Publisher(spool_dir=tmp_path, durability="always")
    try:
        event = feedback(factory)
        pub.publish(event)
        # no flush, no wait: the acknowledged event is already in the file
        assert [e["event_id"] for e in spool_lines(tmp_path)] == [event.event_id]
        assert pub.metrics.value("prefloop_capture_events_accepted_total", {"type": "feedback"}) == 1
        assert pub.metrics.value("prefloop_capture_spool_fsyncs_total") >= 1
    finally:
        pub.shutdown()


def test_submit_queues_and_the_writer_keeps_order(tmp_path: Path, factory: EventFactory) -> None:
    pub = Publisher(spool_dir=tmp_path, durability="none", segment_max_bytes=2_000)
    try:
        events = [feedback(factory, f"c{i % 3}") for i in range(200)]
        for i, e in enumerate(events):
            pub.submit(e)
            if i % 20 == 19:  # a new batch: the writer rolls between batches once a segment is full
                assert pub.flush(5)
        assert pub.flush(5)
        assert [e["event_id"] for e in spool_lines(tmp_path)] == [e.event_id for e in events]
        assert len(list_segments(pub.writer_dir)) > 1  # rolled over several segments
        assert pub.embedded and pub.pending_bytes() > 0  # embedded: the spool is the outbox
    finally:
        pub.shutdown()
    assert pub.writer_dir.exists()  # embedded mode leaves the outbox for the curator


class CountingWake:
    """The writer's wake-up lock, counting the wake-ups request threads make."""

    def __init__(self, lock: Any) -> None:
        self.lock = lock
        self.releases = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return bool(self.lock.acquire(blocking, timeout))

    def release(self) -> None:
        self.releases += 1
        self.lock.release()


def test_a_steady_stream_needs_no_wake_ups_and_an_idle_writer_is_woken(
    tmp_path: Path, factory: EventFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While events keep coming the writer looks every write_delay on its own (no wake-up system call on the
    request path per batch); after a quiet spell it waits to be woken, and the next event wakes it."""
    from prefloop.capture.publisher import writer as writer_module

    monkeypatch.setattr(writer_module, "_POLL_S", 0.3)
    pub = Publisher(spool_dir=tmp_path, durability="none", write_delay=0.005)
    try:
        wake = CountingWake(pub._writer._wake)
        pub._writer._wake = wake
        time.sleep(0.1)  # the writer is waiting to be woken (no event yet)
        events = [feedback(factory, f"c{i % 3}") for i in range(150)]
        for e in events:
            pub.submit(e)
            time.sleep(0.002)  # a steady stream: ~30 batches of write_delay each
        deadline = time.monotonic() + 5
        while pub._writer.written_events < len(events) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert pub._writer.written_events == len(events)  # written without a flush
        assert wake.releases <= 2  # the first event woke the writer; the rest it found by looking
        time.sleep(0.6)  # quiet for longer than _POLL_S: the writer waits to be woken again
        pub.submit(feedback(factory, "c9"))
        deadline = time.monotonic() + 0.5  # far less than its one-second rescan timeout
        while pub._writer.written_events < len(events) + 1 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert pub._writer.written_events == len(events) + 1
        assert wake.releases >= 2
        assert [e["event_id"] for e in spool_lines(tmp_path)][: len(events)] == [e.event_id for e in events]
    finally:
        pub.shutdown()


def test_a_click_is_written_at_once_while_the_writer_looks_on_its_own(
    tmp_path: Path, factory: EventFactory
) -> None:
    """While the writer looks for events every write_delay on its own (a stream of responses), an event whose
    caller waits for the disk (a click) wakes it at once: it does not wait out the writer's look-again delay."""
    pub = Publisher(spool_dir=tmp_path, durability="none", write_delay=2.0)
    try:
        pub.submit(feedback(factory))  # wakes the writer; it gathers for write_delay, writes, then polls
        deadline = time.monotonic() + 10
        while pub._writer.written_events < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert pub._writer.written_events == 1 and not pub._writer._sleeping  # looking on its own
        time.sleep(0.1)
        for _ in range(3):
            started = time.monotonic()
            pub.publish(feedback(factory))
            assert time.monotonic() - started < 1.0  # far less than write_delay
        pub.submit(feedback(factory))  # a response after the clicks: written by the next look
        assert pub.flush(5)
        assert len(spool_lines(tmp_path)) == 5
    finally:
        pub.shutdown()


def test_over_budget_refuses_loudly_and_keeps_what_was_accepted(
    tmp_path: Path, factory: EventFactory, caplog: pytest.LogCaptureFixture
) -> None:
    pub = Publisher(spool_dir=tmp_path, spool_max_bytes=3_000)
    accepted = []
    try:
        with pytest.raises(SpoolFullError) as info:
            for _ in range(100):
                e = feedback(factory)
                pub.publish(e)
                accepted.append(e.event_id)
        assert info.value.max_bytes == 3_000 and info.value.pending_bytes >= 3_000
        assert "PREFLOOP_CAPTURE_SPOOL_MAX_BYTES" in str(info.value)
        with pytest.raises(SpoolFullError):
            pub.submit(feedback(factory))
        m = pub.metrics
        assert m.value("prefloop_capture_spool_full") == 1
        assert m.value("prefloop_capture_events_rejected_total", {"reason": "spool_full"}) == 2
        assert any("over budget" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    finally:
        pub.shutdown()
    assert [e["event_id"] for e in spool_lines(tmp_path)] == accepted and accepted


def test_queue_bound_raises_instead_of_dropping(tmp_path: Path, factory: EventFactory) -> None:
    pub = Publisher(spool_dir=tmp_path, queue_max_events=1)
    try:
        pub._writer._queue.append((b"", "", None))  # the writer is busy: one item waits
        pub._writer._queue.append((b"", "", None))
        with pytest.raises(QueueFullError):
            pub.submit(feedback(factory))
        assert pub.metrics.value("prefloop_capture_events_rejected_total", {"reason": "queue_full"}) == 1
    finally:
        pub.shutdown()


def test_shutdown_refuses_new_events(tmp_path: Path, factory: EventFactory) -> None:
    pub = Publisher(spool_dir=tmp_path)
    pub.submit(feedback(factory))
    pub.shutdown()
    pub.shutdown()  # twice is harmless
    assert len(spool_lines(tmp_path)) == 1  # what was queued got written
    with pytest.raises(PublisherClosedError):
        pub.publish(feedback(factory))


def test_sigkill_loses_nothing_acknowledged(tmp_path: Path) -> None:
    """A child publishes (acknowledged) events as fast as it can and is SIGKILLed mid-stream."""
    code = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from prefloop.capture import Publisher
from prefloop.schemas.events import parse_event
from tests.factories import EventFactory
f = EventFactory()
pub = Publisher(spool_dir={str(tmp_path)!r}, durability="none")
i = 0
while True:
    e = parse_event(f.feedback("r1", rating=1))
    pub.publish(e)
    print(e.event_id, flush=True)
    i += 1
"""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    acked = []
    assert proc.stdout is not None
    while len(acked) < 300:
        line = proc.stdout.readline()
        assert line, "child died early"
        acked.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    acked.extend(line.strip() for line in proc.stdout if line.strip())
    proc.stdout.close()
    on_disk = [e["event_id"] for e in spool_lines(tmp_path)]
    assert set(acked) <= set(on_disk)
    assert on_disk[: len(acked)] == acked  # and in order


def test_fork_child_gets_its_own_writer_directory(tmp_path: Path, factory: EventFactory) -> None:
    pub = Publisher(spool_dir=tmp_path)
    try:
        parent_event = feedback(factory, "parent")
        pub.publish(parent_event)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: publish through the inherited publisher, report, exit hard
            try:
                e = feedback(EventFactory(), "child")
                pub.publish(e)
                os.write(w, f"{pub.writer_dir.name} {e.event_id}".encode())
                pub.shutdown()
            finally:
                os._exit(0)
        os.close(w)
        with os.fdopen(r) as fh:
            child_dir, child_event = fh.read().split()
        os.waitpid(pid, 0)
        assert child_dir != pub.writer_dir.name
        pub.publish(feedback(factory, "parent"))  # the parent keeps working after the fork
        by_dir = {
            d.name: [json.loads(x)["event_id"] for _, p in list_segments(d) for x in p.read_text().split()]
            for d in list_writers(tmp_path)
        }
        assert by_dir[child_dir] == [child_event]
        assert by_dir[pub.writer_dir.name][0] == parent_event.event_id
        assert len(by_dir[pub.writer_dir.name]) == 2
    finally:
        pub.shutdown()


# --- the sender, against a recording producer ----------------------------------------------------------


def test_sender_ships_in_order_keys_by_conversation_and_deletes_shipped_segments(
    tmp_path: Path, factory: EventFactory
) -> None:
    producer = RecordingProducer()
    pub = kafka_publisher(tmp_path, producer, segment_max_bytes=1_500, batch_max_events=7)
    try:
        events = [feedback(factory, f"conv-{i % 4}") for i in range(60)]
        for e in events:
            pub.submit(e)
        assert pub.flush(10)
        assert [json.loads(v)["event_id"] for _, v in producer.sent] == [e.event_id for e in events]
        assert all(k == json.loads(v)["conversation_id"].encode() for k, v in producer.sent)
        assert len(list_segments(pub.writer_dir)) == 1  # only the active segment is left
        assert pub.metrics.value("prefloop_capture_events_shipped_total") == 60
        assert pub.metrics.value("prefloop_capture_spool_pending_events") == 0
        assert read_cursor(pub.writer_dir).seq == list_segments(pub.writer_dir)[0][0]
    finally:
        pub.shutdown()
    assert not pub.writer_dir.exists()  # fully shipped: removed at shutdown


def test_sender_keeps_events_while_kafka_fails_and_replays_them_in_order(
    tmp_path: Path, factory: EventFactory
) -> None:
    fail = threading.Event()
    fail.set()
    producer = RecordingProducer(fail)
    pub = kafka_publisher(tmp_path, producer)
    try:
        events = [feedback(factory, f"c{i % 2}") for i in range(20)]
        for e in events:
            pub.publish(e)
        assert not pub.flush(0.5)
        assert producer.sent == []
        assert pub.metrics.value("prefloop_capture_kafka_errors_total", {"kind": "RuntimeError"}) >= 1
        assert len(spool_lines(tmp_path)) == 20  # all on disk meanwhile
        fail.clear()
        assert pub.flush(15)
        shipped = [json.loads(v)["event_id"] for _, v in producer.sent]
        assert shipped == [e.event_id for e in events]
    finally:
        pub.shutdown()


def test_sender_adopts_a_dead_writers_leftovers(tmp_path: Path, factory: EventFactory) -> None:
    dead = SegmentWriter(tmp_path, segment_max_bytes=1 << 20)
    leftovers = [feedback(factory, "old") for _ in range(5)]
    dead.write(b"".join(e.to_json().encode() + b"\n" for e in leftovers) + b'{"torn":')
    dead.close()  # its process "died": the lock is free
    producer = RecordingProducer()
    pub = kafka_publisher(tmp_path, producer)
    try:
        assert pub.flush(10)
        deadline = time.monotonic() + 10
        while dead.dir.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [json.loads(v)["event_id"] for _, v in producer.sent] == [e.event_id for e in leftovers]
        assert not dead.dir.exists()  # shipped (the torn tail ignored) and removed
        assert pub.metrics.value("prefloop_capture_adopted_writers_total") == 1
    finally:
        pub.shutdown()


def test_live_writers_are_not_adopted(tmp_path: Path, factory: EventFactory) -> None:
    live = SegmentWriter(tmp_path, segment_max_bytes=1 << 20)
    try:
        live.write(feedback(factory).to_json().encode() + b"\n")
        producer = RecordingProducer()
        pub = kafka_publisher(tmp_path, producer)
        try:
            assert pub.flush(5)
            time.sleep(0.2)
            assert producer.sent == []
            assert live.dir.exists()
        finally:
            pub.shutdown()
    finally:
        live.close()


def test_conversation_key_reads_the_envelope_not_the_text(factory: EventFactory) -> None:
    tricky = parse_event(
        factory.response("real-conv", text='"conversation_id":"fake"', prompt='"conversation_id":"x"')
    )
    assert conversation_key(tricky.to_json().encode()) == b"real-conv"
    assert conversation_key(b'{"conversation_id": "spaced"}') == b"spaced"  # not canonical: parsed
    assert conversation_key(b"not json") == b""


def test_wire_line_is_exactly_to_json(factory: EventFactory) -> None:
    from prefloop.capture.publisher.publisher import wire_line

    for raw in (
        factory.response(
            "c1", text='ünïcödé \u2028 "quoted"', generation={"temperature": 0.2, "vendor_x": [1]}
        ),
        factory.feedback("r1", rating=None, retract=True),
        factory.choice("a", "b", preferred="tie"),
    ):
        event = parse_event(raw)
        assert wire_line(event) == event.to_json().encode() + b"\n"


def test_config_is_validated() -> None:
    from prefloop.schemas.errors import ConfigError

    with pytest.raises(ConfigError, match="durability"):
        PublisherConfig(spool_dir=Path("x"), durability="sometimes")
    with pytest.raises(ConfigError, match="spool_max_bytes"):
        PublisherConfig(spool_dir=Path("x"), spool_max_bytes=0)
    settings = PublisherConfig(
        spool_dir=Path("x"), kafka_bootstrap="h:1", producer_options={"acks": 0, "linger_ms": 9}
    )
    assert settings.producer_settings()["acks"] == "all"  # cannot be weakened
    assert settings.producer_settings()["enable_idempotence"] is True
    assert settings.producer_settings()["linger_ms"] == 9


def test_event_ids_come_from_the_pool_in_creation_order(tmp_path: Path) -> None:
    import uuid

    pub = Publisher(spool_dir=tmp_path)
    try:
        assert pub.flush(5)  # the writer has filled the pool
        ids = [pub.new_event_id() for _ in range(600)]  # more than the pool holds: falls back inline
        assert all(uuid.UUID(i).version == 7 for i in ids)
        assert ids == sorted(ids) and len(set(ids)) == 600
    finally:
        pub.shutdown()
