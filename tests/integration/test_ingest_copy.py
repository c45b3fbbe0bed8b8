"""PostgreSQL: new events and responses are COPied straight into their table after a key lookup; what is stored
is what ``INSERT ... ON CONFLICT DO NOTHING`` stored, also when another transaction races for the same key."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select, text

from prefloop.curator.store import Store, bulk
from prefloop.curator.store.bulk import copy_new
from prefloop.curator.store.models import EventRow
from prefloop.schemas.events import parse_event
from tests.factories import EventFactory

pytestmark = pytest.mark.integration

_COLUMNS = ("event_id", "type", "schema_version", "app_id", "conversation_id", "user", "occurred_at")


def _event_rows(n: int) -> list[tuple[Any, ...]]:
    f = EventFactory()
    rows = []
    for _ in range(n):
        e = parse_event(f.feedback("r1", 1))
        rows.append((e.event_id, e.type, 1, e.app_id, e.conversation_id, e.user, e.occurred_at))
    return rows


def _insert_rows(s: Any, rows: list[tuple[Any, ...]]) -> None:
    for r in rows:
        s.execute(
            text(
                'INSERT INTO events (event_id, type, schema_version, app_id, conversation_id, "user", '
                "occurred_at, ingested_at, payload, source) VALUES "
                "(:id, :t, 1, :a, :c, :u, :o, now(), '{}', 'x')"
            ),
            {"id": r[0], "t": r[1], "a": r[3], "c": r[4], "u": r[5], "o": r[6]},
        )


def _with_defaults(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [(*r, r[6], "{}", "t") for r in rows]


_ALL = (*_COLUMNS, "ingested_at", "payload", "source")


def staging_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = bulk.copy_insert

    def spy(session: Any, table: str, *args: Any, **kwargs: Any) -> list[Any]:
        calls.append(table)
        return real(session, table, *args, **kwargs)

    monkeypatch.setattr(bulk, "copy_insert", spy)
    return calls


def test_copy_new_stores_only_missing_rows_and_repeats_in_a_batch(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged = staging_calls(monkeypatch)
    store = Store(postgres_url)
    store.upgrade()
    try:
        rows = _with_defaults(_event_rows(5))
        with store.session() as s:
            _insert_rows(s, rows[:2])
        with store.session() as s:
            new = copy_new(s, "events", _ALL, reversed(rows), "event_id")
        assert sorted(new) == sorted(r[0] for r in rows[2:]) and staged == []
        with store.session() as s:  # a key twice in one batch: the staging path, once
            more = _with_defaults(_event_rows(1))
            assert copy_new(s, "events", _ALL, [*more, *more, rows[0]], "event_id") == [more[0][0]]
        assert staged == ["events"]
        with store.session() as s:
            assert s.execute(select(func.count()).select_from(EventRow)).scalar_one() == 6
    finally:
        store.dispose()


def test_copy_new_yields_to_a_concurrent_insert_of_the_same_key(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another transaction stores one of the keys after the lookup: the COPY waits for it, fails on the unique
    key once it commits, and the staging path stores the rest."""
    staged = staging_calls(monkeypatch)
    store = Store(postgres_url)
    store.upgrade()
    try:
        rows = _with_defaults(_event_rows(4))
        racer = store.engine.connect()
        tx = racer.begin()
        _insert_rows(racer, rows[1:2])  # not committed yet: invisible to the lookup below
        timer = threading.Timer(0.5, tx.commit)
        timer.start()
        try:
            with store.session() as s:
                new = copy_new(s, "events", _ALL, rows, "event_id")
        finally:
            timer.join()
            racer.close()
        assert sorted(new) == sorted(r[0] for r in rows if r is not rows[1])
        assert staged == ["events"]  # the direct COPY gave way
        with store.session() as s:
            assert s.execute(select(func.count()).select_from(EventRow)).scalar_one() == 4
    finally:
        store.dispose()
