"""Pair drafts to ``pairs`` rows: store-wide duplicate check, scrubbing before review/accepted, upsert by id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from prefloop.curator.pairing.engine import mark_duplicate
from prefloop.curator.pairing.model import PairDraft
from prefloop.curator.pairing.policy import RUBRIC_VERSION, Policy
from prefloop.curator.store.bulk import batches, copy_rows, in_values
from prefloop.curator.store.models import Pair, utcnow

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


_STATE = ("status", "signals", "checks", "route_reasons", "fingerprint", "tags")


def _same(row: Any, d: PairDraft) -> bool:
    return all(getattr(row, k) == getattr(d, k) for k in _STATE)


def _texts(d: PairDraft, scrubber: PairScrubber | None) -> dict[str, Any]:
    """The pair's text columns: scrubbed when the pair can reach people (review/accepted) and a scrubber runs."""
    if scrubber is not None and d.status in _VISIBLE:
        out = scrubber.scrub_pair(d.prompt, d.chosen, d.rejected)
        return {
            "prompt": list(out.prompt),
            "chosen": out.chosen,
            "rejected": out.rejected,
            "pii_counts": dict(out.entities),
            "scrubber_version": str(scrubber.VERSION),
            "scrubbed": True,
        }
    return {
        "prompt": d.prompt,
        "chosen": d.chosen,
        "rejected": d.rejected,
        "pii_counts": {},
        "scrubber_version": None,
        "scrubbed": False,
    }


def _state(d: PairDraft) -> dict[str, Any]:
    return {
        "group_key": d.group_key,
        "chosen_response_id": d.chosen_response_id,
        "rejected_response_id": d.rejected_response_id,
        "chosen_human_written": d.chosen_human_written,
        "kind": d.kind,
        "strength": d.strength,
        "signals": d.signals,
        "conflicts": d.conflicts,
        "checks": d.checks,
        "tags": d.tags,
        "fingerprint": d.fingerprint,
        "status": d.status,
        "route_reasons": d.route_reasons,
        "policy_version": d.policy_version,
        "rubric_version": RUBRIC_VERSION,
        "meta": d.meta,
        "users": d.users,
        "formed_at": d.formed_at,
    }


def _update(session: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    table = Pair.__table__
    cols = [k for k in rows[0] if k != "_pid"]
    stmt = (
        update(table)  # type: ignore[arg-type]
        .where(table.c.pair_id == bindparam("_pid"))
        .values({c: bindparam(c) for c in cols})
    )
    session.connection().execute(stmt, rows)


def save_drafts(
    session: Session, drafts: Sequence[PairDraft], policy: Policy, scrubber: PairScrubber | None
) -> SaveStats:
    """Insert or update one row per draft. A pair whose review is resolved (``review`` set) is left alone."""
    stats = SaveStats()
    table = Pair.__table__
    existing: dict[str, Any] = {}
    for part in batches(session, [d.pair_id for d in drafts]):
        q = select(Pair.pair_id, Pair.review, Pair.scrubbed, *(getattr(Pair, k) for k in _STATE)).where(
            in_values(session, Pair.pair_id, part)
        )
        existing.update({r.pair_id: r for r in session.execute(q).all()})
    # duplicates across groups: the same texts already stored under another pair id
    owner: dict[str, str] = {}
    for part in batches(session, sorted({d.fingerprint for d in drafts})):
        q = (
            select(Pair.pair_id, Pair.fingerprint)
            .where(in_values(session, Pair.fingerprint, part))
            .order_by(Pair.created_at, Pair.pair_id)
        )
        for pid, fp in session.execute(q).all():
            if fp is not None:
                owner.setdefault(fp, pid)
    # the earliest stored pair owns its texts; among new ones the lowest id (the store's order for equal times)
    for d in sorted(drafts, key=lambda d: d.pair_id):
        owner.setdefault(d.fingerprint, d.pair_id)
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    with_texts: list[dict[str, Any]] = []
    state_only: list[dict[str, Any]] = []
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
        stats.by_status[d.status] = stats.by_status.get(d.status, 0) + 1
        if row is None:
            texts = _texts(d, scrubber)
            stats.scrubbed += int(texts["scrubbed"])
            inserts.append(
                {
                    "pair_id": d.pair_id,
                    **_state(d),
                    **texts,
                    "review": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            stats.created += 1
            continue
        stats.updated += 1
        if row.scrubbed and row.fingerprint == d.fingerprint:
            state_only.append({"_pid": d.pair_id, **_state(d), "updated_at": now})  # same texts, scrubbed
        else:
            texts = _texts(d, scrubber)
            stats.scrubbed += int(texts["scrubbed"])
            with_texts.append({"_pid": d.pair_id, **_state(d), **texts, "updated_at": now})
    if inserts and session.get_bind().dialect.name == "postgresql":
        copy_rows(session, table, inserts)
    elif inserts:
        session.connection().execute(insert(table), inserts)  # type: ignore[arg-type]
    _update(session, with_texts)
    _update(session, state_only)
    return stats
