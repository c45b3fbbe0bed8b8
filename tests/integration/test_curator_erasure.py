"""Erasure holds (issue 16): once `prefloop forget` ran, nothing of the user comes back, from a replay of the
topic from offset 0 with a new consumer group, an at-least-once resend, or a spool drained late; not as events,
pairs, dead letters or release rows. Real broker, real PostgreSQL (and SQLite where no broker is involved)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from prefloop.curator.ingest import FileSource
from prefloop.curator.ingest.kafka import KafkaSource
from prefloop.curator.pairing import load_policy
from prefloop.curator.pipeline import Curator
from prefloop.curator.releases import BuildOptions, build_release, forget_user
from prefloop.curator.releases.gates import GATE_NAMES
from prefloop.curator.store import Store
from prefloop.curator.store.models import DeadLetter, EventRow, FeedbackState, Pair, ResponseRow
from tests.factories import EventFactory

FORGOTTEN, KEPT = "u_" + "f" * 32, "u_" + "a" * 32
SECRET = "zq-forgotten-text"
#: one user's edit alone is accepted
# an edit's pair id comes from its random event id: no audit draw, so the kept user's edit is always accepted
POLICY = load_policy(accept={"min_strength": 0.9}, audit={"rate": 0})


def _events(user: str, secret: str = "") -> list[dict[str, Any]]:
    """A response and the user's edit of it (accepted under :data:`POLICY`), a thumbs-down with a comment, and a
    record that is not an event but names the user (a dead letter)."""
    f = EventFactory()
    conv = f"conv-{user}"
    r = f.response(
        conv,
        user,
        prompt=f"How do I sort a list? {secret}",
        text=f"Use a loop somehow {secret}.",
        response_id=f"r-{user}",
    )
    return [
        r,
        f.edit(r["response_id"], f"Use sorted(xs), or xs.sort() in place. {secret}", conv, user),
        f.feedback(r["response_id"], -1, conv, user, comment=f"wrong {secret}"),
        {**f.regenerate(r["response_id"], conv, user), "event_id": "not-a-uuid"},
    ]


def _state(store: Store, user: str) -> dict[str, int]:
    with store.session() as s:
        pairs = [p for p in s.scalars(select(Pair)) if user in (p.users or [])]
        return {
            "events": int(s.scalar(select(func.count()).where(EventRow.user == user)) or 0),
            "responses": int(s.scalar(select(func.count()).where(ResponseRow.user == user)) or 0),
            "feedback": int(s.scalar(select(func.count()).where(FeedbackState.user == user)) or 0),
            "pairs": len(pairs),
            "accepted": sum(p.status == "accepted" for p in pairs),
            "dead_letters": sum(user.encode() in bytes(r) for r in s.scalars(select(DeadLetter.raw))),
        }


GONE = {"events": 0, "responses": 0, "feedback": 0, "pairs": 0, "accepted": 0, "dead_letters": 0}


def _produce(bootstrap: str, topic: str, events: list[dict[str, Any]]) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for e in events:
        producer.send(topic, value=json.dumps(e).encode(), key=e["conversation_id"].encode())
    producer.flush()
    producer.close()


def _drain(store: Store, bootstrap: str, topic: str, dlq: str, group: str) -> Any:
    source = KafkaSource(
        Curator(store, POLICY, require_scrub=False),
        bootstrap=bootstrap,
        topic=topic,
        dlq_topic=dlq,
        group=group,
    )
    return source.run(once=True)


def _release_text(store: Store, root: Path) -> str:
    built = build_release(
        store, BuildOptions(month="2026-10", root=root, progress=False, overrides=GATE_NAMES)
    )
    return "".join(
        json.dumps(pq.read_table(p).to_pylist()) for p in sorted((built.path / "data").glob("*.parquet"))
    )


@pytest.mark.integration
def test_replays_resends_and_late_spools_bring_nothing_back(
    kafka_bootstrap: str, kafka_topic: str, dlq_topic: str, postgres_url: str, tmp_path: Path
) -> None:
    store = Store(postgres_url)
    try:
        forgotten, kept = _events(FORGOTTEN, SECRET), _events(KEPT)
        _produce(kafka_bootstrap, kafka_topic, forgotten + kept)
        _drain(store, kafka_bootstrap, kafka_topic, dlq_topic, "curator")
        before = _state(store, FORGOTTEN)
        assert before["events"] == 3 and before["accepted"] >= 1 and before["dead_letters"] == 1

        result = forget_user(store, FORGOTTEN)
        assert result.dead_letters == 1 and result.pairs == before["pairs"]
        assert _state(store, FORGOTTEN) == GONE

        # a new consumer group reads the topic from offset 0
        replay = _drain(store, kafka_bootstrap, kafka_topic, dlq_topic, f"replay-{uuid.uuid4().hex[:6]}")
        assert replay.forgotten == 4
        # an at-least-once resend of the same events, and a spool drained late (a JSONL file of them)
        _produce(kafka_bootstrap, kafka_topic, forgotten)
        _drain(store, kafka_bootstrap, kafka_topic, dlq_topic, "curator")
        late = tmp_path / "late-spool.jsonl"
        late.write_text("".join(json.dumps(e) + "\n" for e in _events(FORGOTTEN, SECRET)), encoding="utf-8")
        assert FileSource(Curator(store, POLICY, require_scrub=False), late).run().forgotten == 4

        assert _state(store, FORGOTTEN) == GONE
        assert _state(store, KEPT)["accepted"] >= 1
        released = _release_text(store, tmp_path / "releases")
        assert "Use sorted(xs)" in released  # the other user's pair ships
        assert SECRET not in released
    finally:
        store.dispose()


def test_forget_erases_dead_letters_and_purge_blanks_comments_and_dead_letters(store_url: str) -> None:
    from datetime import timedelta

    from prefloop.curator.ingest.decode import RawRecord
    from prefloop.curator.ingest.purge import purge
    from prefloop.curator.store.models import utcnow

    store = Store(store_url)
    try:
        curator = Curator(store, POLICY, require_scrub=False)
        records = [
            RawRecord(json.dumps(e).encode(), f"file:x@{i}")
            for i, e in enumerate(_events(FORGOTTEN, SECRET) + _events(KEPT, SECRET))
        ]
        curator.process(records, keep_dead_letters=True)
        forget_user(store, FORGOTTEN)
        assert _state(store, FORGOTTEN) == GONE
        with store.session() as s:
            assert s.scalar(select(func.count()).select_from(DeadLetter)) == 1  # the kept user's
        done = purge(store, utcnow() + timedelta(days=1))
        assert (done.comments, done.dead_letters) == (1, 1)
        with store.session() as s:
            assert [c for c in s.scalars(select(FeedbackState.comment))] == [None]
            assert [bytes(r) for r in s.scalars(select(DeadLetter.raw))] == [b""]
            assert all(SECRET not in json.dumps(p) for p in s.scalars(select(EventRow.payload)))
    finally:
        store.dispose()
