"""Capture in this process against the real local broker: what the Flask app records reaches the topic,
keyed by conversation, in order. (Broker outages and killed processes: test_capture_process.py.)"""

from __future__ import annotations

import json
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from prefloop.capture import FeedbackCapture  # imports kafka-python quietly before the fixtures do

pytestmark = pytest.mark.integration


def consume(
    bootstrap: str, topic: str, expect: int, timeout: float = 60.0
) -> list[tuple[bytes, dict[str, Any]]]:
    """Every record of ``topic`` (key, parsed value) in partition order, once ``expect`` unique ids arrived."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    out: list[tuple[bytes, dict[str, Any]]] = []
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    try:
        while len(seen) < expect and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for r in records:
                    value = json.loads(r.value)
                    out.append((r.key, value))
                    seen.add(value["event_id"])
    finally:
        consumer.close()
    return out


def _shipping_app(tmp_path: Path, bootstrap: str, topic: str, **config: Any) -> tuple[Flask, FeedbackCapture]:
    app = Flask("assistant")
    app.config.update(
        SECRET_KEY="k",
        PREFLOOP_CAPTURE_SPOOL_DIR=str(tmp_path),
        PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP=bootstrap,
        PREFLOOP_CAPTURE_KAFKA_TOPIC=topic,
        **config,
    )
    return app, FeedbackCapture(app, user_loader=lambda: "alice")


@pytest.mark.parametrize("sender", ["process", "thread"])
def test_flask_app_ships_response_and_feedback_keyed_by_conversation(
    kafka_bootstrap: str, kafka_topic: str, tmp_path: Path, sender: str
) -> None:
    app, capture = _shipping_app(tmp_path, kafka_bootstrap, kafka_topic, PREFLOOP_CAPTURE_SENDER=sender)
    try:
        with app.test_request_context():
            tokens = [
                capture.response_shown(
                    conversation_id=f"conv-{i}",
                    context=[{"role": "user", "content": "q"}],
                    text="a",
                    model="m",
                )
                for i in range(6)
            ]
        client = app.test_client()
        for t in tokens:
            assert client.post("/prefloop/feedback", json={"token": t, "rating": 1}).status_code == 200
            assert client.post("/prefloop/regenerate", json={"token": t}).status_code == 200
        assert capture.flush(30, app=app)
        records = consume(kafka_bootstrap, kafka_topic, expect=18)
        assert len({v["event_id"] for _, v in records}) == 18
        for key, value in records:
            assert key == value["conversation_id"].encode()
        for t in tokens:
            types = [v["type"] for _, v in records if v["conversation_id"] == t.conversation_id]
            assert types == ["response", "feedback", "regenerate"]
        assert capture.metrics(app).value("prefloop_capture_events_shipped_total") == 18
        writer_dir = capture.publisher(app).writer_dir
    finally:
        capture.shutdown(app=app)
    assert not writer_dir.exists()  # everything shipped: nothing left on disk


def test_a_steady_stream_wakes_the_sidecar_once_per_linger_and_everything_ships_in_order(
    kafka_bootstrap: str, kafka_topic: str, tmp_path: Path
) -> None:
    """The spool writer tells the sidecar about a batch only when its last wake-up is more than ``linger`` old
    (the child reads the spool at least ``linger`` after each wake-up, so a batch written within that window
    ships with it), and the sidecar's reader thread leaves the spool rescans to the writer while far below
    the budget: every pipe write and every system call of a rescan hands the GIL to the host's request threads
    and takes it back. Nothing is lost or reordered for it, and the stream's last batch ships without a flush."""
    from prefloop.capture import Publisher
    from prefloop.schemas.events import FeedbackEvent, parse_event
    from tests.factories import EventFactory

    factory = EventFactory()
    pub = Publisher(
        spool_dir=tmp_path, kafka_bootstrap=kafka_bootstrap, topic=kafka_topic, linger=0.05, write_delay=0.005
    )
    sender, writer = pub._sender, pub._writer
    wakes: list[float] = []
    batches: list[float] = []
    rescans: list[str] = []
    send, on_written, rescan = sender._send, writer.on_written, pub._account.rescan

    def counting_send(line: str) -> bool:
        if line == "w":
            wakes.append(time.monotonic())
        return send(line)

    def counting_on_written() -> None:
        batches.append(time.monotonic())
        on_written()

    def counting_rescan() -> None:
        rescans.append(threading.current_thread().name)
        rescan()

    sender._send, writer.on_written, pub._account.rescan = counting_send, counting_on_written, counting_rescan
    try:
        assert pub.flush(60)  # connected and shipping
        wakes.clear(), batches.clear(), rescans.clear()
        events: list[FeedbackEvent] = []
        for i in range(300):
            event = parse_event(factory.feedback("r1", conversation_id=f"c{i % 5}"))
            assert isinstance(event, FeedbackEvent)
            pub.submit(event)
            events.append(event)
            time.sleep(0.003)
        deadline = time.monotonic() + 30  # no flush: the last batch needs no wake-up of its own
        while (
            pub.metrics.value("prefloop_capture_events_shipped_total") < 300 and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        assert pub.metrics.value("prefloop_capture_events_shipped_total") >= 300
        assert len(batches) >= 30
        assert 1 <= len(wakes) <= len(batches) // 2  # one per batch before
        assert len(wakes) <= (wakes[-1] - wakes[0]) / 0.05 + 2  # at most one per linger
        assert "prefloop-sidecar-reader" not in rescans  # the writer's own rescan every second only
        records = consume(kafka_bootstrap, kafka_topic, expect=300)
        by_conversation: dict[str, list[str]] = {}
        for _, value in records:
            ids = by_conversation.setdefault(value["conversation_id"], [])
            if value["event_id"] not in ids:
                ids.append(value["event_id"])
        for c in range(5):
            assert by_conversation[f"c{c}"] == [e.event_id for e in events if e.conversation_id == f"c{c}"]
    finally:
        pub.shutdown()


def test_a_cursor_the_full_disk_cannot_take_never_makes_the_sender_send_a_batch_twice(
    kafka_bootstrap: str, kafka_topic: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shipping progress is recorded in a small cursor file; on a full disk that write fails. The sender keeps
    the progress in memory and goes on: every event reaches the topic exactly once. (Before: the failed cursor
    write raised after Kafka had the batch, so the batch went again, round after round: 1,176 copies of 147
    clicks from a dead writer's spool on a full 256 KB tmpfs.)"""
    import errno

    from prefloop.capture.publisher import sender as sender_module

    failures = []

    def full_disk(*_: Any) -> None:
        failures.append(1)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sender_module, "write_cursor", full_disk)
    app, capture = _shipping_app(
        tmp_path,
        kafka_bootstrap,
        kafka_topic,
        PREFLOOP_CAPTURE_SENDER="thread",  # (in this process, so the failing cursor write applies to it)
        PREFLOOP_CAPTURE_BATCH_MAX_EVENTS=5,  # many batches, many cursor writes
    )
    try:
        with app.test_request_context():
            for i in range(40):
                capture.response_shown(
                    conversation_id=f"conv-{i}",
                    context=[{"role": "user", "content": "q"}],
                    text="a",
                    model="m",
                )
        assert capture.flush(30, app=app)
        time.sleep(2.0)  # rounds after the last batch: a batch sent again would show here
        records = consume(kafka_bootstrap, kafka_topic, expect=40, timeout=20)
    finally:
        capture.shutdown(app=app)
    assert failures  # the cursor write did fail
    assert len(records) == 40 == len({v["event_id"] for _, v in records})
