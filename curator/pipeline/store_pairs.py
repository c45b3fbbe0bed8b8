"""Pair drafts to ``pairs`` rows: store-wide duplicate check, scrubbing before review/accepted, upsert by id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from curator.ingest.writer import chunks
from curator.pairing.engine import mark_duplicate
from curator.pairing.model import PairDraft
from curator.pairing.policy import RUBRIC_VERSION, Policy
from curator.store.models import Pair, utcnow

__all__ = ["PairScrubber", "SaveStats", "save_drafts"]

_VISIBLE = ("accepted", "review")


class PairScrubber(Protocol):
    VERSION: str

    def scrub_pair(self, prompt: list[dict[str, str]], chosen: str, rejected: str) -> Any: ...


@dataclass
class SaveStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    frozen: int = 0
    scrubbed: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def _same(row: Pair, d: PairDraft) -> bool:
    return (
        row.status == d.status
        and row.signals == d.signals
        and row.checks == d.checks
        and row.route_reasons == d.route_reasons
        and row.fingerprint == d.fingerprint
        and row.tags == d.tags
    )


def _scrub(row: Pair, d: PairDraft, scrubber: PairScrubber | None) -> bool:
    """Put the draft's texts on ``row``, scrubbed when it can reach people. True when the scrubber ran."""
    if row.scrubbed and row.fingerprint == d.fingerprint:
        return False  # same texts, already scrubbed: keep them
    if scrubber is not None and d.status in _VISIBLE:
        out = scrubber.scrub_pair(d.prompt, d.chosen, d.rejected)
        row.prompt, row.chosen, row.rejected = list(out.prompt), out.chosen, out.rejected
        row.pii_counts = dict(out.entities)
        row.scrubber_version = str(scrubber.VERSION)
        row.scrubbed = True
        return True
    row.prompt, row.chosen, row.rejected = d.prompt, d.chosen, d.rejected
    row.pii_counts, row.scrubber_version, row.scrubbed = {}, None, False
    return False


def _apply(row: Pair, d: PairDraft) -> None:
    row.group_key = d.group_key
    row.chosen_response_id = d.chosen_response_id
    row.rejected_response_id = d.rejected_response_id
    row.chosen_human_written = d.chosen_human_written
    row.kind = d.kind
    row.strength = d.strength
    row.signals = d.signals
    row.conflicts = d.conflicts
    row.checks = d.checks
    row.tags = d.tags
    row.fingerprint = d.fingerprint
    row.status = d.status
    row.route_reasons = d.route_reasons
    row.policy_version = d.policy_version
    row.rubric_version = RUBRIC_VERSION
    row.meta = d.meta
    row.users = d.users
    row.formed_at = d.formed_at


def save_drafts(
    session: Session, drafts: Sequence[PairDraft], policy: Policy, scrubber: PairScrubber | None
) -> SaveStats:
    """Insert or update one row per draft. A pair whose review is resolved (``review`` set) is left alone."""
    stats = SaveStats()
    ids = [d.pair_id for d in drafts]
    existing: dict[str, Pair] = {}
    for part in chunks(ids):
        existing.update(
            {p.pair_id: p for p in session.execute(select(Pair).where(Pair.pair_id.in_(part))).scalars()}
        )
    # duplicates across groups: the same texts already stored under another pair id
    prints = sorted({d.fingerprint for d in drafts})
    owner: dict[str, str] = {}
    for part in chunks(prints):
        for pid, fp in session.execute(
            select(Pair.pair_id, Pair.fingerprint).where(Pair.fingerprint.in_(part)).order_by(Pair.created_at)
        ).all():
            owner.setdefault(fp, pid)
    now = utcnow()
    for d in drafts:
        first = owner.setdefault(d.fingerprint, d.pair_id)
        if first != d.pair_id:
            mark_duplicate(d, first, policy)
        row = existing.get(d.pair_id)
        if row is not None and row.review is not None:
            stats.frozen += 1
            continue
        if row is not None and _same(row, d):
            stats.unchanged += 1
            continue
        if row is None:
            row = Pair(pair_id=d.pair_id, created_at=now, review=None)
            session.add(row)
            stats.created += 1
        else:
            stats.updated += 1
        if _scrub(row, d, scrubber):
            stats.scrubbed += 1
        _apply(row, d)
        row.updated_at = now
        stats.by_status[d.status] = stats.by_status.get(d.status, 0) + 1
    return stats
