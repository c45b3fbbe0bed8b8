"""Event ids: UUIDv7 from ``uuid6.uuid7()``, generated a few at a time off the request thread.

``uuid6.uuid7()`` reads ``os.urandom``, a system call that releases the GIL: on a request thread that is a
point where a background thread can take the interpreter and the request waits for the OS to schedule it
back. The spool writer thread therefore keeps a small pool topped up; a request takes the next id (a
``deque.popleft``) and only generates one itself when the pool is empty. Ids are handed out in generation
order, so they stay sortable by creation time within a process; an id's timestamp may precede the event's
``occurred_at`` by the writer's refill period (milliseconds).
"""

from __future__ import annotations

import collections

import uuid6

__all__ = ["IdPool"]


class IdPool:
    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._ids: collections.deque[str] = collections.deque()

    def take(self) -> str:
        """The next event id (request threads)."""
        try:
            return self._ids.popleft()
        except IndexError:
            return str(uuid6.uuid7())

    def refill(self) -> None:
        """Top the pool up (the writer thread, between batches)."""
        ids = self._ids
        while len(ids) < self.size:
            ids.append(str(uuid6.uuid7()))

    def clear(self) -> None:
        self._ids.clear()
