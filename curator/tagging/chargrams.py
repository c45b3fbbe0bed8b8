"""Hashed character n-grams of many texts at once: what the injection reader reads (numpy only).

Each text is lower-cased, its first :data:`MAX_CHARS` characters split on white space, and every word padded with
one space on each side (" ignore "); the n-grams (:data:`NS`: 2 to 5 characters) are taken inside each padded word,
never across two, so a word's start and end are visible (" ig", "re ") and the count of n-grams grows with the
text's words, not with its layout. Counts are damped (1 + log count), and each text's vector is scaled to unit
length, so a long template and a short question are compared by what they say, not by how long they are.

Hashing is a polynomial over the code points, computed with numpy for a whole batch of texts in one pass, so the
same text gives the same buckets in every process and on every machine; :data:`DIM` buckets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["DIM", "MAX_CHARS", "NS", "Grams", "char_grams"]

#: Hash buckets (2^18): weights of one label in float16 take 0.5 MB.
DIM = 1 << 18
#: Characters of a text that are read (injection templates say what they are early; the rest costs time only).
MAX_CHARS = 3000
NS = (2, 3, 4, 5)
_BITS = 18
_MULT = np.uint64(0x9E3779B97F4A7C15)
_BASE = np.uint64(1_000_003)


@dataclass(frozen=True)
class Grams:
    """Sparse rows, one per text (CSR): bucket ``indices`` and ``values`` of row ``i`` are ``indptr[i]:indptr[i+1]``."""

    indptr: np.ndarray  # int64, len = rows + 1
    indices: np.ndarray  # int64 bucket ids, sorted within a row
    values: np.ndarray  # float32, each row of unit length (or empty)

    @property
    def rows(self) -> int:
        return len(self.indptr) - 1

    def row_of(self) -> np.ndarray:
        """The row of every stored value."""
        return np.repeat(np.arange(self.rows, dtype=np.int64), np.diff(self.indptr))

    def take(self, rows: Sequence[int] | np.ndarray) -> Grams:
        """The given rows, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        lengths = ends - starts
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        # position of every taken value in the source arrays
        pos = np.arange(indptr[-1], dtype=np.int64) - np.repeat(indptr[:-1] - starts, lengths)
        return Grams(indptr, self.indices[pos], self.values[pos])


def _padded_words(text: str) -> list[str]:
    return [f" {w} " for w in text[:MAX_CHARS].lower().split()]


def char_grams(texts: Sequence[str]) -> Grams:
    """The damped, unit-length character n-gram vectors of ``texts`` (one row each, in order)."""
    words_of = [_padded_words(t) for t in texts]
    words = [w for ws in words_of for w in ws]
    n_texts = len(texts)
    if not words:
        return Grams(np.zeros(n_texts + 1, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))
    codes = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    word_len = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
    word_doc = np.repeat(np.arange(n_texts, dtype=np.int64), [len(ws) for ws in words_of])
    char_word = np.repeat(np.arange(len(words), dtype=np.int64), word_len)
    keys = []
    for n in NS:
        if len(codes) < n:
            continue
        start = np.arange(len(codes) - n + 1)
        inside = char_word[start] == char_word[start + n - 1]  # the n-gram does not cross into the next word
        start = start[inside]
        h = np.full(len(start), np.uint64(n), dtype=np.uint64)
        for j in range(n):
            h = h * _BASE + codes[start + j]
        bucket = ((h ^ np.uint64(0xC3A5C85C97CB3127)) * _MULT >> np.uint64(64 - _BITS)).astype(np.int64)
        keys.append(word_doc[char_word[start]] * DIM + bucket)
    uniq, counts = np.unique(np.concatenate(keys), return_counts=True)
    doc = uniq // DIM
    values = 1.0 + np.log(counts.astype(np.float64))
    norms = np.sqrt(np.bincount(doc, weights=values * values, minlength=n_texts))
    values = values / norms[doc]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(doc, minlength=n_texts))]).astype(np.int64)
    return Grams(indptr, (uniq % DIM).astype(np.int64), values.astype(np.float32))
