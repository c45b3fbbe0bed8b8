"""What the store remembers about releases: shipped prompts (splits, fingerprints, the frozen evaluation set),
the releases themselves, and erasures since a release."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from prefloop.curator.releases.bulk import copy_new_rows
from prefloop.curator.releases.selection import record_taken
from prefloop.curator.store import Store
from prefloop.curator.store.models import Erasure, Release, ReleasedPrompt
from prefloop.schemas.records import ReleaseManifest

__all__ = [
    "ReleasedPrompts",
    "erasures_since",
    "load_released_prompts",
    "pin_eval",
    "previous_release",
    "record_release",
    "release_pair_ids",
]

_CHUNK = 5000


@dataclass
class ReleasedPrompts:
    #: group key -> (split, month first shipped)
    by_key: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: fingerprint -> group key, for prompts first shipped in an earlier month
    prior_fps: dict[str, str] = field(default_factory=dict)
    pinned_keys: set[str] = field(default_factory=set)
    pinned_fps: set[str] = field(default_factory=set)


def load_released_prompts(session: Session, month: str) -> ReleasedPrompts:
    state = ReleasedPrompts()
    rows = session.execute(
        select(
            ReleasedPrompt.group_key,
            ReleasedPrompt.fingerprint,
            ReleasedPrompt.split,
            ReleasedPrompt.first_release,
            ReleasedPrompt.pinned_eval,
        ).order_by(ReleasedPrompt.group_key)
    )
    for key, fp, split, first, pinned in rows:
        state.by_key[key] = (split, first)
        if first < month:
            state.prior_fps.setdefault(fp, key)
        if pinned:
            state.pinned_keys.add(key)
            state.pinned_fps.add(fp)
    return state


def previous_release(session: Session, month: str, revision: int) -> Release | None:
    """The latest release before (``month``, ``revision``)."""
    return session.scalars(
        select(Release)
        .where(or_(Release.month < month, (Release.month == month) & (Release.revision < revision)))
        .order_by(Release.month.desc(), Release.revision.desc())
        .limit(1)
    ).first()


def erasures_since(session: Session, since: datetime | None) -> dict[str, int]:
    query = select(func.count(), func.sum(Erasure.pairs_removed), func.sum(Erasure.events_removed))
    if since is not None:
        query = query.where(Erasure.at > since)
    n, pairs, events = session.execute(query).one()
    return {"requests": int(n or 0), "pairs": int(pairs or 0), "events": int(events or 0)}


def release_pair_ids(path: Path) -> set[str] | None:
    """The pair ids a release on disk holds (None when its files are not there any more)."""
    import pyarrow.parquet as pq

    files = sorted((path / "data").glob("*.parquet"))
    if not files:
        return None
    ids: set[str] = set()
    for f in files:
        ids.update(pq.read_table(f, columns=["pair_id"]).column(0).to_pylist())
    return ids


def _insert(session: Session) -> Any:
    """The dialect's ``insert`` (both have ``on_conflict_do_nothing``)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


def _copy_prompts(session: Session, month: str, new_prompts: Sequence[tuple[str, str, str]]) -> None:
    """PostgreSQL: COPY the new prompts in (a concurrent build of another month may have shipped the same prompt
    first; its split wins: :func:`copy_new_rows`)."""
    rows = [(k, fp, s, month, "f") for k, fp, s in new_prompts]
    columns = ("group_key", "fingerprint", "split", "first_release", "pinned_eval")
    copy_new_rows(session, "released_prompts", columns, rows, key="group_key")


def record_release(
    store: Store,
    month: str,
    revision: int,
    path: Path,
    manifest: ReleaseManifest,
    new_prompts: Sequence[tuple[str, str, str]],
    publish: Callable[[], None],
    *,
    taken: Sequence[str] = (),
) -> None:
    """Record the release, its new prompts and the pairs it ``taken`` (see
    :mod:`prefloop.curator.releases.selection`), and ``publish`` (move the files into place) in one transaction:
    a unique (month, revision) means a concurrent build of the same revision fails here, not on disk."""
    with store.session() as session:
        session.add(
            Release(month=month, revision=revision, path=str(path), manifest=manifest.model_dump(mode="json"))
        )
        session.flush()
        if session.get_bind().dialect.name == "postgresql":
            _copy_prompts(session, month, new_prompts)
        else:
            stmt = _insert(session)(ReleasedPrompt).on_conflict_do_nothing(index_elements=["group_key"])
            ordered = sorted(new_prompts)  # by key (the build's order already: no cost)
            for start in range(0, len(ordered), _CHUNK):
                rows = [
                    {
                        "group_key": k,
                        "fingerprint": fp,
                        "split": s,
                        "first_release": month,
                        "pinned_eval": False,
                    }
                    for k, fp, s in ordered[start : start + _CHUNK]
                ]
                session.execute(stmt, rows)
        record_taken(session, month, taken)
        publish()


def pin_eval(store: Store, month: str, split: str = "test") -> int:
    """Pin the prompts first shipped in ``month``'s ``split`` into the frozen evaluation set; returns how many
    were pinned. Pinned prompts are never shipped again (not for training, not as new test data)."""
    with store.session() as session:
        result = session.execute(
            update(ReleasedPrompt)
            .where(ReleasedPrompt.first_release == month, ReleasedPrompt.split == split)
            .values(pinned_eval=True)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
