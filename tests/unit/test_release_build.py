"""Building a monthly release: files, splits, reproducibility, immutability, gates (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import delete

from prefloop.curator.releases import (
    BuildOptions,
    BuildResult,
    GateFailedError,
    GatePolicy,
    ReleaseInputError,
    build_release,
    split_for,
)
from prefloop.curator.store import Store
from prefloop.curator.store.models import Release, ReleasedPrompt
from tests.unit.release_factories import SmallTaxonomy, add_pairs

TAX = SmallTaxonomy()
LOOSE = GatePolicy(min_pairs_warning=10)


def _build(store: Store, root: Path, month: str = "2026-10", **kw: Any) -> BuildResult:
    opts = BuildOptions(month=month, root=root, progress=False, test_share=0.3, **kw)
    return build_release(store, opts, taxonomy=TAX)


def _hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_build_writes_trl_columns_card_manifest_and_splits(store: Store, tmp_path: Path) -> None:
    add_pairs(store, 40)
    result = _build(store, tmp_path, policy=LOOSE)
    root = tmp_path / "2026-10"
    assert result.path == root and result.revision == 1
    for name in ("README.md", "manifest.json", "CHANGELOG.md", "coverage.png", "dataset/dataset_dict.json"):
        assert (root / name).is_file(), name
    train = pq.read_table(root / "data" / "train.parquet").to_pylist()
    test = pq.read_table(root / "data" / "test.parquet").to_pylist()
    assert len(train) + len(test) == 80 and test
    row = train[0]
    assert row["prompt"][-1]["role"] == "user"
    assert row["chosen"] == [{"role": "assistant", "content": row["chosen"][0]["content"]}]
    assert row["rejected"][0]["role"] == "assistant"
    assert (
        row["chosen_model"] == "m-1"
        and row["source"] == "user"
        and row["tactic"] in ("direct_request", "prompt_injection")
    )
    # every row carries its hazards' interoperable codes (taxonomy.yaml: privacy = prv / S7, violence = vcr / S1)
    expected = {"privacy": (["prv"], ["S7"]), "violence": (["vcr"], ["S1"])}
    for r in train + test:
        (hazard,) = r["hazards"]
        assert (r["ailuminate"], r["llama_guard"]) == expected[hazard]
    # split by prompt group: every group in exactly one split, the one split_for gives
    for split, rows in (("train", train), ("test", test)):
        for r in rows:
            assert split_for(r["prompt_group"], 0, 0.3) == split
    jsonl = (root / "jsonl" / "train.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in jsonl] == train  # the same values in both formats
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["counts"]["pairs"] == 80 and manifest["revision"] == 1 and manifest["previous"] is None
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert listed == {k: v for k, v in _hashes(root).items() if k != "manifest.json"}
    card = (root / "README.md").read_text()
    assert card.startswith("---\n") and "configs:" in card and "path: data/train.parquet" in card
    assert "license: cc-by-4.0" in card and "task_categories:" in card
    for section in (
        "How the data was collected",
        "scrubbed",
        "reviewed",
        "split",
        "Bias, Risks, and Limitations",
    ):
        assert section in card
    assert "| tactic | direct_request |" in card


def test_dataset_dict_loads_with_same_rows(store: Store, tmp_path: Path) -> None:
    import datasets

    add_pairs(store, 12)
    _build(store, tmp_path, policy=LOOSE)
    dd = datasets.load_from_disk(str(tmp_path / "2026-10" / "dataset"))
    parquet = pq.read_table(tmp_path / "2026-10" / "data" / "train.parquet")
    assert dd["train"]["pair_id"] == parquet.column("pair_id").to_pylist()
    assert set(dd) == {"train", "test"}


def test_same_store_state_gives_identical_bytes_and_rebuild_is_new_revision(
    store: Store, tmp_path: Path
) -> None:
    add_pairs(store, 30)
    first = _build(store, tmp_path / "a", policy=LOOSE)
    # put the store back in the same state (forget the release) and build elsewhere: the very same bytes
    with store.session() as session:
        session.execute(delete(Release))
        session.execute(delete(ReleasedPrompt))
    again = _build(store, tmp_path / "b", policy=LOOSE)
    assert again.revision == 1
    assert _hashes(tmp_path / "a" / "2026-10") == _hashes(tmp_path / "b" / "2026-10")
    with store.session() as session:
        session.execute(delete(Release))
        session.execute(delete(ReleasedPrompt))
    first = _build(store, tmp_path / "a", policy=LOOSE)  # the next revision in "a" now
    assert first.revision == 2
    # rebuilding from the same store: a new revision dir, the first one untouched, same data bytes
    before = _hashes(first.path)
    second = _build(store, tmp_path / "a", policy=LOOSE)
    assert second.revision == 3 and second.path.name == "2026-10-r3"
    assert _hashes(first.path) == before
    after = _hashes(second.path)
    for name in ("data/train.parquet", "data/test.parquet", "jsonl/train.jsonl", "coverage.png"):
        assert after[name] == before[name]
    assert second.manifest.previous == first.name


def test_no_prompt_moves_from_test_to_train_next_month(store: Store, tmp_path: Path) -> None:
    add_pairs(store, 30, month="2026-10")
    add_pairs(store, 30, month="2026-11", pairs_per_group=1, chosen="A different, later answer to it.")
    oct_ = _build(store, tmp_path, "2026-10", policy=LOOSE)
    # a changed seed must not move prompts that already shipped
    nov = _build(store, tmp_path, "2026-11", policy=LOOSE, seed=99)

    def groups(path: Path, split: str) -> set[str]:
        return set(pq.read_table(path / "data" / f"{split}.parquet").column("prompt_group").to_pylist())

    assert groups(oct_.path, "test") and groups(oct_.path, "test") == groups(nov.path, "test")
    assert not groups(oct_.path, "test") & groups(nov.path, "train")
    assert nov.manifest.counts["seen_prompts"] == 30


def test_duplicates_removed_within_and_across_releases(store: Store, tmp_path: Path) -> None:
    add_pairs(store, 10, prefix="prompt")
    add_pairs(store, 3, prefix="PROMPT", first=5)  # same text up to case: near-duplicate groups
    add_pairs(store, 2, prefix="prompt", month="2026-11")  # same groups next month: kept, same split
    add_pairs(store, 2, prefix="Prompt", month="2026-11", first=2)  # near-duplicates of October's: removed
    oct_ = _build(store, tmp_path, "2026-10", policy=LOOSE)
    assert oct_.manifest.counts["pairs"] == 20
    assert oct_.manifest.counts["removed_near_duplicate_prompt"] == 6
    assert "| near_duplicate_prompt | 6 | 3 |" in (oct_.path / "README.md").read_text()
    assert "| near_duplicate_prompt | 6 | 3 |" in (oct_.path / "CHANGELOG.md").read_text()
    nov = _build(store, tmp_path, "2026-11", policy=LOOSE)
    assert nov.manifest.counts["pairs"] == 4
    assert nov.manifest.counts["removed_duplicate_of_earlier_release"] == 4


def test_failing_gate_stops_release_unless_overridden(store: Store, tmp_path: Path) -> None:
    add_pairs(store, 5, checks=["empty_chosen"])
    with pytest.raises(GateFailedError) as info:
        _build(store, tmp_path, policy=LOOSE)
    assert info.value.failed == ["checks"]
    assert not (tmp_path / "2026-10").exists() and not list(tmp_path.glob(".*"))
    result = _build(store, tmp_path, policy=LOOSE, overrides=("checks",))
    assert result.manifest.overrides == ["checks"]
    assert "Overridden gates: checks." in (result.path / "README.md").read_text()


def test_unscrubbed_and_coverage_gates(store: Store, tmp_path: Path) -> None:
    add_pairs(store, 4, scrubbed=False, tags={"tactic": "direct_request", "hazards": [], "scores": {}})
    with pytest.raises(GateFailedError) as info:
        _build(store, tmp_path, policy=GatePolicy(min_pairs_warning=10, coverage="fail"))
    assert set(info.value.failed) == {"scrubbed", "coverage"}
    assert "hazard:privacy" in info.value.report["gates"]["coverage"]["outside"]


def test_small_release_warns_and_empty_release_fails(store: Store, tmp_path: Path) -> None:
    with pytest.raises(GateFailedError) as info:
        _build(store, tmp_path)
    assert info.value.failed == ["empty"]
    add_pairs(store, 3)
    result = _build(store, tmp_path)
    assert any("too few for DPO" in w for w in result.report["warnings"])


def test_bad_month_and_unknown_override_are_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ReleaseInputError):
        _build(store, tmp_path, month="2026-13")
    with pytest.raises(ReleaseInputError):
        _build(store, tmp_path, overrides=("nope",))


def test_pinned_eval_prompts_are_never_shipped_again(store: Store, tmp_path: Path) -> None:
    from prefloop.curator.releases import pin_eval

    add_pairs(store, 20, month="2026-10")
    add_pairs(
        store, 20, month="2026-11", pairs_per_group=1, chosen="Another, later answer to the same prompt."
    )
    oct_ = _build(store, tmp_path, "2026-10", policy=LOOSE)
    pinned = pin_eval(store, "2026-10", "test")
    assert pinned == oct_.manifest.counts["prompts_test"] > 0
    nov = _build(store, tmp_path, "2026-11", policy=LOOSE)
    assert nov.manifest.counts["removed_frozen_eval_prompt"] == pinned
    assert nov.manifest.counts["test"] == 0 and nov.manifest.counts["train"] == 20 - pinned


def test_reviewed_pairs_carry_tally_and_agreement_not_reviewer_ids(store: Store, tmp_path: Path) -> None:
    review = {
        "outcome": "a",
        "votes": [{"reviewer": "U123SECRET", "choice": "a"}, {"reviewer": "U456SECRET", "choice": "a"}],
        "tally": {"a": 2},
        "agreement": 1.0,
        "policy_version": "quorum-7",
    }
    add_pairs(store, 4, review=review, rubric_version="rubric-3")
    result = _build(store, tmp_path, policy=LOOSE)
    rows = [
        json.loads(line)
        for s in ("train", "test")
        for line in (result.path / "jsonl" / f"{s}.jsonl").read_text().splitlines()
    ]
    assert {r["accepted_by"] for r in rows} == {"review"}
    assert all(json.loads(r["votes"]) == {"a": 2} for r in rows) and {r["agreement"] for r in rows} == {1.0}
    everything = "".join(p.read_text(errors="ignore") for p in result.path.rglob("*") if p.is_file())
    assert "SECRET" not in everything
    card = (result.path / "README.md").read_text()
    assert "`quorum-7` (8)" in card and "`rubric-3` (8)" in card and "over 8 pairs" in card
