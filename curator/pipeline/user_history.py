"""Reviewer-verified history of users' signals, over the store: written when reviewers resolve a pair, read when
pairing weighs a user's next signals (:func:`prefloop.curator.pairing.signals.with_history`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from prefloop.curator.store.bulk import batches, in_values, insert_stmt
from prefloop.curator.store.models import UserSignalHistory, utcnow

__all__ = ["load_history", "record_outcome", "tally"]


def record_outcome(session: Session, users: Iterable[str], agreed: bool) -> None:
    """Reviewers agreed (``agreed``) or disagreed with the preference that ``users``' signals formed."""
    for user in sorted(set(users)):
        tally(session, UserSignalHistory, {"user": user}, agreed)


def tally(session: Session, model: Any, key: dict[str, str], agreed: bool) -> None:
    """Count one confirmation (``agreed``) or contradiction on ``model``'s row for ``key`` (its primary key): a
    user's record here, a signal kind's in :mod:`.review_outcomes`.

    The row is created at zero if missing with an insert that does nothing on conflict, then locked for update: of
    two transactions counting on a new record at once, the second waits for the first and counts on its row (a
    plain get-or-create let both insert, and the second failed on the key)."""
    session.execute(
        insert_stmt(session, model)
        .values(**key, confirmed=0, contradicted=0, updated_at=utcnow())
        .on_conflict_do_nothing()
    )
    row = session.get(model, next(iter(key.values())), with_for_update=True, populate_existing=True)
    assert row is not None  # inserted above or by a transaction that committed first
    if agreed:
        row.confirmed = (row.confirmed or 0) + 1
    else:
        row.contradicted = (row.contradicted or 0) + 1
    row.updated_at = utcnow()


def load_history(session: Session, users: Iterable[str]) -> dict[str, tuple[int, int]]:
    """user -> (confirmed, contradicted) for those of ``users`` with a record."""
    out: dict[str, tuple[int, int]] = {}
    h = UserSignalHistory
    for part in batches(session, sorted(set(users))):
        for user, confirmed, contradicted in session.execute(
            select(h.user, h.confirmed, h.contradicted).where(in_values(session, h.user, part))
        ).all():
            out[user] = (int(confirmed), int(contradicted))
    return out
