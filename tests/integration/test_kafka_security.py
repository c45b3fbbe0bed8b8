"""Managed-Kafka security end to end: a broker that only speaks SASL_SSL (SCRAM, mutual TLS with a CA made by the
test), capture's producer configured with PREFLOOP_CAPTURE_KAFKA_OPTIONS, and the curator process configured
with the same keys in PREFLOOP_KAFKA_OPTIONS (the password read from a file, the user from another variable).
The broker has its own ports and is stopped at the end."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from prefloop.capture import FeedbackCapture
from prefloop.curator.doctor import check_kafka
from prefloop.curator.settings import Settings
from prefloop.curator.store import Store
from prefloop.curator.store.models import EventRow, Pair
from tests.integration.secure_kafka import SecureBroker
from tests.integration.test_deploy_probes import base_env

pytestmark = pytest.mark.integration

PROMPT = "How do I reverse a list in Python? One sentence, please."
BAD = "Sort the list with sorted() and it will come out reversed every time."
GOOD = "Call items.reverse() to reverse it in place, or use items[::-1] for a reversed copy."


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    running = SecureBroker(tmp_path_factory.mktemp("secure-kafka")).start()
    try:
        yield running
    finally:
        running.stop()


def send_regenerated_answers(app_config: dict[str, object], conversations: int) -> int:
    """Through a real capture app: an answer, regenerate, a new answer, thumbs-up on it (a pair routed to review)
    per conversation. Returns the number of events shipped."""
    app = Flask("assistant")
    app.config.update(SECRET_KEY="k", PREFLOOP_CAPTURE_SENDER="thread", **app_config)
    capture = FeedbackCapture(app, user_loader=lambda: "alice")
    try:
        client = app.test_client()
        for i in range(conversations):
            conv = f"conv-{uuid.uuid4().hex[:8]}-{i}"
            prompt = [{"role": "user", "content": f"{PROMPT} (question {i})"}]
            with app.test_request_context():
                first = capture.response_shown(conversation_id=conv, context=prompt, text=BAD, model="m")
            assert client.post("/prefloop/regenerate", json={"token": first}).status_code == 200
            with app.test_request_context():
                second = capture.response_shown(
                    conversation_id=conv,
                    context=prompt,
                    text=GOOD,
                    model="m",
                    regenerates=first.response_id,
                )
            assert client.post("/prefloop/feedback", json={"token": second, "rating": 1}).status_code == 200
        assert capture.flush(60, app=app), "capture could not ship to the SASL_SSL listener"
        return int(capture.metrics(app).value("prefloop_capture_events_shipped_total"))
    finally:
        capture.shutdown(app=app)


def test_capture_to_curator_over_sasl_ssl_with_scram_and_client_certificates(
    broker: SecureBroker, postgres_url: str, tmp_path: Path
) -> None:
    topic = f"secure-{uuid.uuid4().hex[:8]}"
    shipped = send_regenerated_answers(
        {
            "PREFLOOP_CAPTURE_SPOOL_DIR": str(tmp_path / "spool"),
            "PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP": broker.bootstrap,
            "PREFLOOP_CAPTURE_KAFKA_TOPIC": topic,
            "PREFLOOP_CAPTURE_KAFKA_OPTIONS": broker.client_options(),
        },
        conversations=3,
    )
    assert shipped == 12
    password = tmp_path / "kafka-password"
    password.write_text(broker.password + "\n")  # as a mounted Secret file would hold it
    options = broker.client_options()
    del options["sasl_plain_password"], options["sasl_plain_username"]
    options |= {"sasl_plain_password_file": str(password), "sasl_plain_username_env": "KAFKA_USER"}
    env = base_env(postgres_url) | {
        "PREFLOOP_KAFKA_BOOTSTRAP": broker.bootstrap,
        "PREFLOOP_KAFKA_TOPIC": topic,
        "PREFLOOP_KAFKA_DLQ_TOPIC": f"{topic}.dlq",
        "PREFLOOP_KAFKA_GROUP": f"g-{topic}",
        "PREFLOOP_KAFKA_OPTIONS": json.dumps(options),
        "KAFKA_USER": broker.user,
    }
    done = subprocess.run(
        [sys.executable, "-m", "prefloop.curator.cli", "curator", "run", "--once", "--no-scrub", "--no-tag"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert broker.password not in done.stderr
    store = Store(postgres_url)
    try:
        with store.session() as s:
            events = s.scalar(select(func.count()).select_from(EventRow))
            routes = list(s.scalars(select(Pair.status)))
    finally:
        store.dispose()
    assert events == 12
    assert routes == ["review"] * 3
    # the consumer committed its offsets and the dead-letter topic exists: the admin client got through too
    settings = Settings.load(env)
    check = check_kafka(settings)
    assert check.ok, check.line()


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_both_scram_mechanisms_authenticate(broker: SecureBroker, mechanism: str) -> None:
    topic = f"auth-{uuid.uuid4().hex[:8]}"
    settings = _settings(broker, topic, broker.client_options(mechanism))
    from prefloop.curator.ingest.kafka import ensure_topics

    assert ensure_topics(str(settings.kafka_bootstrap), {topic: 1}, options=settings.kafka_options) == [topic]
    assert check_kafka(settings).ok


@pytest.mark.parametrize("options", ["wrong password", "no security options"])
def test_a_wrong_password_or_no_tls_is_refused(broker: SecureBroker, options: str) -> None:
    given = broker.client_options(sasl_plain_password="nope") if options == "wrong password" else {}
    check = check_kafka(_settings(broker, "t", given))
    assert not check.ok and "no broker answered" in check.line()


def _settings(broker: SecureBroker, topic: str, options: dict[str, object]) -> Settings:
    return Settings.load(
        {
            "PREFLOOP_KAFKA_BOOTSTRAP": broker.bootstrap,
            "PREFLOOP_KAFKA_TOPIC": topic,
            "PREFLOOP_KAFKA_DLQ_TOPIC": topic,
            "PREFLOOP_KAFKA_OPTIONS": json.dumps(options),
        }
    )
