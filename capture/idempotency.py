"""Remembers recent idempotency keys so a retried click is acknowledged but not emitted twice.

Per process and in memory: a retry that lands on another worker process is emitted again, carrying the same
``idempotency_key``, and the curator drops the repeat. Keys are scoped per user.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

__all__ = ["IdempotencyCache"]

T = TypeVar("T")


class _Entry:
    __slots__ = ("done", "expires", "ok", "result")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.ok = False
        self.result: object = None
        self.expires = 0.0


class IdempotencyCache:
    """``run(key, fn)`` calls ``fn`` once per key within ``ttl`` s; a repeat returns ``(first result, True)``.

    A repeat that arrives while the first call is still running waits for it (up to ``wait`` s); if the first
    call failed, the repeat runs ``fn`` itself — only an accepted event is remembered.
    """

    def __init__(self, ttl: float, max_keys: int = 100_000) -> None:
        self.ttl = ttl
        self.max_keys = max_keys
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def run(self, user: str, key: str | None, fn: Callable[[], T], wait: float = 5.0) -> tuple[T, bool]:
        if not key or self.ttl <= 0:
            return fn(), False
        slot = (user, key)
        for _ in range(2):
            now = time.monotonic()
            with self._lock:
                entry = self._entries.get(slot)
                if entry is not None and entry.done.is_set() and (not entry.ok or entry.expires < now):
                    del self._entries[slot]
                    entry = None
                if entry is None:
                    mine = _Entry()
                    self._entries[slot] = mine
                    while len(self._entries) > self.max_keys:
                        self._entries.popitem(last=False)
                    break
            entry.done.wait(wait)
            if entry.ok:
                return entry.result, True  # type: ignore[return-value]
        else:
            return fn(), False
        try:
            result = fn()
        except BaseException:
            with self._lock:
                if self._entries.get(slot) is mine:
                    del self._entries[slot]
            mine.done.set()
            raise
        mine.result, mine.ok, mine.expires = result, True, time.monotonic() + self.ttl
        mine.done.set()
        return result, False
