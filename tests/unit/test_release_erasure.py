"""`prefloop forget`: a user's data leaves the store and every later release; the changelog counts it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from prefloop.curator.releases import BuildOptions, GatePolicy, build_release, forget_user
from prefloop.curator.store import Store
from prefloop.curator.store.models import (
    Erasure,
    EventRow,
    FeedbackState,
    Pair,
    PromptGroup,
    ResponseRow,
    Vote,
)
from tests.unit.release_factories import SmallTaxonomy, add_pairs, add_votes, key_of


def _add_activity(store: Store, user: str) -> None:
    now = datetime(2026, 10, 3, tzinfo=UTC)
    key = key_of("prompt number 0: how do I do thing 0?")
    with store.session() as session:
        session.add(
            EventRow(
                event_id=f"ev-{user}",
                type="response",
                schema_version=1,
                app_id="app",
                conversation_id="c",
                user=user,
                response_id=f"r-{user}",
                occurred_at=now,
                payload={"text": "secret"},
            )
        )
        session.flush()
        session.add(
            ResponseRow(
                response_id=f"r-{user}",
                event_id=f"ev-{user}",
                group_key=key,
                app_id="app",
                conversation_id="c",
                user=user,
                text="hi",
                model="m",
                generation={},
                prompt_source="user",
                shown_at=now,
            )
        )
        session.add(
            FeedbackState(response_id=f"r-{user}", user=user, rating=1, event_id="ev-x", occurred_at=now)
        )


def test_forget_removes_user_rows_and_next_release_reports_it(store: Store, tmp_path: Path) -> None:
    add_pairs(store, 6)  # users user-0..user-5, one per group
    add_pairs(store, 1, prefix="alone", users=["user-9"])
    _add_activity(store, "user-0")
    pair_ids = add_pairs(store, 1, prefix="shared", users=["user-0", "user-1"])
    add_votes(store, pair_ids[0], ["a", "b"])
    opts = BuildOptions(
        month="2026-10", root=tmp_path, progress=False, policy=GatePolicy(min_pairs_warning=1)
    )
    first = build_release(store, opts, taxonomy=SmallTaxonomy())
    assert first.manifest.counts["pairs"] == 16

    result = forget_user(store, "user-0")
    assert (result.pairs, result.events, result.responses, result.feedback, result.votes) == (4, 1, 1, 1, 2)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Pair)) == 12
        assert session.scalar(select(func.count()).select_from(Vote)) == 0
        assert (
            session.scalar(select(func.count()).select_from(EventRow).where(EventRow.user == "user-0")) == 0
        )
        assert session.get(PromptGroup, key_of("shared number 0: how do I do thing 0?")) is None
        assert session.get(PromptGroup, key_of("prompt number 1: how do I do thing 1?")) is not None
        assert session.scalar(select(Erasure.pairs_removed)) == 4

    second = build_release(store, opts, taxonomy=SmallTaxonomy())
    assert second.manifest.counts["pairs"] == 12
    rows = [
        json.loads(line)
        for s in ("train", "test")
        for line in (second.path / "jsonl" / f"{s}.jsonl").read_text().splitlines()
    ]
    assert not {r["pair_id"] for r in rows} & {"shared-2026-10-00000-0", "prompt-2026-10-00000-0"}
    changelog = (second.path / "CHANGELOG.md").read_text()
    assert "4 pairs of `prefloop-preferences-2026-10` are not in this revision" in changelog
    assert "since the previous release: 1, which removed 4 pairs and 1 events" in changelog
    # the published first release is immutable
    assert (
        first.path.exists()
        and json.loads((first.path / "manifest.json").read_text())["counts"]["pairs"] == 16
    )


def test_forget_unknown_user_is_a_recorded_noop(store: Store) -> None:
    add_pairs(store, 2)
    result = forget_user(store, "nobody")
    assert result.pairs == 0 and result.events == 0
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Pair)) == 4
