"""A click the browser retried (same idempotency key, new event id: e.g. after an ack-timeout 503) is stored
once, as the docs say (issue 16), through the real broker and on both stores."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import uuid6
from sqlalchemy import func, select

from prefloop.curator.ingest.decode import RawRecord
from prefloop.curator.ingest.kafka import KafkaSource
from prefloop.curator.pairing import load_policy
from prefloop.curator.pipeline import Curator
from prefloop.curator.store import Store
from prefloop.curator.store.models import EventRow, FeedbackState
from tests.factories import EventFactory


def _retry_of(event: dict[str, Any]) -> dict[str, Any]:
    """What the browser sends again: the same click and key, a new event id."""
    return {**event, "event_id": str(uuid6.uuid7())}


def _clicks() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    f = EventFactory()
    response = f.response("conv-1", "u_1", response_id="r1")
    click = f.feedback("r1", -1, "conv-1", "u_1", idempotency_key="click-7f3a", comment="wrong")
    return response, click, _retry_of(click)


def _stored(store: Store) -> tuple[int, list[tuple[str, str | None]]]:
    with store.session() as s:
        events = int(s.scalar(select(func.count()).select_from(EventRow)) or 0)
        feedback = [(r.event_id, r.comment) for r in s.scalars(select(FeedbackState))]
    return events, feedback


def test_a_retried_click_is_stored_once(store_url: str) -> None:
    response, click, retry = _clicks()
    store = Store(store_url)
    try:
        curator = Curator(store, load_policy(), require_scrub=False)
        # in one batch, and in a later batch
        first = curator.process(
            [RawRecord(json.dumps(e).encode(), f"t@{i}") for i, e in enumerate([response, click, retry])]
        )
        later = curator.process([RawRecord(json.dumps(_retry_of(click)).encode(), "t@3")])
        assert (first.write.inserted, later.write.inserted) == (2, 0)
        assert _stored(store) == (2, [(click["event_id"], "wrong")])
        # the same key from another user is another click
        other = {**_retry_of(click), "user": "u_2"}
        assert curator.process([RawRecord(json.dumps(other).encode(), "t@4")]).write.inserted == 1
    finally:
        store.dispose()


@pytest.mark.integration
def test_a_retried_click_on_the_topic_is_stored_once(
    kafka_bootstrap: str, kafka_topic: str, dlq_topic: str, postgres_url: str
) -> None:
    from kafka import KafkaProducer

    response, click, retry = _clicks()
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    group = f"g-{uuid.uuid4().hex[:8]}"
    store = Store(postgres_url)
    try:

        def run(events: list[dict[str, Any]]) -> Any:
            for e in events:
                producer.send(kafka_topic, value=json.dumps(e).encode(), key=e["conversation_id"].encode())
            producer.flush()
            source = KafkaSource(
                Curator(store, load_policy(), require_scrub=False),
                bootstrap=kafka_bootstrap,
                topic=kafka_topic,
                dlq_topic=dlq_topic,
                group=group,
            )
            return source.run(once=True)

        first = run([response, click])
        second = run([retry])  # after the first was stored and committed: the browser's retry arrives
        assert (first.inserted, second.inserted, second.duplicates) == (2, 0, 1)
        assert _stored(store) == (2, [(click["event_id"], "wrong")])
    finally:
        producer.close()
        store.dispose()
