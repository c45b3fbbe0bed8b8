"""Three overlapping stages for a consumer: the caller reads and validates batch N+1 while a writer thread stores
batch N and a pairing thread pairs the prompt groups earlier batches touched.

Plain threads and callables (no Kafka here): the Kafka source hands each batch in with an opaque ``token`` (its
offsets) and gets it back through ``landed`` once the batch's transaction committed, in submission order. At
most one batch is in the writer at a time, so a source that commits its position in ``landed`` commits in
order, and never past a batch whose transaction failed (the writer's error is re-raised in the caller's thread).

Pairing runs on its own connection, one job at a time, on every group stored since the previous job. It is safe
beside the writer for the same reason several consumers are: pairing locks the groups it pairs with
``FOR UPDATE SKIP LOCKED``, and a group locked by the writer's open transaction is one that transaction touched,
so it is paired again after that batch lands. Groups stay ``dirty`` in the store until paired.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

__all__ = ["BatchStages"]


class BatchStages:
    """``write(*args)`` returns a result with ``.write.touched_groups``; ``pair(keys)`` pairs those groups.

    ``landed(result, token)`` runs in the caller's thread once a batch is stored; ``paired(result)`` once a
    pairing job is done. A pairing job starts when the pairing thread is free and there are groups to pair,
    and either ``pair_interval_s`` passed since the last one started or the caller says the source is idle.
    """

    def __init__(
        self,
        write: Callable[..., Any],
        pair: Callable[[list[str]], Any],
        *,
        landed: Callable[[Any, Any], None],
        paired: Callable[[Any], None],
        pair_interval_s: float = 0.0,
    ) -> None:
        self._write = write
        self._pair = pair
        self._landed = landed
        self._paired = paired
        self.pair_interval_s = pair_interval_s
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefloop-writer")
        self._pairer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefloop-pairer")
        self._batch: tuple[Future[Any], Any] | None = None
        self._pairing: Future[Any] | None = None
        self._pending: set[str] = set()
        self._last_pairing = time.monotonic()

    @property
    def busy(self) -> bool:
        """A batch is being stored or groups are being paired."""
        return self._batch is not None or self._pairing is not None

    @property
    def pending(self) -> int:
        """Groups stored but not yet handed to pairing."""
        return len(self._pending)

    def submit(self, *args: Any, token: Any = None) -> None:
        """Store a batch: first waits for the previous one to land (its ``landed`` runs), then hands this one to
        the writer thread and returns."""
        self._land_batch(wait=True)
        self._batch = (self._writer.submit(self._write, *args), token)

    def tick(self, *, idle: bool = False) -> None:
        """Land whatever finished (without waiting) and start pairing if it is due."""
        self._land_batch(wait=False)
        self._land_pairing(wait=False)
        self._maybe_pair(force=idle)

    def drain(self) -> None:
        """Wait until every submitted batch is stored and every group it touched is paired."""
        self._land_batch(wait=True)
        self._land_pairing(wait=True)
        while self._pending:
            self._maybe_pair(force=True)
            self._land_pairing(wait=True)

    def close(self) -> None:
        """Stop the threads: a job that is running finishes, nothing queued starts, nothing more lands."""
        self._writer.shutdown(wait=True, cancel_futures=True)
        self._pairer.shutdown(wait=True, cancel_futures=True)

    def _land_batch(self, *, wait: bool) -> None:
        if self._batch is None or not (wait or self._batch[0].done()):
            return
        future, token = self._batch
        self._batch = None
        result = future.result()  # re-raises the writer's error: the caller commits nothing for this batch
        self._pending |= result.write.touched_groups
        self._landed(result, token)

    def _land_pairing(self, *, wait: bool) -> None:
        if self._pairing is None or not (wait or self._pairing.done()):
            return
        future, self._pairing = self._pairing, None
        self._paired(future.result())

    def _maybe_pair(self, *, force: bool) -> None:
        if self._pairing is not None or not self._pending:
            return
        now = time.monotonic()
        if not force and now - self._last_pairing < self.pair_interval_s:
            return
        keys, self._pending = sorted(self._pending), set()
        self._last_pairing = now
        self._pairing = self._pairer.submit(self._pair, keys)
