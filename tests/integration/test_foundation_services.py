"""The real services the foundation stands on: the local Kafka broker and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

pytestmark = pytest.mark.integration


def test_produce_and_consume_with_a_consumer_group_and_committed_offsets(
    kafka_bootstrap: str, kafka_topic: str
) -> None:
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
    for i in range(30):
        producer.send(kafka_topic, key=f"conv-{i % 5}".encode(), value=f"event-{i}".encode())
    producer.flush(timeout=30)
    producer.close()

    group = f"group-{kafka_topic}"
    consumer = KafkaConsumer(
        kafka_topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=15000,
    )
    seen = []
    for message in consumer:
        seen.append(message.value.decode())
        if len(seen) == 30:
            break
    consumer.commit()
    partitions = [TopicPartition(kafka_topic, p) for p in consumer.partitions_for_topic(kafka_topic)]
    committed = sum(consumer.committed(tp) or 0 for tp in partitions)
    consumer.close()
    assert sorted(seen) == sorted(f"event-{i}" for i in range(30))
    assert committed == 30  # the group's committed offsets cover every message

    # a new member of the same group starts after the committed offsets: nothing is redelivered
    again = KafkaConsumer(
        kafka_topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=3000,
    )
    assert list(again) == []
    again.close()


def test_db_upgrade_migrates_an_empty_postgresql(postgres_admin_url: str, tmp_path: Path) -> None:
    from tests.conftest import _create_database, _drop_database, _with_database

    name = "prefloop_cli_upgrade"
    _drop_database(postgres_admin_url, name)
    _create_database(postgres_admin_url, name)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFLOOP_")}
        env["PREFLOOP_DATABASE_URL"] = _with_database(postgres_admin_url, name)
        env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
        run = subprocess.run(
            [sys.executable, "-m", "prefloop.curator.cli", "db", "upgrade"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        assert ": empty -> [" in run.stdout
        doctor = subprocess.run(
            [sys.executable, "-m", "prefloop.curator.cli", "doctor"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        db_line = next(line for line in doctor.stdout.splitlines() if line.split()[1] == "database")
        assert db_line.startswith("ok") and "postgresql" in db_line
    finally:
        _drop_database(postgres_admin_url, name)
