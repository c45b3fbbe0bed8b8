"""The curator pipeline: decode, store, pair, scrub, tag, route. Sources (Kafka, spool, file) feed it batches.

One :class:`Curator` per process. Ingest and pairing are separate transactions: a batch's events, dead letters and
source offsets commit together (the caller commits Kafka offsets only after that), then the prompt groups the batch
touched are paired. Groups stay ``dirty`` until pairing commits, so a crash between the two loses nothing: the next
run (or :meth:`Curator.pair_dirty`) picks them up.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select, update

from prefloop.curator import messages as msg
from prefloop.curator.ingest.decode import DeadLetterItem, Decoded, RawRecord, decode_records
from prefloop.curator.ingest.refused import RETRYABLE_ERRORS, UNSTORABLE_ERRORS, unstorable
from prefloop.curator.ingest.tombstones import drop_forgotten, hold_erasure_lock
from prefloop.curator.ingest.writer import WriteResult, write_batch
from prefloop.curator.pairing.engine import pair_group
from prefloop.curator.pairing.learning import learned_policy
from prefloop.curator.pairing.model import GroupView
from prefloop.curator.pairing.policy import Policy
from prefloop.curator.pipeline.review_outcomes import load_kind_outcomes
from prefloop.curator.pipeline.store_pairs import PairScrubber, SaveStats, Scrubbed, save_drafts, scrub_ahead
from prefloop.curator.pipeline.strength_calibration import StrengthMapCache
from prefloop.curator.pipeline.views import load_groups
from prefloop.curator.store import Store
from prefloop.curator.store.bulk import chunks, in_values
from prefloop.curator.store.models import PromptGroup
from prefloop.schemas.errors import ConfigError

__all__ = ["ENCODER_THREADS", "BatchResult", "Curator", "PairingResult", "load_tagger"]

log = logging.getLogger(__name__)

#: The tagger's sentence encoder runs on one thread in the curator: the scrubber works beside it on the other
#: core (below) and the consumer, writer, PostgreSQL and Kafka share the machine; onnxruntime's default (a
#: thread per core) spent ~60 % more CPU on the same embeddings there (docs/perf/curator_throughput.md).
ENCODER_THREADS = 1


def load_tagger(model_dir: str | Path | None = None) -> Any:
    """The tagger as the curator runs it (``prefloop.curator.tagging.Tagger`` with its encoder on
    ``ENCODER_THREADS``)."""
    from prefloop.curator.tagging import Tagger

    return Tagger.load(model_dir, encoder_threads=ENCODER_THREADS)


@dataclass
class PairingResult:
    groups: int = 0
    pairs: SaveStats = field(default_factory=SaveStats)
    tagged: int = 0


@dataclass
class BatchResult:
    records: int = 0
    write: WriteResult = field(default_factory=WriteResult)
    dead: list[DeadLetterItem] = field(default_factory=list)
    pairing: PairingResult = field(default_factory=PairingResult)


def _merge_write(total: WriteResult, part: WriteResult) -> None:
    total.inserted += part.inserted
    total.duplicates += part.duplicates
    total.dead_letters += part.dead_letters
    total.forgotten += part.forgotten
    total.touched_groups |= part.touched_groups


class Curator:
    """Ingest and pairing over one store.

    ``scrubber`` (``prefloop.curator.scrub.Scrubber``) and ``tagger`` (``prefloop.curator.tagging.Tagger``: ``tag_many`` and
    ``VERSION``) are optional so tests
    and benchmarks can run without them; ``require_scrub`` (the default) refuses to run without a scrubber,
    because pairs routed to review or accepted reach people and releases.
    """

    def __init__(
        self,
        store: Store,
        policy: Policy,
        *,
        scrubber: PairScrubber | None = None,
        tagger: Any = None,
        require_scrub: bool = True,
        pair_batch: int = 500,
    ) -> None:
        if require_scrub and scrubber is None:
            raise ConfigError(
                "the curator needs a scrubber: pairs routed to review or accepted must be scrubbed before they "
                "are stored. Install prefloop[curator] (spaCy and its model) or pass require_scrub=False in tests."
            )
        self.store = store
        self.policy = policy
        self.scrubber = scrubber
        self.tagger = tagger
        self.pair_batch = pair_batch
        #: The calibration map of strength learned from review outcomes, fitted again after new ones.
        self.strength_maps = StrengthMapCache()
        #: Scrubs a batch's new pairs while they are tagged (its thread starts on first use).
        self._beside = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefloop-scrub")
            if scrubber is not None and tagger is not None
            else None
        )

    # -- ingest ----------------------------------------------------------------------------------------
    def ingest(
        self,
        records: Sequence[RawRecord],
        *,
        keep_dead_letters: bool = False,
        offsets: dict[str, int] | None = None,
    ) -> BatchResult:
        """Validate and store one batch in one transaction. Dead letters are returned (Kafka mode sends them to
        the DLQ topic) and, with ``keep_dead_letters``, also stored (file sources)."""
        decoded, dead = decode_records(records)
        return self.store_decoded(
            len(records), decoded, dead, keep_dead_letters=keep_dead_letters, offsets=offsets
        )

    def store_decoded(
        self,
        records: int,
        decoded: list[Decoded],
        dead: list[DeadLetterItem],
        *,
        keep_dead_letters: bool = False,
        offsets: dict[str, int] | None = None,
    ) -> BatchResult:
        """The storing half of :meth:`ingest` (``decode_records`` already ran, e.g. on another thread): one
        transaction with the events and, with ``keep_dead_letters``, the dead letters (each source position
        recorded once, so a redelivered batch adds none) and the source ``offsets``."""
        try:
            with self.store.session() as session:
                decoded, dead, forgotten = drop_forgotten(session, decoded, dead)
                write = write_batch(session, decoded, dead=dead if keep_dead_letters else (), offsets=offsets)
            write.forgotten = forgotten
        except UNSTORABLE_ERRORS as exc:
            if isinstance(exc, RETRYABLE_ERRORS):
                raise  # the database is away: the source retries the same batch
            write, dead = self._store_apart(
                decoded, dead, keep_dead_letters=keep_dead_letters, offsets=offsets
            )
        return BatchResult(records=records, write=write, dead=dead)

    def _store_apart(
        self,
        decoded: list[Decoded],
        dead: list[DeadLetterItem],
        *,
        keep_dead_letters: bool,
        offsets: dict[str, int] | None,
    ) -> tuple[WriteResult, list[DeadLetterItem]]:
        """The store refused the batch (an event it cannot hold, whatever decoding let through): store it in
        halves, each in its own transaction, down to single events; dead-letter each event the store refuses
        on its own (``unstorable``, with the error's class, never the text). The dead letters and source offsets
        go last, in one transaction: a crash in between re-reads the batch, and ingest stores each event once."""
        total = WriteResult()
        refused: list[DeadLetterItem] = []
        parts = [decoded]
        while parts:
            part = parts.pop()
            try:
                with self.store.session() as session:
                    part, _, forgotten = drop_forgotten(session, part, ())
                    total.forgotten += forgotten
                    _merge_write(total, write_batch(session, part))
            except UNSTORABLE_ERRORS as exc:
                if isinstance(exc, RETRYABLE_ERRORS):
                    raise
                if len(part) > 1:
                    half = len(part) // 2
                    parts += [part[half:], part[:half]]
                    continue
                refused.append(unstorable(part[0], exc))
        for item in refused:
            log.warning(msg.UNSTORABLE.format(source=item.record.source, reason=item.reason))
        dead = [*dead, *refused]
        if (keep_dead_letters and dead) or offsets:
            with self.store.session() as session:
                _, dead, forgotten = drop_forgotten(session, (), dead)
                total.forgotten += forgotten
                extra = write_batch(session, [], dead=dead if keep_dead_letters else (), offsets=offsets)
            total.dead_letters += extra.dead_letters
        return total, dead

    def process(
        self,
        records: Sequence[RawRecord],
        *,
        keep_dead_letters: bool = False,
        offsets: dict[str, int] | None = None,
    ) -> BatchResult:
        """Ingest one batch, then pair the prompt groups it touched."""
        result = self.ingest(records, keep_dead_letters=keep_dead_letters, offsets=offsets)
        if result.write.touched_groups:
            result.pairing = self.pair(result.write.touched_groups)
        return result

    # -- pairing ---------------------------------------------------------------------------------------
    def pair(self, keys: Iterable[str]) -> PairingResult:
        """Pair the dirty groups among ``keys``."""
        total = PairingResult()
        for part in chunks(sorted(set(keys)), self.pair_batch):
            self._merge(total, self._pair_once(list(part)))
        return total

    def pair_dirty(self, limit: int | None = None) -> PairingResult:
        """Pair every dirty group (recovery after a crash, or a sweep), ``pair_batch`` groups per transaction."""
        total = PairingResult()
        while limit is None or total.groups < limit:
            done = self._pair_once(None)
            self._merge(total, done)
            if done.groups == 0:
                break
        return total

    @staticmethod
    def _merge(total: PairingResult, part: PairingResult) -> None:
        total.groups += part.groups
        total.tagged += part.tagged
        for name in ("created", "updated", "unchanged", "frozen", "scrubbed"):
            setattr(total.pairs, name, getattr(total.pairs, name) + getattr(part.pairs, name))
        for status, n in part.pairs.by_status.items():
            total.pairs.by_status[status] = total.pairs.by_status.get(status, 0) + n

    def _pair_once(self, keys: list[str] | None) -> PairingResult:
        result = PairingResult()
        with self.store.session() as session:
            hold_erasure_lock(session, exclusive=False)  # a user forgotten meanwhile is not paired back
            g = PromptGroup
            q = (
                select(g.key, g.context, g.app_id, g.system_prompt_version, g.tags, g.purged_at)
                .where(g.dirty.is_(True))
                .order_by(g.key)
            )
            q = (
                q.where(in_values(session, PromptGroup.key, keys))
                if keys is not None
                else q.limit(self.pair_batch)
            )
            if self.store.dialect == "postgresql":
                q = q.with_for_update(skip_locked=True)  # another consumer is pairing it: it will finish it
            groups = list(session.execute(q).all())
            if not groups:
                return result
            live = [g for g in groups if g.purged_at is None]
            views = list(load_groups(session, live))
            # the signal kinds' reliabilities as review outcomes re-estimated them (a few rows, read per batch)
            policy = learned_policy(self.policy, load_kind_outcomes(session))
            # strength below the bar as reviewers found it, for evidence recomputed under those reliabilities
            strength_map = self.strength_maps.current(session, policy)
            per_group = [pair_group(view, policy, strength_map) for view in views]
            # a group that forms a pair is tagged once; all of a batch's groups are tagged in one call, so the
            # tagger's encoder embeds them together instead of one ORT run per prompt
            untagged = [i for i, view in enumerate(views) if per_group[i] and view.tags is None]
            scrubbed: Scrubbed | None = None
            if untagged and self.tagger is not None:
                ahead: Future[Scrubbed] | None = None
                if self.scrubber is not None and self._beside is not None:
                    # the new pairs are scrubbed on another thread while the tagger reads their prompts (its
                    # encoder runs outside the interpreter lock); tags change a pair's route, never its texts
                    ahead = self._beside.submit(
                        scrub_ahead, self.scrubber, [d for i in untagged for d in per_group[i]]
                    )
                try:
                    tagged = self._tag(session, [views[i] for i in untagged])
                except BaseException:
                    if ahead is not None:
                        wait([ahead])  # never leave it scrubbing beside the next batch
                    raise
                scrubbed = ahead.result() if ahead is not None else None
                for i, view in zip(untagged, tagged, strict=True):
                    views[i] = view
                    per_group[i] = pair_group(view, policy, strength_map)
                result.tagged += len(untagged)
            drafts = [draft for group_drafts in per_group for draft in group_drafts]
            result.pairs = save_drafts(session, drafts, policy, self.scrubber, scrubbed)
            session.execute(
                update(PromptGroup)
                .where(in_values(session, PromptGroup.key, [g.key for g in groups]))
                .values(dirty=False)
            )
            result.groups = len(groups)
        return result

    def _tag(self, session: Any, views: list[GroupView]) -> list[GroupView]:
        version = getattr(self.tagger, "VERSION", None)
        tagged = []
        for view, tags in zip(views, self.tagger.tag_many([v.context for v in views]), strict=True):
            data = {"harmful": bool(tags.harmful), **tags.to_dict(), "tagger_version": version}
            tagged.append(replace(view, tags=data))
        table = PromptGroup.__table__
        # one statement for the batch's groups (executemany), not one ORM update per group
        session.connection().execute(
            update(table).where(table.c.key == bindparam("_key")).values(tags=bindparam("_tags")),  # type: ignore[arg-type]
            [{"_key": view.key, "_tags": view.tags} for view in tagged],
        )
        return tagged
