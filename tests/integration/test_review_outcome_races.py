"""Two reviewer resolutions that count on the same record at the same moment (the same user behind two pairs, or
the same signal kind) must both count, on the real PostgreSQL: the record is created by whichever comes first and
the other waits for it. Before, the second one's transaction failed on the record's key, and the vote that caused
it (already acknowledged to Slack) was dropped as if it had been a replayed click."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from prefloop.curator.pipeline.user_history import tally
from prefloop.curator.store import Store
from prefloop.curator.store.models import SignalKindOutcome, UserSignalHistory

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("model", "key"), [(UserSignalHistory, {"user": "user-1"}), (SignalKindOutcome, {"kind": "choice"})]
)
def test_two_concurrent_first_outcomes_on_one_record_both_count(
    postgres_url: str, model: Any, key: dict[str, str]
) -> None:
    store = Store(postgres_url)
    first_written = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with store.session() as s:
                tally(s, model, key, agreed=True)
                s.flush()  # the new record is written, not yet committed
                first_written.set()
                threading.Event().wait(0.5)  # the second transaction arrives meanwhile
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
            first_written.set()

    def second() -> None:
        first_written.wait(10)
        try:
            with store.session() as s:
                tally(s, model, key, agreed=False)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert errors == []
        with store.session() as s:
            row = s.scalar(select(model))
            assert row is not None and (row.confirmed, row.contradicted) == (1, 1)
    finally:
        store.dispose()
