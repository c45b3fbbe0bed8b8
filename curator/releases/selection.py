"""Which pairs a monthly release takes: no pair is silently never shipped, and none ships twice.

A release of month M takes the accepted pairs formed in M, plus the accepted pairs formed in an earlier month
that already has a release but that no release took: pairs that became ready (accepted automatically or by
review) after their own month's release was built. Every pair a release takes (shipped, or left out by a gate)
is recorded in ``released_pairs`` with the month, in the transaction that records the release, and no release
of another month takes it again. A month without a release keeps its pairs for its own release.

Same store state, same selection: the rule reads only the store (pairs, releases, released_pairs), so a rebuild
writes the same bytes; a revision of M takes what M took before plus what became ready since.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from prefloop.curator.releases.bulk import copy_new_rows
from prefloop.curator.releases.months import month_bounds
from prefloop.curator.store.models import Pair, Release, ReleasedPair

__all__ = ["late_spans", "pair_filter", "record_taken"]

_CHUNK = 5000


def late_spans(session: Session, month: str) -> list[tuple[datetime, datetime]]:
    """The ``[start, end)`` spans of the months before ``month`` that have a release, consecutive months
    merged: their pairs that no release took are late, and ``month``'s release takes them."""
    spans: list[tuple[datetime, datetime]] = []
    for (m,) in session.execute(
        select(Release.month).where(Release.month < month).distinct().order_by(Release.month)
    ):
        start, end = month_bounds(m)
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def pair_filter(month: str, spans: Sequence[tuple[datetime, datetime]]) -> list[Any]:
    """The ``WHERE`` terms on ``pairs`` of ``month``'s release (see the module docstring)."""
    start, end = month_bounds(month)
    formed = [and_(Pair.formed_at >= start, Pair.formed_at < end)]
    formed += [and_(Pair.formed_at >= s, Pair.formed_at < e) for s, e in spans]
    taken_elsewhere = exists().where(ReleasedPair.pair_id == Pair.pair_id, ReleasedPair.month != month)
    return [Pair.status == "accepted", or_(*formed), ~taken_elsewhere]


def record_taken(session: Session, month: str, pair_ids: Sequence[str]) -> None:
    """Record that ``month``'s release took ``pair_ids`` (a revision of the same month records them again: kept)."""
    if session.get_bind().dialect.name == "postgresql":
        # a revision of the same month took many of them before; any other month's are not taken again
        recorded = set(session.scalars(select(ReleasedPair.pair_id).where(ReleasedPair.month == month)))
        rows = [(p, month) for p in set(pair_ids) - recorded]
        copy_new_rows(session, "released_pairs", ("pair_id", "month"), rows, key="pair_id")
        return
    from sqlalchemy.dialects import sqlite

    stmt = sqlite.insert(ReleasedPair).on_conflict_do_nothing(index_elements=["pair_id"])
    ordered = sorted(pair_ids)  # the key's index is filled from one end
    for start in range(0, len(ordered), _CHUNK):
        session.execute(stmt, [{"pair_id": p, "month": month} for p in ordered[start : start + _CHUNK]])
