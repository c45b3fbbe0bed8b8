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
from collections.abc import Callable, Iterator, Mapping, Sequence

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
    raised by the lookup that waits for it."""

    def __init__(
        self,
        keys: Sequence[str],
        texts: Sequence[str],
        edges: np.ndarray,
        embed: Embed,
        threshold: float,
        swap_threshold: float | None = None,
    ) -> None:
        self._keys, self._texts, self._embed, self._threshold = keys, texts, embed, threshold
        self._swap_threshold = swap_threshold
        self._words: dict[int, frozenset[str]] = {}
        order = np.lexsort((edges[:, 0], edges[:, 1])) if len(edges) else np.empty(0, np.int64)
        self._edges = edges[order].astype(np.int64)
        #: later prompt's key -> its position (only prompts that end a candidate pair are ever waited for)
        self._later = {keys[b]: b for b in unique(self._edges[:, 1]).tolist()}
        self._heads: dict[str, str] = {}
        self._ready = -1  # every pair whose later prompt is at or before this position is decided
        self._error: BaseException | None = None
        self._stop = False
        self._cond = threading.Condition()
        #: prompts the encoder embedded
        self.encoded = 0
        #: candidate pairs left undecided because their earlier prompt already paraphrases an earlier one
        self.skipped = 0
        #: seconds lookups spent waiting for the thread
        self.waited = 0.0
        self._thread = threading.Thread(target=self._run, name="paraphrase-encoder", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._decide_all()
        except BaseException as exc:  # handed to the waiting lookup
            with self._cond:
                self._error = exc
                self._cond.notify_all()

    def _decide_all(self) -> None:
        edges = self._edges
        row = np.full(len(self._keys), -1, np.int64)  # position -> row of ``vectors``
        vectors = np.empty((0, 0), np.float32)  # rows [0, filled) hold vectors; sized at the first step
        filled = 0
        headed: set[int] = set()
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
            new = new[row[new] < 0]
            if len(new):
                fresh = self._embed([self._texts[i] for i in new.tolist()])
                if vectors.size == 0:  # room for every prompt of a pair (pages are touched only when filled)
                    vectors = np.empty((len(unique(edges)), fresh.shape[1]), np.float32)
                row[new] = np.arange(filled, filled + len(new))
                vectors[filled : filled + len(new)] = fresh
                filled += len(new)
                self.encoded += len(new)
            cos = (vectors[row[step[:, 0]]] * vectors[row[step[:, 1]]]).sum(axis=1)
            found: dict[str, str] = {}
            for a, b in self._paraphrases(step, cos).tolist():  # by later prompt, then earlier
                if b not in headed and a not in headed:
                    headed.add(b)
                    found[self._keys[b]] = self._keys[a]
            self._publish(found, int(edges[end - 1, 1]))
            start = end
        with self._cond:
            self._ready = len(self._keys)
            self._cond.notify_all()

    def _publish(self, found: dict[str, str], ready: int) -> None:
        with self._cond:
            self._heads.update(found)
            self._ready = ready
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

    def _wait(self, position: int) -> None:
        with self._cond:
            if self._ready >= position and self._error is None:
                return
            t0 = time.perf_counter()
            while self._ready < position and self._error is None:
                self._cond.wait()
            self.waited += time.perf_counter() - t0
            if self._error is not None:
                raise self._error

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        """``d[key]``, or ``default`` when ``key`` paraphrases none (most keys: answered without an exception)."""
        position = self._later.get(key)
        if position is None:
            return default
        self._wait(position)
        return self._heads.get(key, default)

    def __getitem__(self, key: str) -> str:
        position = self._later.get(key)
        if position is None:
            raise KeyError(key)
        self._wait(position)
        return self._heads[key]

    def result(self) -> dict[str, str]:
        """Every decision (waits for the thread)."""
        self._wait(len(self._keys))
        return dict(self._heads)

    def __iter__(self) -> Iterator[str]:
        return iter(self.result())

    def __len__(self) -> int:
        return len(self.result())

    def close(self, wait: bool = False) -> None:
        """Stop the thread early (the build failed or is done); with ``wait``, until it has stopped (it
        finishes the step it is in)."""
        self._stop = True
        if wait:
            self._thread.join()
