"""No pair is silently never shipped (issue 16): a pair that becomes ready after its month's release goes into the
next release, once, in its prompt's split; the card says so; releases stay reproducible (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import update

from prefloop.curator.releases import BuildOptions, BuildResult, GatePolicy, build_release
from prefloop.curator.store import Store
from prefloop.curator.store.models import Pair
from tests.unit.release_factories import SmallTaxonomy, add_pairs

LOOSE = GatePolicy(min_pairs_warning=10)


def _build(store: Store, root: Path, month: str) -> BuildResult:
    opts = BuildOptions(month=month, root=root, progress=False, test_share=0.3, policy=LOOSE)
    return build_release(store, opts, taxonomy=SmallTaxonomy())


def _rows(result: BuildResult) -> dict[str, dict[str, Any]]:
    rows = {}
    for split in ("train", "test"):
        for row in pq.read_table(result.path / "data" / f"{split}.parquet").to_pylist():
            rows[row["pair_id"]] = {**row, "split": split}
    return rows


def _data_hashes(result: BuildResult) -> dict[str, str]:
    return {
        str(p.relative_to(result.path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in ("data", "jsonl")
        for p in sorted((result.path / folder).glob("*"))
    }


def _another_pair(store: Store, like: str, pair_id: str) -> str:
    """Another pair on ``like``'s prompt, formed the same day, still in review."""
    with store.session() as s:
        pair = s.get(Pair, like)
        assert pair is not None
        values = {c.key: getattr(pair, c.key) for c in Pair.__table__.columns}
        values.update(pair_id=pair_id, status="review", chosen=pair.chosen + " Also a later, better answer.")
        s.add(Pair(**values))
    return pair_id


def _accept_after_review(store: Store, pair_ids: list[str]) -> None:
    review = {
        "outcome": "accepted",
        "resolved_at": "2026-11-03T10:00:00Z",
        "tally": {"a": 3},
        "agreement": 1.0,
    }
    with store.session() as s:
        s.execute(update(Pair).where(Pair.pair_id.in_(pair_ids)).values(status="accepted", review=review))


def test_a_pair_ready_after_its_months_release_ships_in_the_next_one(store: Store, tmp_path: Path) -> None:
    october = add_pairs(store, 10, month="2026-10", prefix="a")
    waiting = add_pairs(store, 4, month="2026-10", prefix="b", status="review")
    # a second pair on a prompt October ships: it is still in review when October is built
    same_prompt = [_another_pair(store, october[0], "late-on-a0")]
    september = add_pairs(store, 2, month="2026-09", prefix="s")  # a month that has no release (yet)
    oct1 = _build(store, tmp_path, "2026-10")
    shipped_oct = _rows(oct1)
    assert set(shipped_oct) == set(october)
    assert oct1.manifest.counts["late_pairs"] == 0

    _accept_after_review(store, waiting + same_prompt)  # reviewed after October's release
    november = add_pairs(store, 10, month="2026-11", prefix="c")
    nov1 = _build(store, tmp_path, "2026-11")
    shipped_nov = _rows(nov1)
    assert set(shipped_nov) == set(november) | set(waiting) | set(same_prompt)
    assert not set(shipped_nov) & set(september)  # September's pairs wait for September's release
    assert nov1.manifest.counts["late_pairs"] == len(waiting) + 1 == 9
    assert "Late pairs: **9**" in (nov1.path / "README.md").read_text(encoding="utf-8")
    # the late pair on an October prompt keeps October's split: a prompt never moves
    (late,) = same_prompt
    group = shipped_nov[late]["prompt_group"]
    assert {r["split"] for r in shipped_oct.values() if r["prompt_group"] == group} == {
        shipped_nov[late]["split"]
    }

    # never in two releases: October's next revision takes what October took, and nothing November took
    oct2 = _build(store, tmp_path, "2026-10")
    assert oct2.revision == 2 and set(_rows(oct2)) == set(october)
    # same store state, same bytes
    nov2 = _build(store, tmp_path, "2026-11")
    assert nov2.revision == 2 and _data_hashes(nov2) == _data_hashes(nov1)
    # and September, built late, takes its own pairs
    assert set(_rows(_build(store, tmp_path, "2026-09"))) == set(september)


def test_the_migration_counts_pairs_of_releases_built_before_it_as_taken(tmp_path: Path) -> None:
    """A store whose October release predates ``released_pairs`` (revision 0006): October's accepted pairs count
    as taken, so November does not ship them again."""
    from prefloop.curator.store import upgrade
    from prefloop.curator.store.models import Release

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0005_merge_heads")
    store = Store(url)
    try:
        october = add_pairs(store, 6, month="2026-10", prefix="a")
        with store.session() as s:
            s.add(Release(month="2026-10", revision=1, path="releases/2026-10", manifest={}))
        upgrade(url)
        november = add_pairs(store, 6, month="2026-11", prefix="c")
        assert october and set(_rows(_build(store, tmp_path, "2026-11"))) == set(november)
    finally:
        store.dispose()
