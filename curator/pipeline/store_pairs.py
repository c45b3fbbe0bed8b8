"""Pair drafts to ``pairs`` rows: store-wide duplicate check, scrubbing before review/accepted, upsert by id."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from prefloop.curator.pairing.engine import mark_duplicate
from prefloop.curator.pairing.model import PairDraft
from prefloop.curator.pairing.policy import RUBRIC_VERSION, Policy
from prefloop.curator.store.bulk import batches, copy_rows, in_values
from prefloop.curator.store.models import Pair, utcnow

__all__ = ["PairScrubber", "SaveStats", "Scrubbed", "save_drafts", "scrub_ahead"]

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


def _unscrubbed(d: PairDraft) -> dict[str, Any]:
    return {
        "prompt": d.prompt,
        "chosen": d.chosen,
        "rejected": d.rejected,
        "pii_counts": {},
        "scrubber_version": None,
        "scrubbed": False,
    }


#: Pairs scrubbed ahead of :func:`save_drafts` (see :func:`scrub_ahead`): pair id -> (its texts, the result).
Scrubbed = Mapping[str, tuple[tuple[list[dict[str, str]], str, str], Any]]


def _visible_texts(drafts: Iterable[PairDraft]) -> list[tuple[list[dict[str, str]], str, str]]:
    return [(d.prompt, d.chosen, d.rejected) for d in drafts if d.status in _VISIBLE]


def _scrub(scrubber: PairScrubber, pairs: list[tuple[list[dict[str, str]], str, str]]) -> list[Any]:
    """``scrub_pair`` of each pair; one ``scrub_pairs`` call when the scrubber has it (each distinct text analysed
    once, spaCy over many texts at a time), with the same results."""
    many = getattr(scrubber, "scrub_pairs", None)
    if many is not None:
        return list(many(pairs))
    return [scrubber.scrub_pair(*pair) for pair in pairs]


def scrub_ahead(scrubber: PairScrubber, drafts: Iterable[PairDraft]) -> Scrubbed:
    """The drafts that can reach people (review/accepted) scrubbed now, for a later :func:`save_drafts` of the
    same pairs (the pipeline scrubs a batch's new pairs while the tagger reads their prompts). A pair whose texts
    or status differ by then is scrubbed again there."""
    pairs = [d for d in drafts if d.status in _VISIBLE]
    texts = _visible_texts(pairs)
    return {d.pair_id: (t, out) for d, t, out in zip(pairs, texts, _scrub(scrubber, texts), strict=True)}


def _texts(
    drafts: Sequence[PairDraft], scrubber: PairScrubber | None, ahead: Scrubbed | None = None
) -> list[dict[str, Any]]:
    """Each pair's text columns: scrubbed when the pair can reach people (review/accepted) and a scrubber runs.
    Pairs not already in ``ahead`` are scrubbed together (:func:`_scrub`)."""
    if scrubber is None:
        return [_unscrubbed(d) for d in drafts]
    known: dict[int, Any] = {}
    for i, d in enumerate(drafts):
        hit = (ahead or {}).get(d.pair_id)
        if d.status in _VISIBLE and hit is not None and hit[0] == (d.prompt, d.chosen, d.rejected):
            known[i] = hit[1]
    rest = [d for i, d in enumerate(drafts) if i not in known]
    scrubbed = iter(_scrub(scrubber, _visible_texts(rest)))
    out: list[dict[str, Any]] = []
    for i, d in enumerate(drafts):
        if d.status not in _VISIBLE:
            out.append(_unscrubbed(d))
            continue
        pair = known[i] if i in known else next(scrubbed)
        out.append(
            {
                "prompt": list(pair.prompt),
                "chosen": pair.chosen,
                "rejected": pair.rejected,
                "pii_counts": dict(pair.entities),
                "scrubber_version": str(scrubber.VERSION),
                "scrubbed": True,
            }
        )
    return out


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
    session: Session,
    drafts: Sequence[PairDraft],
    policy: Policy,
    scrubber: PairScrubber | None,
    ahead: Scrubbed | None = None,
) -> SaveStats:
    """Insert or update one row per draft. A pair whose review is resolved (``review`` set) is left alone.
    ``ahead``: pairs already scrubbed (:func:`scrub_ahead`), used where their texts are still the draft's."""
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
    need_texts: list[tuple[dict[str, Any], PairDraft]] = []  # rows whose text columns are filled below
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
            inserts.append(
                {
                    "pair_id": d.pair_id,
                    **_state(d),
                    "review": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            need_texts.append((inserts[-1], d))
            stats.created += 1
            continue
        stats.updated += 1
        if row.scrubbed and row.fingerprint == d.fingerprint:
            state_only.append({"_pid": d.pair_id, **_state(d), "updated_at": now})  # same texts, scrubbed
        else:
            with_texts.append({"_pid": d.pair_id, **_state(d), "updated_at": now})
            need_texts.append((with_texts[-1], d))
    for (target, _), texts in zip(
        need_texts, _texts([d for _, d in need_texts], scrubber, ahead), strict=True
    ):
        target.update(texts)
        stats.scrubbed += int(texts["scrubbed"])
    if inserts and session.get_bind().dialect.name == "postgresql":
        copy_rows(session, table, inserts)
    elif inserts:
        session.connection().execute(insert(table), inserts)  # type: ignore[arg-type]
    _update(session, with_texts)
    _update(session, state_only)
    return stats
