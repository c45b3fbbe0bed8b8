"""The encoder stage of paraphrase detection, run beside the release's ordered pass.

:meth:`ParaphraseIndex.decide` finds the candidate pairs (MinHash, cheap) before the pass starts; the encoder
(a transformer pass per prompt: the slow part) then decides them in a background thread, in the order the pass
reads the prompts (group-key order), while the pass streams and writes. Looking a prompt up waits only until
the thread has decided every candidate pair that ends at that prompt, so the encoder's time hides behind the
pass's database reads and file writes instead of adding to them; on a quiet machine the pass never waits.

A prompt's head is the earliest prompt it paraphrases that paraphrases nothing before it itself, exactly as if
every pair were decided at once: pairs are decided by their later prompt, in order.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from prefloop.curator.releases.paraphrase_contrast import content_words, swapped

__all__ = ["Decisions", "unique"]

#: texts -> one unit vector per text (the sentence encoder's ``encode``)
Embed = Callable[[Sequence[str]], np.ndarray]
#: Candidate pairs decided per step (the step's new prompts are embedded in one call).
STEP = 512


def unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` (the sorted distinct values, flattened), by a sort and a comparison of neighbours:
    the same array, ~50x faster than ``np.unique`` of this numpy on the build's millions of candidate codes."""
    ordered = np.sort(values, axis=None)
    if len(ordered) < 2:
        return ordered
    first = np.empty(len(ordered), bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


class Decisions(Mapping[str, str]):
    """Later prompt's key -> the key of the earlier prompt it paraphrases, filled in by a background thread.

    ``edges`` are (earlier, later) positions into ``keys``/``texts``; a pair is a paraphrase at cosine >=
    ``threshold``, and at cosine >= ``swap_threshold`` when each side has a content word the other lacks
    (:mod:`paraphrase_contrast`; None: no such check). ``d[key]`` blocks until ``key``'s pairs are decided
    (KeyError when it paraphrases none); iterating or ``len`` waits for all of them. An error in the thread is
    raised by the lookup that waits for it.

    With ``source``, the candidates come as they are found: ``source(self)`` runs in a thread of its own, appends
    to ``keys``/``texts`` and hands each batch's pairs to :meth:`feed`; ``edges`` is then ignored. A lookup of a
    key the source has not read yet waits until it has read it, or passed it: with ``byte_order`` (set by the
    source, see :meth:`set_byte_order`) a key at or before the last key read in Python's order has been passed,
    else only the end of the source passes a key it never reads."""

    def __init__(
        self,
        keys: Sequence[str],
        texts: Sequence[str],
        edges: np.ndarray,
        embed: Embed,
        threshold: float,
        swap_threshold: float | None = None,
        source: Callable[[Decisions], None] | None = None,
    ) -> None:
        self._keys, self._texts, self._embed, self._threshold = keys, texts, embed, threshold
        self._swap_threshold = swap_threshold
        self._words: dict[int, frozenset[str]] = {}
        #: later prompt's key -> its position (only prompts that end a candidate pair are ever waited for)
        self._later: dict[str, int] = {}
        #: keys the source has read (their pairs, if any, are in ``_later``): the anchors, and the month's keys
        #: unless ``_byte_order`` (then they are those at or before ``_last``, the last of them)
        self._read: set[str] = set()
        self._last: str | None = None
        self._byte_order = False
        self._found_all = False  # every pair has been handed over
        self._batches: deque[tuple[np.ndarray, int]] = deque()
        self._heads: dict[str, str] = {}
        self._ready = -1  # every pair whose later prompt is at or before this position is decided
        self._done = False
        self._error: BaseException | None = None
        self._stop = False
        self._cond = threading.Condition()
        #: prompts the encoder embedded
        self.encoded = 0
        #: candidate pairs left undecided because their earlier prompt already paraphrases an earlier one
        self.skipped = 0
        #: seconds lookups spent waiting (for the encoder's thread, or for the source to read the key)
        self.waited = 0.0
        #: of ``waited``, the seconds spent waiting for the source to read or pass the key
        self.waited_for_candidates = 0.0
        self._source: threading.Thread | None = None
        if source is None:
            self.feed(edges, len(keys) - 1)
            self.finish()
        else:
            self._source = threading.Thread(
                target=self._find, args=(source,), name="paraphrase-candidates", daemon=True
            )
            self._source.start()
        self._thread = threading.Thread(target=self._run, name="paraphrase-encoder", daemon=True)
        self._thread.start()

    # --- the source's side ---------------------------------------------------------------------------------
    def feed(self, edges: np.ndarray, upto: int, read: Iterable[str] = (), last: str | None = None) -> None:
        """Hand over candidate pairs: ``edges`` are every pair whose later prompt is at a position after the last
        feed's ``upto`` and at or before this ``upto``; ``read``, the keys read since the last feed (an anchor
        or a month's prompt: their pairs are known now); ``last``, the month's last key read so far."""
        order = np.lexsort((edges[:, 0], edges[:, 1])) if len(edges) else np.empty(0, np.int64)
        edges = edges[order].astype(np.int64).reshape(-1, 2)
        later = {self._keys[b]: b for b in unique(edges[:, 1]).tolist()}
        with self._cond:
            self._later.update(later)
            if last is None or not self._byte_order:  # else the month's keys read are those <= last
                self._read.update(read)
            if last is not None:
                self._last = last
            self._batches.append((edges, upto))
            self._cond.notify_all()

    def finish(self) -> None:
        """Every pair has been handed over."""
        with self._cond:
            self._found_all = True
            self._cond.notify_all()

    def set_byte_order(self, byte_order: bool) -> None:
        """Whether the source reads keys in Python's string order (the database's collation is byte order)."""
        with self._cond:
            self._byte_order = byte_order
            self._cond.notify_all()

    @property
    def stopped(self) -> bool:
        """:meth:`close` was called: the source should stop reading."""
        return self._stop

    def _find(self, source: Callable[[Decisions], None]) -> None:
        try:
            source(self)
        except BaseException as exc:  # handed to the waiting lookup
            self._fail(exc)
        finally:
            self.finish()

    def _fail(self, exc: BaseException) -> None:
        with self._cond:
            if self._error is None:
                self._error = exc
            self._cond.notify_all()

    # --- the encoder's thread ------------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._decide_all()
        except BaseException as exc:  # handed to the waiting lookup
            self._fail(exc)

    def _decide_all(self) -> None:
        state = _State()
        while True:
            with self._cond:
                while not self._batches and not self._found_all and not self._stop:
                    self._cond.wait()
                if self._stop or not self._batches:
                    break
                edges, upto = self._batches.popleft()
            self._decide(edges, state)
            self._publish({}, upto)
        with self._cond:
            self._ready = len(self._keys)
            self._done = True
            self._cond.notify_all()

    def _decide(self, edges: np.ndarray, state: _State) -> None:
        """Decide ``edges`` (sorted by later prompt, then earlier), a step at a time."""
        headed = state.headed
        start = 0
        while start < len(edges) and not self._stop:
            end = min(start + STEP, len(edges))
            while end < len(edges) and edges[end, 1] == edges[end - 1, 1]:
                end += 1  # a prompt's pairs are decided together
            step = edges[start:end]
            if headed:  # a pair whose earlier prompt already paraphrases an earlier one decides nothing
                step = step[np.fromiter((a not in headed for a in step[:, 0].tolist()), bool, len(step))]
                self.skipped += end - start - len(step)
                if not len(step):
                    self._publish({}, int(edges[end - 1, 1]))
                    start = end
                    continue
            new = unique(step)
            state.room(len(self._keys))
            new = new[state.row[new] < 0]
            if len(new):
                state.add(new, self._embed([self._texts[i] for i in new.tolist()]))
                self.encoded += len(new)
            vectors, row = state.vectors, state.row
            cos = (vectors[row[step[:, 0]]] * vectors[row[step[:, 1]]]).sum(axis=1)
            found: dict[str, str] = {}
            for a, b in self._paraphrases(step, cos).tolist():  # by later prompt, then earlier
                if b not in headed and a not in headed:
                    headed.add(b)
                    found[self._keys[b]] = self._keys[a]
            self._publish(found, int(edges[end - 1, 1]))
            start = end

    def _publish(self, found: dict[str, str], ready: int) -> None:
        with self._cond:
            self._heads.update(found)
            self._ready = max(self._ready, ready)
            self._cond.notify_all()

    def _paraphrases(self, step: np.ndarray, cos: np.ndarray) -> np.ndarray:
        """The pairs of ``step`` that are paraphrases, in order."""
        near = cos >= self._threshold
        if self._swap_threshold is not None:
            near &= (cos >= self._swap_threshold) | np.fromiter(
                (
                    not near[k] or not swapped(self._content(a), self._content(b))
                    for k, (a, b) in enumerate(step.tolist())
                ),
                bool,
                len(step),
            )
        return step[near]

    def _content(self, position: int) -> frozenset[str]:
        words = self._words.get(position)
        if words is None:
            words = self._words[position] = content_words(self._texts[position])
        return words

    # --- lookups -------------------------------------------------------------------------------------------
    def _passed(self, key: str) -> bool:
        """The source has read ``key`` or gone past it (call with the condition held)."""
        if self._found_all or key in self._read:
            return True
        return self._byte_order and self._last is not None and key <= self._last

    def _position(self, key: str) -> int | None:
        """``key``'s position once its pairs are decided; None when it ends no candidate pair."""
        with self._cond:
            t0 = None
            position = None
            while True:
                if self._error is not None:  # also when the answer is known: the build must not go on
                    raise self._error
                position = self._later.get(key)
                if position is None and self._passed(key):
                    break
                if position is not None and self._ready >= position:
                    break
                if t0 is None:
                    t0 = time.perf_counter()
                self._cond.wait()
            if t0 is not None:
                waited = time.perf_counter() - t0
                self.waited += waited
                if position is None:
                    self.waited_for_candidates += waited
            return position

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        """``d[key]``, or ``default`` when ``key`` paraphrases none (most keys: answered without an exception)."""
        if self._position(key) is None:
            return default
        return self._heads.get(key, default)

    def __getitem__(self, key: str) -> str:
        if self._position(key) is None:
            raise KeyError(key)
        return self._heads[key]

    def result(self) -> dict[str, str]:
        """Every decision (waits for the threads)."""
        with self._cond:
            t0 = time.perf_counter()
            while not self._done and self._error is None:
                self._cond.wait()
            self.waited += time.perf_counter() - t0
            if self._error is not None:
                raise self._error
            return dict(self._heads)

    def __iter__(self) -> Iterator[str]:
        return iter(self.result())

    def __len__(self) -> int:
        return len(self.result())

    def close(self, wait: bool = False) -> None:
        """Stop the threads early (the build failed or is done); with ``wait``, until they have stopped (the
        encoder's finishes the step it is in, the source the batch it is in)."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if wait:
            if self._source is not None:
                self._source.join()
            self._thread.join()


class _State:
    """The encoder thread's vectors: position -> row of ``vectors`` (-1: not embedded yet), both grown as
    positions and embedded prompts come."""

    def __init__(self) -> None:
        self.row = np.full(0, -1, np.int64)
        self.vectors = np.empty((0, 0), np.float32)
        self.filled = 0
        self.headed: set[int] = set()

    def room(self, positions: int) -> None:
        if len(self.row) < positions:
            grown = np.full(max(positions, 2 * len(self.row)), -1, np.int64)
            grown[: len(self.row)] = self.row
            self.row = grown

    def add(self, positions: np.ndarray, fresh: np.ndarray) -> None:
        need = self.filled + len(positions)
        if len(self.vectors) < need:  # pages are touched only when filled
            grown = np.empty((max(need, 2 * len(self.vectors)), fresh.shape[1]), np.float32)
            if self.filled:
                grown[: self.filled] = self.vectors[: self.filled]
            self.vectors = grown
        self.row[positions] = np.arange(self.filled, need)
        self.vectors[self.filled : need] = fresh
        self.filled = need
