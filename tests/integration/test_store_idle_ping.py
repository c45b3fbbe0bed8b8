"""PostgreSQL connections are pinged on checkout only after sitting idle in the pool (issue 17, session 12).

A Slack vote's transaction made ~10 round trips, one of them the pool's pre-ping of a connection handed back a
few milliseconds before; each round trip is a wait to get the interpreter lock back under load."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from prefloop.curator.store import engine as store_engine
from prefloop.curator.store.engine import PING_AFTER_IDLE_SECONDS, make_engine

pytestmark = pytest.mark.integration  # a real PostgreSQL


@pytest.fixture()
def counted(postgres_url: str) -> Iterator[tuple[Any, list[int]]]:
    eng = make_engine(postgres_url, pool_size=1, max_overflow=0)
    pings: list[int] = []
    original = eng.dialect.do_ping

    def do_ping(dbapi_connection: Any) -> bool:
        pings.append(1)
        return original(dbapi_connection)

    eng.dialect.do_ping = do_ping  # type: ignore[method-assign]
    try:
        yield eng, pings
    finally:
        eng.dispose()


def _one(eng: Any) -> int:
    with eng.connect() as conn:
        return int(conn.execute(text("SELECT 1")).scalar_one())


def test_a_connection_reused_at_once_is_not_pinged(counted: tuple[Any, list[int]]) -> None:
    eng, pings = counted
    for _ in range(5):
        assert _one(eng) == 1
    assert pings == []


def test_a_connection_idle_past_the_window_is_pinged_once(
    counted: tuple[Any, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    eng, pings = counted
    now = [1000.0]
    monkeypatch.setattr(store_engine.time, "monotonic", lambda: now[0])
    assert _one(eng) == 1  # a new connection: no ping
    now[0] += PING_AFTER_IDLE_SECONDS + 0.5
    assert _one(eng) == 1
    assert pings == [1]
    assert _one(eng) == 1  # back at once: no second ping
    assert pings == [1]


@settings(max_examples=25, deadline=None)
@given(idle=st.floats(min_value=0.0, max_value=3 * PING_AFTER_IDLE_SECONDS, allow_nan=False))
def test_the_ping_happens_exactly_past_the_window(postgres_url: str, idle: float) -> None:
    eng = make_engine(postgres_url, pool_size=1, max_overflow=0)
    pings: list[int] = []
    original = eng.dialect.do_ping
    eng.dialect.do_ping = lambda c: pings.append(1) or original(c)  # type: ignore[method-assign]
    clock = [50.0]
    real = store_engine.time.monotonic
    store_engine.time.monotonic = lambda: clock[0]  # type: ignore[assignment]
    try:
        _one(eng)
        clock[0] += idle
        _one(eng)
    finally:
        store_engine.time.monotonic = real  # type: ignore[assignment]
        eng.dispose()
    assert len(pings) == (1 if idle > PING_AFTER_IDLE_SECONDS else 0)


def test_an_idle_connection_killed_by_the_server_is_replaced(
    counted: tuple[Any, list[int]], postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    eng, pings = counted
    with eng.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    admin = make_engine(postgres_url)
    try:
        with admin.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    finally:
        admin.dispose()
    real = store_engine.time.monotonic
    monkeypatch.setattr(store_engine.time, "monotonic", lambda: real() + PING_AFTER_IDLE_SECONDS + 1)
    with eng.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    assert pings == [1]


def test_connections_opened_for_a_burst_are_kept_for_the_next(postgres_url: str) -> None:
    """Eight transactions at once, twice: the second burst runs on the first burst's connections (the old pool,
    5 kept + 10 overflow, closed three of them when handed back and opened three new ones)."""
    eng = make_engine(postgres_url)
    try:
        pids: list[set[int]] = []
        for _ in range(2):
            conns = [eng.connect() for _ in range(8)]
            pids.append({int(c.execute(text("SELECT pg_backend_pid()")).scalar_one()) for c in conns})
            for c in conns:
                c.close()
        assert len(pids[0]) == 8
        assert pids[1] == pids[0]
    finally:
        eng.dispose()
