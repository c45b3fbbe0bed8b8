"""The files of a release that describe it: the dataset card (README.md), CHANGELOG.md and manifest.json, and the
counts they share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefloop.curator.pairing.audit import AuditEstimate
from prefloop.curator.releases.card import CardInput, render_card, scrubber_facts
from prefloop.curator.releases.changelog import ChangelogInput, render_changelog
from prefloop.curator.releases.gates import GateTally
from prefloop.curator.releases.manifest import code_version, file_entries, write_manifest
from prefloop.curator.releases.options import BuildOptions
from prefloop.curator.releases.records import release_pair_ids
from prefloop.curator.releases.splits import SPLITS
from prefloop.curator.store.models import Release
from prefloop.schemas.events import SCHEMA_VERSION
from prefloop.schemas.records import ReleaseManifest

__all__ = ["pair_ids", "release_counts", "write_documents"]


def write_documents(
    staging: Path,
    *,
    name: str,
    revision: int,
    options: BuildOptions,
    prev: Release | None,
    tally: GateTally,
    report: dict[str, Any],
    categories: Any,
    erasures: dict[str, int],
    late: int,
    audit: AuditEstimate | None = None,
    calibration: dict[str, Any] | None = None,
) -> ReleaseManifest:
    """Write the changelog, the card and the manifest of the release staged in ``staging``."""
    month = options.month
    counts = release_counts(tally, categories, late)
    left = added = None
    if prev is not None and prev.month == month:
        before = release_pair_ids(Path(prev.path))
        if before is not None:
            now = pair_ids(staging)
            left, added = len(before - now), len(now - before)
    (staging / "CHANGELOG.md").write_text(
        render_changelog(
            ChangelogInput(
                name=name,
                month=month,
                counts=counts,
                previous=prev.manifest.get("name") if prev else None,
                previous_month=prev.month if prev else None,
                previous_counts=prev.manifest.get("counts") if prev else None,
                left=left,
                added=added,
                erasures=erasures,
                report=report,
            )
        ),
        encoding="utf-8",
    )
    overrides = tuple(sorted(report["overridden"]))
    (staging / "README.md").write_text(
        render_card(
            CardInput(
                name=name,
                month=month,
                revision=revision,
                previous=prev.manifest.get("name") if prev else None,
                seed=options.seed,
                test_share=options.test_share,
                license=options.license,
                tally=tally,
                report=report,
                categories=categories,
                splits=SPLITS,
                scrubber=scrubber_facts(list(tally.scrubber_versions)),
                overrides=overrides,
                contact=options.contact,
                paraphrase=options.paraphrase,
                late_pairs=late,
                audit=audit,
                calibration=calibration,
            )
        ),
        encoding="utf-8",
    )
    manifest = ReleaseManifest(
        name=name,
        month=month,
        revision=revision,
        counts=counts,
        files=file_entries(staging),
        code_version=code_version(),
        schema_version=SCHEMA_VERSION,
        scrubber_version=",".join(sorted(tally.scrubber_versions)) or None,
        tagger_version=",".join(sorted(tally.tagger_versions)) or None,
        rubric_version=",".join(sorted(tally.rubric_versions)) or None,
        previous=prev.manifest.get("name") if prev else None,
        seed=options.seed,
        gates={"gates": report["gates"], "warnings": report["warnings"], "removed": report["removed"]},
        overrides=list(overrides),
    )
    write_manifest(staging, manifest)
    return manifest


def pair_ids(root: Path) -> set[str]:
    import pyarrow.parquet as pq

    ids: set[str] = set()
    for split in SPLITS:
        ids.update(
            pq.read_table(root / "data" / f"{split}.parquet", columns=["pair_id"]).column(0).to_pylist()
        )
    return ids


def release_counts(tally: GateTally, categories: Any, late: int) -> dict[str, int]:
    counts = {
        "pairs": tally.pairs,
        "late_pairs": late,
        "prompts": sum(tally.prompts.values()),
        "new_prompts": tally.new_prompts,
        "seen_prompts": tally.seen_prompts,
        "paraphrase_followed_split": tally.paraphrase_followed,
        "auto_accepted": tally.accepted_by.get("auto", 0),
        "review_accepted": tally.accepted_by.get("review", 0),
    }
    for split in SPLITS:
        counts[split] = tally.splits.get(split, 0)
        counts[f"prompts_{split}"] = tally.prompts.get(split, 0)
    for reason, n in tally.removed.items():
        counts[f"removed_{reason}"] = n
    for c in categories:
        counts[f"{c.axis}:{c.name}"] = c.count
    return dict(sorted(counts.items()))
