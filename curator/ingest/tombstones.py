"""Erasure lasts: a tombstone of every forgotten pseudonym (the ``erasures`` rows ``prefloop forget`` writes) is
checked at ingest, forever. Whatever brings a forgotten user's events back (a replay from offset 0 with a new
consumer group, an at-least-once resend, a spool drained late) is dropped before it is stored, with the dead
letters that name the user.

On PostgreSQL every ingest and pairing transaction holds a shared advisory lock and ``forget`` takes it
exclusively: a batch or pairing job in flight when the user is forgotten finishes first (and its rows are then
erased), and every later one sees the tombstone. SQLite serializes writers anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prefloop.curator.ingest.decode import DeadLetterItem, Decoded
from prefloop.curator.ingest.sanitize import storable_text
from prefloop.curator.store.bulk import batches, in_values, is_pg
from prefloop.curator.store.models import Erasure

__all__ = ["ERASURE_LOCK", "drop_forgotten", "forgotten_users", "hold_erasure_lock", "names_user"]

#: Transaction-level advisory lock key ("prefloop erasure").
ERASURE_LOCK = 0x70666C_657273
#: The ``user`` field as a dead letter's raw bytes may carry it, JSON escapes included (the record did not decode,
#: so this is read from the bytes: ``"user": "al\u0069ce"`` is the user ``alice``).
_USER_FIELD = re.compile(rb'"user"\s*:\s*"((?:[^"\\\x00-\x1f]|\\.){1,512})"')
#: One JSON string escape: ``\uXXXX`` or a one-character escape.
_ESCAPE = re.compile(r'\\(u[0-9a-fA-F]{4}|["\\/bfnrt])')
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def hold_erasure_lock(session: Session, *, exclusive: bool) -> None:
    """Take the erasure lock for the rest of ``session``'s transaction (PostgreSQL; no-op on SQLite)."""
    if is_pg(session):
        lock = func.pg_advisory_xact_lock if exclusive else func.pg_advisory_xact_lock_shared
        session.execute(select(lock(ERASURE_LOCK)))


def forgotten_users(session: Session, users: Iterable[str]) -> set[str]:
    """The pseudonyms among ``users`` that have a tombstone. Each is looked up as the store keeps it (NUL and
    lone surrogates as U+FFFD: PostgreSQL's text refuses NUL), so a hostile pseudonym neither stops the query nor
    escapes the tombstone of its stored form."""
    as_stored: dict[str, set[str]] = {}
    for user in set(users):
        as_stored.setdefault(storable_text(user), set()).add(user)
    gone: set[str] = set()
    for part in batches(session, sorted(as_stored)):
        for stored in session.scalars(select(Erasure.user).where(in_values(session, Erasure.user, part))):
            gone.update(as_stored.get(stored, ()))
    return gone


def _unescape(text: str) -> str:
    """``text`` with every JSON string escape replaced by its character (surrogate pairs joined, a lone surrogate
    becomes U+FFFD): how a JSON reader would see the strings in a record that is not valid JSON as a whole."""

    def one(match: re.Match[str]) -> str:
        esc = match.group(1)
        return chr(int(esc[1:], 16)) if esc[0] == "u" else _SIMPLE_ESCAPES[esc]

    return _ESCAPE.sub(one, text).encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def names_user(raw: bytes, user: str) -> bool:
    r"""Whether a dead letter's raw bytes name ``user``: as is, or in any JSON-escaped spelling
    (``al\u0069ce``, ``a\/b``), as a JSON reader of those bytes would see it."""
    if user.encode("utf-8", "surrogatepass") in raw:
        return True
    return b"\\" in raw and user in _unescape(raw.decode("utf-8", "replace"))


def _dead_user(item: DeadLetterItem) -> str | None:
    match = _USER_FIELD.search(item.record.value)
    if match is None:
        return None
    user = _unescape(match.group(1).decode("utf-8", "replace"))
    return user if 0 < len(user) <= 128 else None


def drop_forgotten(
    session: Session, decoded: Sequence[Decoded], dead: Sequence[DeadLetterItem]
) -> tuple[list[Decoded], list[DeadLetterItem], int]:
    """Hold the erasure lock (shared) and drop the events, and dead letters, of forgotten users. Returns what
    is kept and how many records were dropped."""
    hold_erasure_lock(session, exclusive=False)
    dead_users = [_dead_user(d) for d in dead]
    users = {d.event.user for d in decoded} | {u for u in dead_users if u}
    gone = forgotten_users(session, users) if users else set()
    if not gone:
        return list(decoded), list(dead), 0
    kept = [d for d in decoded if d.event.user not in gone]
    kept_dead = [d for d, u in zip(dead, dead_users, strict=True) if u not in gone]
    return kept, kept_dead, len(decoded) - len(kept) + len(dead) - len(kept_dead)
