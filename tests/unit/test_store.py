"""The store on both backends: migrations, UTC datetimes, JSON columns, constraints, cascades."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from prefloop.curator.store import Store
from prefloop.curator.store.models import EventRow, Pair, PromptGroup, ResponseRow, Vote
from prefloop.schemas.errors import StoreError

T0 = datetime(2026, 10, 5, 12, 0, tzinfo=UTC)


def _event(event_id: str = "0192b6d0-0000-7000-8000-000000000001", **kw: object) -> EventRow:
    fields: dict[str, object] = dict(
        event_id=event_id,
        type="response",
        schema_version=1,
        app_id="a",
        conversation_id="c",
        user="u",
        response_id="r1",
        occurred_at=T0,
        payload={"text": "héllo", "nested": {"k": [1, 2]}},
    )
    fields.update(kw)
    return EventRow(**fields)


def _group_and_pair(session: object) -> None:
    session.add(PromptGroup(key="g" * 64, context=[{"role": "user", "content": "q"}], app_id="a"))  # type: ignore[attr-defined]
    session.add(  # type: ignore[attr-defined]
        Pair(
            pair_id="p1",
            group_key="g" * 64,
            prompt=[{"role": "user", "content": "q"}],
            chosen="good",
            rejected="bad",
            kind="choice",
            strength=1.0,
            status="review",
            formed_at=T0,
        )
    )


def test_migrated_database_is_current(store: Store) -> None:
    assert store.is_current()
    store.require_current()


def test_event_round_trip_keeps_utc_and_json(store: Store) -> None:
    with store.session() as s:
        s.add(_event(occurred_at=T0 + timedelta(hours=2)))
    with store.session() as s:
        row = s.scalars(select(EventRow)).one()
    assert row.occurred_at == T0 + timedelta(hours=2)
    assert row.occurred_at.tzinfo is not None
    assert row.payload == {"text": "héllo", "nested": {"k": [1, 2]}}
    assert row.ingested_at.tzinfo is not None


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(Exception, match="naive datetime"), store.session() as s:
        s.add(_event(occurred_at=datetime(2026, 1, 1)))
        s.flush()


def test_event_id_is_unique(store: Store) -> None:
    with store.session() as s:
        s.add(_event())
    with pytest.raises(IntegrityError), store.session() as s:
        s.add(_event())


def test_one_vote_per_reviewer_per_pair(store: Store) -> None:
    with store.session() as s:
        _group_and_pair(s)
        s.add(Vote(pair_id="p1", reviewer="U1", choice="a", a_is="chosen", rubric_version="1"))
    with pytest.raises(IntegrityError), store.session() as s:
        s.add(Vote(pair_id="p1", reviewer="U1", choice="b", a_is="chosen", rubric_version="1"))


def test_deleting_a_pair_removes_its_votes(store: Store) -> None:
    with store.session() as s:
        _group_and_pair(s)
        s.add(Vote(pair_id="p1", reviewer="U1", choice="a", a_is="chosen", rubric_version="1"))
    with store.session() as s:
        s.delete(s.get(Pair, "p1"))
    with store.session() as s:
        assert s.scalars(select(Vote)).all() == []


def test_response_needs_its_event_and_group(store: Store) -> None:
    with pytest.raises(IntegrityError), store.session() as s:
        s.add(
            ResponseRow(
                response_id="r1",
                event_id="missing",
                group_key="nope",
                app_id="a",
                conversation_id="c",
                user="u",
                text="t",
                model="m",
                prompt_source="user",
                shown_at=T0,
            )
        )


def test_unmigrated_database_is_reported(tmp_path: object) -> None:
    store = Store(f"sqlite:///{tmp_path}/empty.db")
    with pytest.raises(StoreError, match="prefloop db upgrade"):
        store.require_current()
    store.upgrade()
    store.require_current()
    store.upgrade()  # idempotent
    assert store.is_current()
    store.dispose()


def test_the_migration_history_has_one_head_so_plain_alembic_upgrade_head_works(tmp_path) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    from prefloop.curator.store.engine import alembic_config

    url = f"sqlite:///{tmp_path / 'one-head.db'}"
    config = alembic_config(url)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
    command.upgrade(config, "head")
    from prefloop.curator.store import Store

    store = Store(url)
    try:
        assert store.is_current()
    finally:
        store.dispose()  # an engine left to the collector holds its SQLite file open (3.13 warns)
