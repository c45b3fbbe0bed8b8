"""What the bulk paths store is what the ORM stored: payloads as received, JSON ``null`` for absent tags."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import ProgrammingError

from prefloop.curator.ingest import RawRecord
from prefloop.curator.pairing import load_policy
from prefloop.curator.pipeline import Curator
from prefloop.curator.store import Store
from prefloop.curator.store.bulk import copy_insert
from prefloop.curator.store.models import EventRow, PromptGroup, ResponseRow
from tests.factories import EventFactory


def test_payload_groups_and_responses_are_stored_as_received(store: Any) -> None:
    f = EventFactory()
    r = {
        **f.response(
            text="Grüße — «ok»\u00a0done", response_id="r1", generation={"temperature": 0.5, "x": 1}
        ),
        "unknown": {"kept": [1, "two", None]},
    }
    other = f.feedback("r1", rating=1)
    curator = Curator(store, load_policy(), require_scrub=False)
    records = [
        RawRecord(json.dumps(r, ensure_ascii=False).encode(), source="t@0"),
        RawRecord(json.dumps(other).encode(), source="t@1"),
    ]
    result = curator.process(records)
    assert result.write.inserted == 2 and not result.dead
    with store.session() as s:
        payloads = {row.event_id: row.payload for row in s.execute(select(EventRow)).scalars()}
        group = s.execute(select(PromptGroup)).scalar_one()
        null_tags = s.execute(
            select(func.count()).select_from(PromptGroup).where(PromptGroup.tags.is_(None))
        ).scalar_one()
        response = s.execute(select(ResponseRow)).scalar_one()
    assert payloads == {r["event_id"]: r, other["event_id"]: other}
    assert group.context == r["context"] and group.tags is None and null_tags == 0  # JSON null, as the ORM
    assert group.dirty is False  # paired
    assert response.text == r["text"] and response.generation == {"temperature": 0.5, "x": 1}


@pytest.mark.integration
def test_copy_errors_surface_as_sqlalchemy_errors(postgres_url: str) -> None:
    """The Kafka source retries SQLAlchemy's OperationalError; the raw COPY path must not leak driver errors."""
    store = Store(postgres_url)
    store.upgrade()
    try:
        with pytest.raises(ProgrammingError), store.session() as s:
            copy_insert(s, "events", ["no_such_column"], [("x",)], "event_id")
    finally:
        store.dispose()
