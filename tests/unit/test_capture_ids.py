"""Event ids: UUIDv7 from batched randomness (one os.urandom read per batch, never one per id)."""

from __future__ import annotations

import os
import threading
import time
import uuid

import pytest

from prefloop.capture.publisher import ids as ids_module
from prefloop.capture.publisher.ids import IdPool
from prefloop.schemas.events import FeedbackEvent


def test_ids_are_canonical_uuid7_unique_and_sorted_in_the_order_taken() -> None:
    pool = IdPool(batch=1024)
    before = time.time_ns() // 1_000_000
    got = [pool.take() for _ in range(50_000)]
    after = time.time_ns() // 1_000_000
    assert len(set(got)) == len(got)
    assert got == sorted(got)  # a per-millisecond counter orders ids within one millisecond
    for text in got[::997]:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 7 and parsed.variant == uuid.RFC_4122
        assert before <= parsed.int >> 80 <= after + 1
    FeedbackEvent.model_validate(  # the schema's own check of the event id
        {
            "event_id": got[0],
            "occurred_at": "2026-12-01T00:00:00Z",
            "app_id": "a",
            "conversation_id": "c",
            "user": "u",
            "response_id": "r",
            "rating": 1,
        }
    )


def test_one_random_read_per_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []
    real = os.urandom

    def counting(n: int) -> bytes:
        reads.append(n)
        return real(n)

    monkeypatch.setattr(ids_module.os, "urandom", counting)
    pool = IdPool(batch=256)
    for _ in range(1000):
        pool.take()
    assert len(reads) == 4 and set(reads) == {256 * 8}  # 1,000 ids, 4 reads: never one system call per id
    pool.top_up()  # the writer's refill: again one read for a whole batch, only when under half
    assert len(reads) == 5


def test_random_bits_differ_between_pools_and_ids_are_never_stale() -> None:
    a, b = IdPool(), IdPool()
    tails_a = {x[15:] for x in (a.take() for _ in range(5000))}
    tails_b = {x[15:] for x in (b.take() for _ in range(5000))}
    assert len(tails_a) == 5000 and not tails_a & tails_b  # 62 random bits + counter per id
    a.take()
    time.sleep(0.05)  # an idle pool: the next id carries the time it was taken, not the refill time
    now = time.time_ns() // 1_000_000
    assert uuid.UUID(a.take()).int >> 80 >= now


def test_ids_stay_unique_across_threads() -> None:
    pool = IdPool(batch=64)
    out: list[list[str]] = [[] for _ in range(4)]

    def work(i: int) -> None:
        out[i].extend(pool.take() for _ in range(5000))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = [x for part in out for x in part]
    assert len(set(flat)) == len(flat) == 20_000
    assert all(part == sorted(part) for part in out)  # each thread's ids in the order it took them
