"""Event ids: UUIDv7 (RFC 9562) made in batches, so no event costs a system call.

An id is ``<48-bit Unix ms>-7<12-bit counter>-<variant + 62 random bits>``. The random parts of ``batch`` ids
come from one ``os.urandom`` read (the kernel's CSPRNG, as ``uuid6.uuid7`` and ``secrets`` use): one system
call per batch instead of one per id. A system call releases the GIL, and a thread that releases it waits
for the busy request threads to hand it back (up to the 5 ms switch interval each time), so per-id reads on
the spool writer made it fall behind under load. The timestamp is read when the id is taken (no stale ids from
an idle pool); the counter orders ids within one millisecond (method 1 of RFC 9562 §6.2), so the ids of one
process sort in the order they were taken. 62 random bits per id keep them unguessable and unique across
processes.

Request threads call :meth:`IdPool.take`; the spool writer tops the pool up between batches
(:meth:`IdPool.top_up`), so a request thread reads the random source itself only when the pool ran dry.
"""

from __future__ import annotations

import collections
import os
import time

__all__ = ["IdPool"]

_time_ns = time.time_ns
_COUNTER_MAX = 0xFFF
_COUNTER_HEX = [f"{c:03x}-" for c in range(_COUNTER_MAX + 1)]  # formatting is most of an id's cost


def _tails(n: int) -> list[str]:
    """``n`` id tails ``"yxxx-xxxxxxxxxxxx"`` (variant bits 10 + 62 random bits) from one random read."""
    raw = os.urandom(8 * n)
    out = []
    for i in range(0, 8 * n, 8):
        bits = (int.from_bytes(raw[i : i + 8], "big") & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        h = f"{bits:016x}"
        out.append(f"{h[:4]}-{h[4:]}")
    return out


class IdPool:
    """UUIDv7 event ids from batched randomness. Thread-safe; ``take`` costs no system call."""

    def __init__(self, batch: int = 1024) -> None:
        self.batch = batch
        self.reads = 0  #: random reads so far (one per batch)
        self._tails: collections.deque[str] = collections.deque()
        self._last = 0  #: ``ms << 12 | counter`` of the last id taken
        self._prefix: tuple[int, str] = (-1, "")  #: ``(ms, "<8 hex>-<4 hex>-7")`` of the last id taken

    def take(self, now_ns: int | None = None) -> str:
        """A fresh event id (request threads). ``now_ns``: the caller's ``time.time_ns()`` reading, when it
        has one already (one clock read for the id, the event's time and its token).

        No lock: a ``threading.Lock`` round trip costs about as much as the rest of this method on the host's
        request path. Uniqueness never depends on it (every id takes its own random tail off the deque, an
        atomic ``popleft``). The ``(ms, counter)`` state is one integer read and stored with no call in between,
        so under CPython's GIL no other thread runs between the two and the ids of one process sort in the
        order taken; the id prefix is cached as a ``(ms, prefix)`` pair, read and replaced whole."""
        try:
            tail = self._tails.popleft()
        except IndexError:
            self.refill()
            return self.take(now_ns)
        stamp = (_time_ns() if now_ns is None else now_ns) // 1_000_000 << 12
        last = self._last + 1  # the same millisecond (or the clock stepped back): count on; a full counter
        if last < stamp:  # carries into the next millisecond
            last = stamp
        self._last = last
        ms = last >> 12
        cached = self._prefix
        if cached[0] != ms:
            cached = (ms, "%08x-%04x-7" % (ms >> 16, ms & 0xFFFF))  # noqa: UP031 (cheaper than format specs)
            self._prefix = cached
        return f"{cached[1]}{_COUNTER_HEX[last & _COUNTER_MAX]}{tail}"  # (one string made, not two)

    def refill(self) -> None:
        """Add one batch of random tails (one ``os.urandom`` read)."""
        self._tails.extend(_tails(self.batch))
        self.reads += 1

    def top_up(self) -> None:
        """Refill when the pool is under half a batch (the writer thread, between batches)."""
        if len(self._tails) < self.batch // 2:
            self.refill()

    def clear(self) -> None:
        self._tails.clear()
