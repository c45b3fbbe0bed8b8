"""Recording a release's new prompts and taken pairs (issue 19): the rows go in sorted by their key, straight into
the table on PostgreSQL; a row another build recorded meanwhile is skipped, not overwritten; a release that fails
to publish records nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from prefloop.curator.releases.bulk import _copy_text
from prefloop.curator.releases.records import record_release
from prefloop.curator.releases.selection import record_taken
from prefloop.curator.store import Store
from prefloop.curator.store.models import Release, ReleasedPair, ReleasedPrompt
from prefloop.schemas.records import ReleaseManifest

TAKEN = [f"pair-{i * 7919 % 1000:04d}" for i in range(1000)]  # the stream's order is not the key's


def _physical_order(store: Store, table: str, key: str) -> list[str]:
    row = "ctid" if store.engine.dialect.name == "postgresql" else "rowid"
    with store.session() as s:
        return list(s.scalars(text(f"SELECT {key} FROM {table} ORDER BY {row}")))


def _manifest() -> ReleaseManifest:
    return ReleaseManifest.model_construct()


def test_taken_pairs_are_recorded_in_key_order_and_once(store: Store) -> None:
    with store.session() as s:
        s.add(
            ReleasedPair(pair_id="pair-0005", month="2026-09")
        )  # another month's build committed it meanwhile
        s.add(ReleasedPair(pair_id="pair-0006", month="2026-10"))  # an earlier revision of this month took it
    with store.session() as s:
        record_taken(s, "2026-10", TAKEN)
    with store.session() as s:
        recorded = {p: m for p, m in s.execute(select(ReleasedPair.pair_id, ReleasedPair.month))}
    assert recorded == {**dict.fromkeys(TAKEN, "2026-10"), "pair-0005": "2026-09"}
    fresh = [
        p for p in _physical_order(store, "released_pairs", "pair_id") if p not in {"pair-0005", "pair-0006"}
    ]
    assert fresh == sorted(TAKEN)[0:5] + sorted(TAKEN)[7:]  # filled from one end of the key's index


def test_ids_that_need_escaping_are_recorded_as_they_are(store: Store) -> None:
    odd = ["tab\there", "back\\slash", "line\nbreak", "plain"]
    with store.session() as s:
        record_taken(s, "2026-10", odd)
    with store.session() as s:
        assert sorted(s.scalars(select(ReleasedPair.pair_id))) == sorted(odd)


@pytest.mark.parametrize("fails", [False, True])
def test_a_release_that_fails_to_publish_records_nothing(store: Store, tmp_path: Path, fails: bool) -> None:
    prompts = [(f"g{i * 31 % 200:03d}", f"fp{i}", "train" if i % 3 else "test") for i in range(200)]
    with store.session() as s:  # a concurrent build of another month shipped one of the prompts first
        s.add(ReleasedPrompt(group_key="g007", fingerprint="other", split="test", first_release="2026-09"))

    def publish() -> None:
        if fails:
            raise OSError("rename failed")

    if fails:
        with pytest.raises(OSError):
            record_release(store, "2026-10", 1, tmp_path, _manifest(), prompts, publish, taken=TAKEN)
    else:
        record_release(store, "2026-10", 1, tmp_path, _manifest(), prompts, publish, taken=TAKEN)
    with store.session() as s:
        releases = s.scalars(select(Release.month)).all()
        pairs = set(s.scalars(select(ReleasedPair.pair_id)))
        shipped = {r.group_key: (r.split, r.first_release) for r in s.scalars(select(ReleasedPrompt))}
    if fails:
        assert (releases, pairs) == ([], set())
        assert shipped == {"g007": ("test", "2026-09")}
        return
    assert releases == ["2026-10"] and pairs == set(TAKEN)
    assert shipped == {**{k: (sp, "2026-10") for k, _, sp in prompts}, "g007": ("test", "2026-09")}
    order = [k for k in _physical_order(store, "released_prompts", "group_key") if k != "g007"]
    assert order == sorted(k for k, _, _ in prompts if k != "g007")


@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=20))
def test_copy_text_is_the_rows_or_nothing(rows: list[tuple[str, str]]) -> None:
    out = _copy_text(rows)
    if out is None:
        assert any(c in v for r in rows for v in r for c in "\t\n\r\\")
        return
    assert [tuple(line.split("\t")) for line in out.split("\n")[:-1]] == rows
