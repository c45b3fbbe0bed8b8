"""Build a monthly release: stream the month's accepted pairs (and the late ones of earlier months, see
:mod:`prefloop.curator.releases.selection`), gate them, write every file, record it.

The build is one ordered pass over the pairs (by prompt group, then pair id) that writes Parquet, JSONL and an
Arrow stream per split as it goes, so memory stays flat as the month grows. Files go to a staging directory that
is renamed into place, in the same database transaction that records the release, only once every gate passed.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import queue
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prefloop.curator.coverage import TaxonomyLike, category_table, load_taxonomy
from prefloop.curator.coverage_plot import plot_coverage
from prefloop.curator.releases import messages as msg
from prefloop.curator.releases.card import CardInput, render_card, scrubber_facts
from prefloop.curator.releases.changelog import ChangelogInput, render_changelog
from prefloop.curator.releases.errors import GateFailedError, ReleaseExistsError, ReleaseInputError
from prefloop.curator.releases.gates import GATE_NAMES, GatePolicy, GateTally, evaluate_gates
from prefloop.curator.releases.manifest import code_version, file_entries, write_manifest
from prefloop.curator.releases.months import month_bounds, parse_month
from prefloop.curator.releases.paraphrase import paraphrase_heads
from prefloop.curator.releases.records import (
    erasures_since,
    load_released_prompts,
    previous_release,
    record_release,
    release_pair_ids,
)
from prefloop.curator.releases.rows import (
    exact_key,
    is_reviewed,
    messages_json,
    parse_prompt,
    projection,
    prompt_fingerprint,
    release_line,
    str_list,
)
from prefloop.curator.releases.selection import late_spans, pair_filter
from prefloop.curator.releases.splits import SPLITS, split_for
from prefloop.curator.releases.writer import SplitWriters, finish_dataset_dict
from prefloop.curator.scrub.guard import ExitGuard, GuardedRow
from prefloop.curator.store import Store
from prefloop.curator.store.models import Pair
from prefloop.schemas.events import SCHEMA_VERSION
from prefloop.schemas.records import ReleaseManifest

__all__ = ["BuildOptions", "BuildResult", "build_release", "release_dir_name"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildOptions:
    month: str
    root: Path = Path("releases")
    name: str = "prefloop-preferences"
    seed: int = 0
    test_share: float = 0.1
    license: str = "cc-by-4.0"
    policy: GatePolicy = field(default_factory=GatePolicy)
    overrides: tuple[str, ...] = ()
    progress: bool = True
    contact: str | None = None
    #: Paraphrase-level duplicates (see :mod:`prefloop.curator.releases.paraphrase`): a prompt that rewords an
    #: earlier one goes to that prompt's split, and is left out when that one is in the frozen evaluation set.
    #: Off by default (``PREFLOOP_RELEASE_PARAPHRASE``): on short templated prompts its precision is low
    #: (docs/perf/paraphrase.md), and a template's prompts would all follow one split.
    paraphrase: bool = False

    @classmethod
    def from_settings(cls, settings: Any, month: str, root: Path | None = None, **kw: Any) -> BuildOptions:
        return cls(
            month=month,
            root=Path(root or settings.release_dir),
            name=settings.release_name,
            seed=settings.release_seed,
            test_share=settings.release_test_share,
            license=settings.release_license,
            contact=settings.release_contact,
            paraphrase=settings.release_paraphrase,
            **kw,
        )


@dataclass(frozen=True)
class BuildResult:
    name: str
    month: str
    revision: int
    path: Path
    manifest: ReleaseManifest
    report: dict[str, Any]
    #: Seconds per build phase (logged and returned, never written into the release).
    timings: dict[str, float] = field(default_factory=dict)


def release_dir_name(month: str, revision: int) -> str:
    """``2026-10`` for revision 1, ``2026-10-r2`` after."""
    return month if revision == 1 else f"{month}-r{revision}"


def _plan_revision(session: Session, root: Path, month: str) -> int:
    from prefloop.curator.store.models import Release

    last = session.scalar(select(func.max(Release.revision)).where(Release.month == month)) or 0
    revision = last + 1
    while (root / release_dir_name(month, revision)).exists():
        revision += 1
    return revision


#: The last guard before a release is written (docs/privacy.md); catches are counted and logged, never shown.
RELEASE_GUARD = ExitGuard("release")


class _Pass:
    """The single ordered pass: group fate (split or removal reason), duplicate pairs, rows to the writers."""

    def __init__(
        self,
        month: str,
        options: BuildOptions,
        released: Any,
        writers: SplitWriters,
        heads: dict[str, str] | None = None,
    ) -> None:
        self.month, self.options, self.released, self.writers = month, options, released, writers
        #: group key -> the earlier prompt it paraphrases (:meth:`ParaphraseIndex.heads`)
        self.heads = heads or {}
        self.tally = GateTally()
        self.new_prompts: list[tuple[str, str, str]] = []
        self.seen_fp: set[str] = set()
        self.seen_raw: set[bytes] = set()
        self.group: str | None = None
        self.split: str | None = None
        self.pair_keys: set[bytes] = set()
        self._reason = ""
        self._prompt_json: str | None = None
        self._prompt: list[dict[str, str]] = []
        self._prompt_out = "[]"
        self._codes: dict[tuple[str, ...], dict[str, list[str]]] = {}
        #: every pair fed (shipped or left out): recorded as taken by this month
        self.taken: list[str] = []
        #: shipped pairs formed before the month (ready after their own month's release)
        self.late = 0
        self._month_start = month_bounds(month)[0]

    def _decide(self, key: str, prompt: list[dict[str, Any]]) -> str | None:
        fp = prompt_fingerprint(prompt)
        raw = exact_key(*(f"{m.get('role')}\x01{m.get('content')}" for m in prompt or []))
        prior = self.released.by_key.get(key)
        pinned = key in self.released.pinned_keys or fp in self.released.pinned_fps
        if pinned and not (prior is not None and prior[1] == self.month):
            return self._remove("frozen_eval_prompt")
        if prior is not None and prior[1] < self.month:
            if prior[0] not in SPLITS:
                return self._remove("frozen_eval_prompt")
            self.tally.seen_prompts += 1
            self.seen_fp.add(fp)
            self.seen_raw.add(raw)
            return prior[0]
        other = self.released.prior_fps.get(fp)
        if other is not None and other != key:
            return self._remove("duplicate_of_earlier_release")
        if raw in self.seen_raw:
            return self._remove("exact_duplicate_prompt")
        if fp in self.seen_fp:
            return self._remove("near_duplicate_prompt")
        follow = self._paraphrase_split(key)
        if follow == "":
            return self._remove("paraphrase_of_frozen_eval")
        self.seen_fp.add(fp)
        self.seen_raw.add(raw)
        split = (
            prior[0]
            if prior is not None
            else follow or split_for(key, self.options.seed, self.options.test_share)
        )
        if prior is None:
            self.new_prompts.append((key, fp, split))
        self.tally.new_prompts += 1
        return split

    def _paraphrase_split(self, key: str) -> str | None:
        """The split of the earlier prompt ``key`` paraphrases ("" when that one is in the frozen evaluation
        set, None when it paraphrases none), so a reworded prompt never lands on the other side of the split."""
        head = self.heads.get(key)
        if head is None:
            return None
        shipped = self.released.by_key.get(head)
        if shipped is not None and shipped[1] < self.month:
            if head in self.released.pinned_keys or shipped[0] not in SPLITS:
                return ""
            split = shipped[0]
        else:
            split = split_for(head, self.options.seed, self.options.test_share)
        self.tally.paraphrase_followed += 1
        return split

    def _remove(self, reason: str) -> str | None:
        self.tally.removed[reason + "_groups"] += 1
        self._reason = reason
        return None

    def feed(self, pair: Any) -> None:
        self.taken.append(pair.pair_id)
        if pair.prompt_json != self._prompt_json:
            self._prompt_json = pair.prompt_json
            self._prompt = parse_prompt(self._prompt_json)
            self._prompt_out = messages_json(RELEASE_GUARD.messages(pair.pair_id, self._prompt))
        if pair.group_key != self.group:
            self.group = pair.group_key
            self.pair_keys = set()
            self.split = self._decide(self.group, self._prompt)
            if self.split is not None:
                self.tally.prompts[self.split] += 1
        if self.split is None:
            self.tally.removed[self._reason] += 1
            return
        key = exact_key(pair.chosen, pair.rejected)
        if key in self.pair_keys:
            self.tally.removed["duplicate_pair"] += 1
            return
        self.pair_keys.add(key)
        hazards, checks, reviewed = (
            str_list(pair.hazards_json),
            str_list(pair.checks_json),
            is_reviewed(pair),
        )
        self.tally.add(pair, self.split, hazards, checks, reviewed)
        formed = pair.formed_at if pair.formed_at.tzinfo else pair.formed_at.replace(tzinfo=UTC)
        self.late += formed < self._month_start
        chosen, rejected = RELEASE_GUARD.texts(pair.pair_id, [pair.chosen, pair.rejected])
        if chosen is not pair.chosen or rejected is not pair.rejected:
            pair = GuardedRow(pair, chosen=chosen, rejected=rejected)
        codes = self._codes.get(tuple(hazards))
        if codes is None:
            codes = self._codes[tuple(hazards)] = hazard_codes().codes_for(hazards)
        self.writers.add(self.split, release_line(pair, self._prompt_out, hazards, checks, reviewed, codes))


@functools.cache
def hazard_codes() -> Any:
    """The packaged harm taxonomy, whose hazards carry their AILuminate and Llama Guard codes (read once)."""
    from prefloop.curator.tagging.taxonomy import Taxonomy

    return Taxonomy.load()


_DONE = object()


def _fetch_partitions(store: Store, query: Any, out: queue.Queue[Any], stop: threading.Event) -> None:
    """Run in a thread: fetch the rows in partitions and hand them over, so the database works on the next
    partition while the caller writes the last one. The thread owns its session."""
    try:
        with store.sessions() as session:
            result = session.execute(query.execution_options(yield_per=5000, stream_results=True))
            for partition in result.partitions():
                while not stop.is_set():
                    try:
                        out.put(partition, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
    except BaseException as exc:  # handed to the consumer, which re-raises it
        out.put(exc)
    finally:
        out.put(_DONE)


def _stream_pairs(
    store: Store, month: str, progress: bool, spans: list[tuple[datetime, datetime]]
) -> Iterator[Any]:
    """The pairs the month's release takes (:func:`pair_filter`), projected (see :func:`projection`), ordered by
    prompt group then pair id."""
    from tqdm import tqdm

    where = pair_filter(month, spans)
    with store.sessions() as session:
        total = session.scalar(select(func.count()).select_from(Pair).where(*where)) or 0
    query = select(*projection(Pair.__table__)).where(*where).order_by(Pair.group_key, Pair.pair_id)
    handoff: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()
    fetcher = threading.Thread(
        target=_fetch_partitions, args=(store, query, handoff, stop), name="release-fetch", daemon=True
    )
    bar = tqdm(
        total=total,
        desc=msg.PROGRESS_PAIRS.format(month=month),
        unit="pair",
        file=sys.stderr,
        disable=not progress,
        mininterval=1.0,
    )
    fetcher.start()
    try:
        while (item := handoff.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield from item
            bar.update(len(item))
    finally:
        stop.set()
        while fetcher.is_alive():  # drain so a blocked put returns, then let the thread close its session
            with contextlib.suppress(queue.Empty):
                handoff.get(timeout=0.1)
        fetcher.join()
        bar.close()


def build_release(store: Store, options: BuildOptions, taxonomy: TaxonomyLike | None = None) -> BuildResult:
    """Build ``options.month``'s release under ``options.root``; raise :class:`GateFailedError` (nothing
    written) when a gate fails that was not overridden."""
    month = options.month
    parse_month(month)
    unknown = sorted(set(options.overrides) - set(GATE_NAMES))
    if unknown:
        raise ReleaseInputError(
            msg.UNKNOWN_GATE.format(names=", ".join(unknown), known=", ".join(GATE_NAMES)), value=unknown[0]
        )
    taxonomy = taxonomy or load_taxonomy()
    root = options.root
    root.mkdir(parents=True, exist_ok=True)
    with store.sessions() as session:
        revision = _plan_revision(session, root, month)
        prev = previous_release(session, month, revision)
        released = load_released_prompts(session, month)
        erasures = erasures_since(session, prev.created_at if prev else None)
        spans = late_spans(session, month)
    dirname = release_dir_name(month, revision)
    name = f"{options.name}-{dirname}"
    final = root / dirname
    staging = root / f".staging-{dirname}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    clock = _Clock()
    try:
        heads: dict[str, str] = {}
        if options.paraphrase:
            with store.sessions() as session:
                heads = paraphrase_heads(session, month)
            clock.lap("paraphrase")
        writers = SplitWriters(staging, SPLITS)
        run = _Pass(month, options, released, writers, heads)
        try:
            for pair in _stream_pairs(store, month, options.progress, spans):
                run.feed(pair)
        except BaseException:
            writers.abort()
            raise
        fingerprints = writers.close()
        clock.lap("stream")
        tally = run.tally
        report = evaluate_gates(tally, options.policy, taxonomy, options.overrides)
        if report["failed"]:
            raise GateFailedError(
                msg.GATES_FAILED.format(month=month, failed=", ".join(report["failed"])),
                failed=report["failed"],
                report=report,
            )
        finish_dataset_dict(staging, fingerprints, msg.DATASET_DESCRIPTION.format(name=name), options.license)
        clock.lap("dataset_dict")
        categories = category_table(
            taxonomy, tally.tactics, tally.hazards, tally.with_tactic, tally.with_hazard
        )
        plot_coverage(
            categories, staging / "coverage.png", msg.PLOT_TITLE.format(name=f"{options.name} {month}")
        )
        clock.lap("plot")
        counts = _counts(tally, categories, run.late)
        left = added = None
        if prev is not None and prev.month == month:
            before = release_pair_ids(Path(prev.path))
            if before is not None:
                now = _pair_ids(staging)
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
                    late_pairs=run.late,
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
        clock.lap("card_changelog_manifest")
        if final.exists():
            raise ReleaseExistsError(msg.RELEASE_EXISTS.format(path=final), path=str(final))
        record_release(
            store,
            month,
            revision,
            final,
            manifest,
            run.new_prompts,
            lambda: os.rename(staging, final),
            taken=run.taken,
        )
        clock.lap("record")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("built %s: %s", name, ", ".join(f"{k} {v:.1f}s" for k, v in clock.laps.items()))
    return BuildResult(
        name=name,
        month=month,
        revision=revision,
        path=final,
        manifest=manifest,
        report=report,
        timings=clock.laps,
    )


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._at = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._at, 2)
        self._at = now


def _pair_ids(root: Path) -> set[str]:
    import pyarrow.parquet as pq

    ids: set[str] = set()
    for split in SPLITS:
        ids.update(
            pq.read_table(root / "data" / f"{split}.parquet", columns=["pair_id"]).column(0).to_pylist()
        )
    return ids


def _counts(tally: GateTally, categories: Any, late: int) -> dict[str, int]:
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
