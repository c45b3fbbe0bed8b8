"""Per-user rate limit and idempotency keys."""

from __future__ import annotations

import threading

import pytest

from prefloop.capture.idempotency import IdempotencyCache
from prefloop.capture.ratelimit import RateLimiter


def test_rate_limit_allows_a_burst_then_refills_per_user() -> None:
    rl = RateLimiter(per_minute=60, burst=3)
    assert [rl.check("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert rl.check("a", now=0.0) == pytest.approx(1.0)
    assert rl.check("b", now=0.0) == 0.0  # another user has a bucket of their own
    assert rl.check("a", now=1.0) == 0.0  # one token back after a second at 60/min
    assert rl.check("a", now=1.0) > 0


def test_rate_limit_zero_is_off() -> None:
    rl = RateLimiter(per_minute=0, burst=1)
    assert all(rl.check("a", now=0.0) == 0.0 for _ in range(1000))


def test_rate_limit_memory_is_bounded() -> None:
    rl = RateLimiter(per_minute=60, burst=1, max_users=10)
    for i in range(100):
        rl.check(f"u{i}", now=float(i))
    assert len(rl._buckets) <= 10


def test_repeated_key_returns_the_first_result_without_running_again() -> None:
    cache = IdempotencyCache(ttl=60)
    calls = []
    assert cache.run("u", "k", lambda: calls.append(1) or "e1") == ("e1", False)
    assert cache.run("u", "k", lambda: calls.append(1) or "e2") == ("e1", True)
    assert cache.run("other", "k", lambda: "e3") == ("e3", False)  # keys are per user
    assert cache.run("u", None, lambda: "e4") == ("e4", False)
    assert len(calls) == 1


def test_a_failed_attempt_is_not_remembered() -> None:
    cache = IdempotencyCache(ttl=60)

    def boom() -> str:
        raise RuntimeError("disk")

    with pytest.raises(RuntimeError):
        cache.run("u", "k", boom)
    assert cache.run("u", "k", lambda: "ok") == ("ok", False)


def test_concurrent_repeat_waits_for_the_first() -> None:
    cache = IdempotencyCache(ttl=60)
    started, release = threading.Event(), threading.Event()
    results = []

    def slow() -> str:
        started.set()
        release.wait(5)
        return "first"

    t = threading.Thread(target=lambda: results.append(cache.run("u", "k", slow)))
    t.start()
    started.wait(5)
    threading.Timer(0.05, release.set).start()
    assert cache.run("u", "k", lambda: "second", wait=5) == ("first", True)
    t.join(5)
    assert results == [("first", False)]


def test_idempotency_memory_is_bounded() -> None:
    cache = IdempotencyCache(ttl=60, max_keys=5)
    for i in range(20):
        cache.run("u", f"k{i}", lambda: "x")
    assert len(cache._entries) == 5
