"""Capture in this process against the real local broker: what the Flask app records reaches the topic,
keyed by conversation, in order. (Broker outages and killed processes: test_capture_process.py.)"""

from __future__ import annotations

import json
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


@pytest.mark.parametrize("sender", ["process", "thread"])
def test_flask_app_ships_response_and_feedback_keyed_by_conversation(
    kafka_bootstrap: str, kafka_topic: str, tmp_path: Path, sender: str
) -> None:
    app = Flask("assistant")
    app.config.update(
        SECRET_KEY="k",
        PREFLOOP_CAPTURE_SPOOL_DIR=str(tmp_path),
        PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP=kafka_bootstrap,
        PREFLOOP_CAPTURE_KAFKA_TOPIC=kafka_topic,
        PREFLOOP_CAPTURE_SENDER=sender,
    )
    capture = FeedbackCapture(app, user_loader=lambda: "alice")
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
