"""Build a monthly release: stream the month's accepted pairs (and the late ones of earlier months, see
:mod:`prefloop.curator.releases.selection`), gate them, write every file, record it.

The build is one ordered pass over the pairs (by prompt group, then pair id) that writes Parquet, JSONL and an
Arrow stream per split as it goes, so memory stays flat as the month grows. Files go to a staging directory that
is renamed into place, in the same database transaction that records the release, only once every gate passed.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prefloop.curator.coverage import TaxonomyLike, category_table, load_taxonomy
from prefloop.curator.coverage_plot import plot_coverage
from prefloop.curator.pairing.audit import audit_estimate
from prefloop.curator.pipeline.review_outcomes import audit_outcomes, review_calibration
from prefloop.curator.releases import messages as msg
from prefloop.curator.releases.card import current_scrubber_facts
from prefloop.curator.releases.documents import write_documents
from prefloop.curator.releases.embedding_cache import EmbeddingCache
from prefloop.curator.releases.encoder_process import EncoderPool
from prefloop.curator.releases.errors import GateFailedError, ReleaseExistsError, ReleaseInputError
from prefloop.curator.releases.gates import GATE_NAMES, evaluate_gates
from prefloop.curator.releases.months import parse_month
from prefloop.curator.releases.options import BuildOptions, BuildResult, release_dir_name
from prefloop.curator.releases.ordered_pass import OrderedPass, split_of
from prefloop.curator.releases.paraphrase import encoder_id
from prefloop.curator.releases.paraphrase_stream import paraphrase_heads
from prefloop.curator.releases.records import (
    erasures_since,
    load_released_prompts,
    previous_release,
    record_release,
)
from prefloop.curator.releases.selection import late_spans
from prefloop.curator.releases.splits import SPLITS
from prefloop.curator.releases.stream import stream_pairs
from prefloop.curator.releases.writer import SplitWriters, finish_dataset_dict
from prefloop.curator.store import Store

__all__ = ["BuildOptions", "BuildResult", "build_release", "release_dir_name"]

log = logging.getLogger(__name__)
#: Where, under the release root, the sentence embeddings of earlier builds are kept (:class:`EmbeddingCache`).
EMBEDDINGS = ".embeddings"


def _plan_revision(session: Session, root: Path, month: str) -> int:
    from prefloop.curator.store.models import Release

    last = session.scalar(select(func.max(Release.revision)).where(Release.month == month)) or 0
    revision = last + 1
    while (root / release_dir_name(month, revision)).exists():
        revision += 1
    return revision


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
        audit = audit_estimate(audit_outcomes(session))
        calibration = review_calibration(session)
    dirname = release_dir_name(month, revision)
    name = f"{options.name}-{dirname}"
    final = root / dirname
    staging = root / f".staging-{dirname}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    clock = _Clock()
    try:
        heads = cache = encoders = None
        warm = threading.Thread(target=_import_the_tail, name="release-warm-up", daemon=True)
        warm.start()
        # the query starts now: the database scans and sorts the month while the paraphrase candidates are found
        pairs = stream_pairs(store, month, options.progress, spans)
        try:
            if options.paraphrase:
                # the processes load the model while the first candidates are found; the candidates are found
                # beside the ordered pass, a batch of prompts ahead of it (paraphrase_stream)
                encoders = EncoderPool(options.encoder_processes)
                cache = EmbeddingCache(root / EMBEDDINGS, encoder_id(), encoders.embed)
                heads = paraphrase_heads(
                    store,
                    month,
                    embed=cache.embed,
                    side=functools.partial(split_of, released, month, options),
                )
            writers = SplitWriters(staging, SPLITS)
            run = OrderedPass(month, options, released, writers, heads)
            try:
                with _collector_paused():
                    for partition in pairs.partitions():
                        run.feed_many(partition)
            except BaseException:
                writers.abort()
                raise
        finally:
            pairs.close()
            if heads is not None:
                heads.close(wait=True)
            if encoders is not None:
                encoders.close()
            if cache is not None:  # what was embedded is kept for the next build, even when this one failed
                cache.save()
        fingerprints = writers.close()
        clock.lap("stream")
        if heads is not None:  # the part of the stream spent waiting for the candidates or the encoder
            clock.laps["paraphrase_wait"] = round(heads.waited, 2)
            clock.laps["paraphrase_wait_candidates"] = round(heads.waited_for_candidates, 2)
            log.info(
                "paraphrase: %d prompts embedded (%d by the encoder, %d from the cache of earlier builds), "
                "%d candidate pairs moot (their earlier prompt paraphrases an earlier one); "
                "encoder processes' peak RSS %s MB",
                heads.encoded,
                cache.misses if cache else heads.encoded,
                cache.hits if cache else 0,
                heads.skipped,
                encoders.peak_rss_mb if encoders else None,
            )
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
        manifest = write_documents(
            staging,
            name=name,
            revision=revision,
            options=options,
            prev=prev,
            tally=tally,
            report=report,
            categories=categories,
            erasures=erasures,
            late=run.late,
            audit=audit,
            calibration=calibration,
        )
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


def _import_the_tail() -> None:
    """Run in a thread at the build's start: import what the steps after the ordered pass need (``datasets``,
    matplotlib, the scrubber whose facts the card states), several CPU-seconds that otherwise add to the build's
    serial tail; here they run while the main thread waits for the database or the encoder. Nothing it does
    changes what is written; a failure is left for the step that needs the module to report."""
    with contextlib.suppress(Exception):
        current_scrubber_facts()
        import datasets
        import datasets.table  # noqa: F401
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during the ordered pass: it allocates a few short-lived objects
    per row that reference counting frees, while the collector would rescan the pass's growing sets and lists
    (a million pair ids, half a million new prompts) again and again. Resumed (and run once) afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
            gc.collect()


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._at = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._at, 2)
        self._at = now
