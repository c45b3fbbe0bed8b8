"""The pairs a release takes, streamed in build order (prompt group, then pair id) with a server-side cursor,
fetched by a background thread so the database prepares the next partition while the last one is written."""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from prefloop.curator.releases import messages as msg
from prefloop.curator.releases.rows import projection
from prefloop.curator.releases.selection import pair_filter
from prefloop.curator.store import Store
from prefloop.curator.store.models import Pair

__all__ = ["PairStream", "stream_pairs"]


_DONE = object()


def _fetch_partitions(store: Store, query: Any, out: queue.Queue[Any], stop: threading.Event) -> None:
    """Run in a thread: fetch the rows in partitions and hand them over, so the database works on the next
    partition while the caller writes the last one. The thread owns its connection."""
    try:
        with store.engine.connect() as conn:  # Core rows: no ORM loading step per row
            result = conn.execute(query.execution_options(yield_per=5000, stream_results=True))
            for partition in result.partitions():
                while not stop.is_set():
                    try:
                        out.put(partition, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
    except BaseException as exc:  # handed to the consumer, which re-raises it
        out.put(exc)
    finally:
        out.put(_DONE)


def _count_for_bar(store: Store, count: Any, bar: Any) -> None:
    """Run in a thread: give the progress bar its total once the database has counted the pairs (the bar shows
    a plain count until then; a failed count leaves it so)."""
    with contextlib.suppress(Exception), store.sessions() as session:
        bar.total = session.scalar(count) or 0
        bar.refresh()


class PairStream:
    """The pairs the month's release takes (:func:`pair_filter`), projected (see :func:`projection`), ordered by
    prompt group then pair id. The query starts when the stream is made, so the database scans and sorts the
    month while the build does other work (the paraphrase candidates); iterate it once, and :meth:`close` it
    (also when it was never iterated: the fetching thread holds a connection)."""

    def __init__(
        self, store: Store, month: str, progress: bool, spans: list[tuple[datetime, datetime]]
    ) -> None:
        from tqdm import tqdm

        where = pair_filter(month, spans)
        query = select(*projection(Pair.__table__)).where(*where).order_by(Pair.group_key, Pair.pair_id)
        self._handoff: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self._fetcher = threading.Thread(
            target=_fetch_partitions,
            args=(store, query, self._handoff, self._stop),
            name="release-fetch",
            daemon=True,
        )
        self._bar = tqdm(
            total=None,
            desc=msg.PROGRESS_PAIRS.format(month=month),
            unit="pair",
            file=sys.stderr,
            disable=not progress,
            mininterval=1.0,
        )
        self._fetcher.start()
        self._counter: threading.Thread | None = None
        if progress:  # the count is a scan of its own, only for the bar: beside the query, not before it
            self._counter = threading.Thread(
                target=_count_for_bar,
                args=(store, select(func.count()).select_from(Pair).where(*where), self._bar),
                name="release-count",
                daemon=True,
            )
            self._counter.start()

    def partitions(self) -> Iterator[list[Any]]:
        """The rows in the order of the stream, as the fetched partitions (lists of up to 5,000 rows)."""
        try:
            while (item := self._handoff.get()) is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                yield item
                self._bar.update(len(item))
        finally:
            self.close()

    def __iter__(self) -> Iterator[Any]:
        for partition in self.partitions():
            yield from partition

    def close(self) -> None:
        """Stop fetching and let the thread close its connection."""
        self._stop.set()
        while self._fetcher.is_alive():  # drain so a blocked put returns
            with contextlib.suppress(queue.Empty):
                self._handoff.get(timeout=0.1)
        self._fetcher.join()
        if self._counter is not None:
            self._counter.join()
        self._bar.close()


def stream_pairs(
    store: Store, month: str, progress: bool, spans: list[tuple[datetime, datetime]]
) -> PairStream:
    """The month's pairs in build order (see :class:`PairStream`); the query starts now."""
    return PairStream(store, month, progress, spans)
