"""Erasure: ``prefloop forget --user <pseudonym>`` removes a user's data from the store.

Removed: the user's events, responses and feedback, every pair whose ``users`` contains them, and what hangs off
those pairs (votes, review posts, thread messages, queued Slack messages), the dead letters whose raw bytes name
the user, and their reviewer-verified signal record. Prompt groups left with no response and no pair go too
(their context is raw conversation text).
The bot's Slack messages about those pairs (the review post and its own thread replies) are deleted through the
Slack outbox (``chat.delete``; reviewers' own replies cannot be deleted with a bot token and are only removed
from the store). Releases built afterwards cannot contain any of it; the next release's changelog reports how
many rows left. Releases already published are immutable.

The ``erasures`` row is the user's tombstone: ingest drops the user's events from then on, whatever brings them
back (:mod:`prefloop.curator.ingest.tombstones`).

User ids in the store are capture's pseudonyms (HMAC of the app's user id with the capture key): pass the
pseudonym, computed by the app with the same key.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import delete, exists, or_, select, text
from sqlalchemy.orm import Session

from prefloop.curator.ingest.tombstones import hold_erasure_lock, names_user
from prefloop.curator.store import Store
from prefloop.curator.store.bulk import insert_stmt
from prefloop.curator.store.models import (
    DeadLetter,
    Erasure,
    EventRow,
    FeedbackState,
    OutboxMessage,
    Pair,
    PromptGroup,
    ResponseRow,
    ReviewPost,
    ThreadMessage,
    UserSignalHistory,
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
    dead_letters: int = 0
    slack_deletions: int = 0

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


def _slack_messages(session: Session, pair_ids: list[str]) -> list[tuple[str, str]]:
    """(channel, ts) of every Slack message the bot posted about ``pair_ids``: the review posts and the bot's own
    replies in their threads (sent outbox messages)."""
    found: set[tuple[str, str]] = set()
    for start in range(0, len(pair_ids), _CHUNK):
        chunk = pair_ids[start : start + _CHUNK]
        for channel, ts in session.execute(
            select(ReviewPost.channel, ReviewPost.ts).where(
                ReviewPost.pair_id.in_(chunk), ReviewPost.ts.is_not(None)
            )
        ):
            if channel and ts:
                found.add((channel, ts))
        for (result,) in session.execute(
            select(OutboxMessage.result).where(
                OutboxMessage.pair_id.in_(chunk), OutboxMessage.status == "sent"
            )
        ):
            if isinstance(result, dict) and result.get("channel") and result.get("ts"):
                found.add((str(result["channel"]), str(result["ts"])))
    return sorted(found)


def _queue_slack_deletions(session: Session, messages: list[tuple[str, str]]) -> None:
    """One ``chat.delete`` per message through the outbox (no pair: it outlives the erased pair's rows)."""
    if not messages:
        return
    rows = [
        {
            "dedupe_key": f"erase:{channel}:{ts}"[:200],
            "method": "chat.delete",
            "payload": {"args": {"channel": channel, "ts": ts}},
            "pair_id": None,
            "status": "pending",
            "attempts": 0,
        }
        for channel, ts in messages
    ]
    session.execute(insert_stmt(session, OutboxMessage).on_conflict_do_nothing(), rows)


def _erase_dead_letters(session: Session, user: str) -> int:
    """Delete the dead letters whose raw bytes name the pseudonym (they did not decode: no user column), as is or
    JSON-escaped (:func:`~prefloop.curator.ingest.tombstones.names_user`). The database finds the candidates
    (the pseudonym's bytes, or any backslash); each is then checked."""
    needle = user.encode()
    if session.get_bind().dialect.name == "postgresql":
        literal = text("position(CAST(:needle AS bytea) in dead_letters.raw) > 0").bindparams(needle=needle)
        escaped = text("position(CAST('\\x5c' AS bytea) in dead_letters.raw) > 0")
    else:
        literal = text("instr(dead_letters.raw, :needle) > 0").bindparams(needle=needle)
        escaped = text("instr(dead_letters.raw, X'5c') > 0")
    candidates = session.execute(
        select(DeadLetter.id, DeadLetter.raw).where(or_(literal, escaped)).execution_options(yield_per=500)
    )
    ids = [dead_id for dead_id, raw in candidates if names_user(bytes(raw), user)]
    deleted = 0
    for start in range(0, len(ids), 1000):
        deleted += _count(
            session.execute(delete(DeadLetter).where(DeadLetter.id.in_(ids[start : start + 1000])))
        )
    return deleted


def forget_user(store: Store, user: str) -> ErasureResult:
    """Remove ``user``'s data (see the module docstring) in one transaction and record an :class:`Erasure`, the
    tombstone ingest checks from then on."""
    with store.session() as session:
        hold_erasure_lock(session, exclusive=True)  # waits for ingest and pairing in flight
        pair_ids = _pairs_of(session, user)
        slack = _slack_messages(session, pair_ids)
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
        _queue_slack_deletions(session, slack)
        dead_letters = _erase_dead_letters(session, user)
        feedback = _count(session.execute(delete(FeedbackState).where(FeedbackState.user == user)))
        session.execute(delete(UserSignalHistory).where(UserSignalHistory.user == user))
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
        dead_letters=dead_letters,
        slack_deletions=len(slack),
    )
