"""Erasure: ``prefloop forget --user <pseudonym>`` removes a user's data from the store.

Removed: the user's events, responses and feedback, every pair whose ``users`` contains them, and what hangs off
those pairs (votes, review posts, thread messages, queued Slack messages). Prompt groups left with no response
and no pair go too (their context is raw conversation text). Releases built afterwards cannot contain any of it;
the next release's changelog reports how many rows left. Releases already published are immutable.

User ids in the store are capture's pseudonyms (HMAC of the app's user id with the capture key): pass the
pseudonym, computed by the app with the same key.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import delete, exists, select, text
from sqlalchemy.orm import Session

from prefloop.curator.store import Store
from prefloop.curator.store.models import (
    Erasure,
    EventRow,
    FeedbackState,
    OutboxMessage,
    Pair,
    PromptGroup,
    ResponseRow,
    ReviewPost,
    ThreadMessage,
    Vote,
)

__all__ = ["ErasureResult", "forget_user"]

_CHUNK = 1000


@dataclass(frozen=True)
class ErasureResult:
    user: str
    events: int
    responses: int
    feedback: int
    pairs: int
    votes: int
    prompt_groups: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _pairs_of(session: Session, user: str) -> list[str]:
    if session.get_bind().dialect.name == "postgresql":
        cond = text("pairs.users @> CAST(:u AS jsonb)").bindparams(u=f'["{_json_escape(user)}"]')
    else:
        cond = text("EXISTS (SELECT 1 FROM json_each(pairs.users) WHERE json_each.value = :u)").bindparams(
            u=user
        )
    return list(session.scalars(select(Pair.pair_id).where(cond)))


def _json_escape(value: str) -> str:
    import json

    return json.dumps(value)[1:-1]


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def forget_user(store: Store, user: str) -> ErasureResult:
    """Remove ``user``'s data (see the module docstring) in one transaction and record an :class:`Erasure`."""
    with store.session() as session:
        pair_ids = _pairs_of(session, user)
        groups = (
            set(session.scalars(select(Pair.group_key).where(Pair.pair_id.in_(pair_ids))))
            if pair_ids
            else set()
        )
        groups |= set(session.scalars(select(ResponseRow.group_key).where(ResponseRow.user == user)))
        votes = 0
        for start in range(0, len(pair_ids), _CHUNK):
            chunk = pair_ids[start : start + _CHUNK]
            votes += _count(session.execute(delete(Vote).where(Vote.pair_id.in_(chunk))))
            session.execute(delete(ReviewPost).where(ReviewPost.pair_id.in_(chunk)))
            session.execute(delete(ThreadMessage).where(ThreadMessage.pair_id.in_(chunk)))
            session.execute(delete(OutboxMessage).where(OutboxMessage.pair_id.in_(chunk)))
            session.execute(delete(Pair).where(Pair.pair_id.in_(chunk)))
        feedback = _count(session.execute(delete(FeedbackState).where(FeedbackState.user == user)))
        responses = _count(session.execute(delete(ResponseRow).where(ResponseRow.user == user)))
        events = _count(session.execute(delete(EventRow).where(EventRow.user == user)))
        orphaned = 0
        for key in sorted(groups):
            used = session.scalar(
                select(exists().where(ResponseRow.group_key == key) | exists().where(Pair.group_key == key))
            )
            if not used:
                orphaned += _count(session.execute(delete(PromptGroup).where(PromptGroup.key == key)))
        session.add(Erasure(user=user, events_removed=events, pairs_removed=len(pair_ids)))
    return ErasureResult(
        user=user,
        events=events,
        responses=responses,
        feedback=feedback,
        pairs=len(pair_ids),
        votes=votes,
        prompt_groups=orphaned,
    )
