"""Paraphrase-level duplicate prompts: MinHash LSH finds candidates, the sentence encoder decides.

Exact and near-duplicate prompts (same words after normalization) are caught by their fingerprint; this catches
prompts that say the same in other words ("how do I reverse a list in python" / "what's the way to reverse a
python list?"). Two stages, so that the encoder (slow: a transformer pass per prompt) reads only prompts that
share words with another one:

1. Each prompt (its non-system messages, normalized as the fingerprint normalizes them) becomes a set of word
   unigrams and bigrams and a 64-value MinHash signature; 32 bands of 2 values find pairs without comparing
   every pair; a pair is a candidate when the signatures agree on at least :data:`CANDIDATE_THRESHOLD` of
   their values (estimated Jaccard similarity). This stage is tuned for recall.
2. The tagger's sentence encoder (all-MiniLM-L6-v2, from its pinned package) embeds the prompts that are in a
   candidate pair; a candidate is a paraphrase when the cosine similarity is at least :data:`THRESHOLD`.
   Word overlap alone calls "How can I kill a Python process?" and "How can I kill a person?" the same; the
   encoder does not. In a release build only pairs of prompts that would land in different splits (or one in
   the frozen evaluation set) are decided, and they are decided in a background thread while the build
   streams (:mod:`prefloop.curator.releases.paraphrase_decisions`).

Both thresholds were chosen on the development set only (``python -m benchmarks.paraphrase``, which prints
the choice and the frozen evaluation set's figures; docs/perf/paraphrase.md). Everything is deterministic
(fixed seeds, crc32 word hashes, one model), so the same store state gives the same decisions.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np

from prefloop.curator.releases.paraphrase_contrast import (
    SWAP_CANDIDATE_THRESHOLD,
    SWAP_THRESHOLD,
    content_words,
    swapped,
)
from prefloop.curator.releases.paraphrase_decisions import Decisions, Embed, unique
from prefloop.curator.releases.rows import normalized_text

__all__ = [
    "BANDS",
    "CANDIDATE_THRESHOLD",
    "NUM_PERM",
    "THRESHOLD",
    "Decisions",
    "Embed",
    "ParaphraseIndex",
    "band_keys",
    "candidates",
    "encoder_embed",
    "encoder_id",
    "kept_pairs",
    "prompt_text",
    "prompt_words",
    "signatures",
    "similarity",
    "without_far_swaps",
]

NUM_PERM = 64
#: 32 bands of 2 values: prompts whose word sets overlap by a third share a band with probability ~0.98, so
#: the candidate stage misses few rewordings (the encoder decides, not the overlap).
BANDS = 32
_ROWS = NUM_PERM // BANDS
#: Estimated Jaccard similarity (share of equal signature values) from which a pair sharing a band is handed
#: to the encoder: the highest value of the grid that keeps >= 98 % of the development set's paraphrase pairs.
CANDIDATE_THRESHOLD = 0.35
#: Cosine similarity of the two prompts' sentence embeddings from which a candidate is a paraphrase: the value
#: with the best F1 on the development set (the middle of the best run of the 0.01 grid).
THRESHOLD = 0.67

_RNG = np.random.default_rng(20261206)
_A = _RNG.integers(1, 1 << 62, NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _RNG.integers(0, 1 << 62, NUM_PERM, dtype=np.uint64)
_BAND_MIX = _RNG.integers(1, 1 << 62, _ROWS, dtype=np.uint64) | np.uint64(1)
_BIGRAM = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(32)
_CHUNK = 100_000
#: A pair (a, b) of positions is coded a * _CODE + b (positions stay below 2**31).
_CODE = 1 << 32
_WORDS: dict[str, int] = {}
_WORDS_MAX = 500_000


def prompt_words(prompt: Sequence[Mapping[str, Any]] | None) -> list[str]:
    """The normalized words of a prompt's non-system messages (the near-duplicate fingerprint's view)."""
    words: list[str] = []
    for m in prompt or []:
        if m.get("role") != "system":
            words += normalized_text(str(m.get("content", ""))).split()
    return words


def prompt_text(prompt: Sequence[Mapping[str, Any]] | None) -> str:
    """The text the sentence encoder reads: the prompt's non-system messages, one per line."""
    return "\n".join(str(m.get("content", "")) for m in prompt or [] if m.get("role") != "system")


def _word_ids(words: Sequence[str]) -> list[int]:
    cache = _WORDS
    out = []
    for w in words:
        h = cache.get(w)
        if h is None:
            if len(cache) >= _WORDS_MAX:
                cache.clear()
            h = cache[w] = zlib.crc32(w.encode()) + 1
        out.append(h)
    return out


def signatures(prompts: Sequence[Sequence[str]]) -> np.ndarray:
    """MinHash signatures (``uint32``, ``len(prompts) x NUM_PERM``) of each word list's unigrams and bigrams.
    An empty word list gets the signature of the empty prompt.

    Each prompt's features (its unigrams, its bigrams and a zero, so that none is empty) lie side by side, so
    one ``minimum.reduceat`` per permutation takes each prompt's minimum; the hashes are minimised as 64-bit
    values and shifted once afterwards (``>> 32`` keeps the order, so the minimum's top half is the minimum
    of the top halves)."""
    n = len(prompts)
    if n == 0:
        return np.empty((0, NUM_PERM), np.uint32)
    ids = [_word_ids(p) for p in prompts]
    lengths = np.fromiter(map(len, ids), np.int64, n)
    flat = np.fromiter(chain.from_iterable(ids), np.uint64, int(lengths.sum()))
    ends = np.cumsum(lengths)
    nxt = np.zeros_like(flat)
    nxt[:-1] = flat[1:]
    bigram_ok = np.ones(len(flat), bool)
    bigram_ok[ends[lengths > 0] - 1] = False
    bigrams = flat[bigram_ok] * _BIGRAM + nxt[bigram_ok]
    n_bigrams = np.maximum(lengths - 1, 0)
    sizes = lengths + n_bigrams + 1
    starts = np.zeros(n, np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    features = np.zeros(int(sizes.sum()), np.uint64)  # the zero of each prompt stays at its end
    word_starts = ends - lengths
    features[np.repeat(starts - word_starts, lengths) + np.arange(len(flat))] = flat
    bigram_starts = np.cumsum(n_bigrams) - n_bigrams
    features[np.repeat(starts + lengths - bigram_starts, n_bigrams) + np.arange(len(bigrams))] = bigrams
    minima = np.empty((NUM_PERM, n), np.uint64)
    hashed = np.empty_like(features)
    for i in range(NUM_PERM):
        np.multiply(features, _A[i], out=hashed)
        np.add(hashed, _B[i], out=hashed)
        np.minimum.reduceat(hashed, starts, out=minima[i])
    return np.ascontiguousarray((minima >> _SHIFT).astype(np.uint32).T)


def similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The estimated Jaccard similarity of signature rows ``a[k]`` and ``b[k]``."""
    return np.asarray((a == b).mean(axis=1))


def band_keys(sigs: np.ndarray, band: int) -> np.ndarray:
    """Each signature's bucket in ``band`` (``uint64``): a hash of the band's values."""
    block = sigs[:, band * _ROWS : (band + 1) * _ROWS].astype(np.uint64)
    return np.asarray(block @ _BAND_MIX)  # uint64 arithmetic wraps


def _band_pairs(sigs: np.ndarray, band: int) -> np.ndarray:
    """(head, member) index pairs sharing ``band``: each prompt of a bucket is paired with the bucket's first
    (lowest index) prompt, so a bucket of m prompts costs m - 1 pairs."""
    keys = band_keys(sigs, band)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    new_run = np.ones(len(order), bool)
    new_run[1:] = sorted_keys[1:] != sorted_keys[:-1]
    heads = order[np.maximum.accumulate(np.where(new_run, np.arange(len(order)), 0))]
    member = ~new_run
    return np.stack([heads[member], order[member]], axis=1)


def candidates(
    sigs: np.ndarray,
    first_new: int = 0,
    threshold: float = CANDIDATE_THRESHOLD,
    sides: np.ndarray | None = None,
) -> np.ndarray:
    """(earlier, later) index pairs that share a band and whose estimated Jaccard similarity is at least
    ``threshold``; pairs of two rows before ``first_new`` (two anchors: neither is ever moved) are dropped, and
    so are pairs of two rows of the same ``sides`` value when given (two prompts that land in the same split
    anyway: nothing to decide). The bands' pairs are de-duplicated before their signatures are compared, and
    compared in chunks, so memory holds the kept pairs only."""
    return kept_pairs([_band_pairs(sigs, band) for band in range(BANDS)], sigs, first_new, threshold, sides)


def kept_pairs(
    band_pairs: Sequence[np.ndarray],
    sigs: np.ndarray,
    first_new: int,
    threshold: float = CANDIDATE_THRESHOLD,
    sides: np.ndarray | None = None,
) -> np.ndarray:
    """The candidate pairs among the bands' (head, member) pairs (see :func:`candidates`), sorted, each once;
    ``sigs`` and ``sides`` are indexed by the pairs' positions."""
    codes = []
    for pairs in band_pairs:
        pairs = np.sort(pairs, axis=1)
        keep = pairs[:, 1] >= first_new
        if sides is not None:
            keep &= sides[pairs[:, 0]] != sides[pairs[:, 1]]
        pairs = pairs[keep & (pairs[:, 0] != pairs[:, 1])]
        codes.append(pairs[:, 0] * _CODE + pairs[:, 1])
    if not codes:
        return np.empty((0, 2), np.int64)
    distinct = unique(np.concatenate(codes))
    kept = []
    for i in range(0, len(distinct), _CHUNK):
        part = distinct[i : i + _CHUNK]
        a, b = part // _CODE, part % _CODE
        kept.append(np.stack([a, b], axis=1)[similarity(sigs[a], sigs[b]) >= threshold])
    return np.concatenate(kept) if kept else np.empty((0, 2), np.int64)


def encoder_id() -> str:
    """The sentence encoder's identity: its name and the digest of its weights (what an embedding is of)."""
    from prefloop.curator.tagging.encoder import ENCODER_ID, ENCODER_SHA256

    return f"{ENCODER_ID}-{ENCODER_SHA256[:16]}"


def encoder_embed(threads: int = 1) -> Embed:
    """The tagger's sentence encoder (all-MiniLM-L6-v2, from its pinned package; nothing is downloaded), on
    ``threads`` cores (one by default: in a build it runs beside the stream, which keeps the other busy; a
    thread pool of its own would spin-wait for a core instead of working)."""
    from prefloop.curator.tagging.encoder import SentenceEncoder

    return SentenceEncoder.load(threads=threads).encode


@dataclass
class ParaphraseIndex:
    """The prompts one release build compares, in the order they are decided: prompts shipped before
    (``anchor``: they keep their place) first, then the month's prompt groups in group-key order. Words are
    turned into signatures every ``batch`` prompts, so memory holds 256 bytes and the text per prompt, not its
    words."""

    batch: int = 20_000
    keys: list[str] = field(default_factory=list)
    anchor: list[bool] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    #: prompts handed to the encoder by the last :meth:`heads` (its cost)
    encoded: int = 0
    #: prompts in a candidate pair found by the last :meth:`decide`
    candidate_prompts: int = 0
    _pending: list[list[str]] = field(default_factory=list)
    _sigs: list[np.ndarray] = field(default_factory=list)

    def add(self, key: str, prompt: Sequence[Mapping[str, Any]] | None, anchor: bool = False) -> None:
        self.keys.append(key)
        self.anchor.append(anchor)
        self.texts.append(prompt_text(prompt))
        self._pending.append(prompt_words(prompt))
        if len(self._pending) >= self.batch:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._sigs.append(signatures(self._pending))
            self._pending = []

    def decide(
        self,
        embed: Embed | None = None,
        threshold: float = THRESHOLD,
        side: Callable[[str], str] | None = None,
        swap_threshold: float | None = SWAP_THRESHOLD,
        swap_candidate: float | None = SWAP_CANDIDATE_THRESHOLD,
    ) -> Decisions:
        """Group key -> the key of the earlier prompt it paraphrases, for every prompt that is not an anchor
        and paraphrases an anchor or an earlier prompt that itself paraphrases nothing before it. Candidates
        come from MinHash LSH, now; ``embed`` (default: the sentence encoder) decides them at cosine >=
        ``threshold`` (``swap_threshold`` when the two swap a content word: :mod:`paraphrase_contrast`) in a
        background thread (:class:`Decisions`). With ``side`` (group key -> the split the
        prompt lands in by itself), only pairs of prompts on different sides are decided: a paraphrase within
        one split harms nothing. A candidate pair that swaps a content word is handed to the encoder only when
        its estimated Jaccard similarity is at least ``swap_candidate`` (None: always)."""
        self._flush()
        anchors = [i for i, a in enumerate(self.anchor) if a]
        order = np.array(anchors + [i for i, a in enumerate(self.anchor) if not a], np.int64)
        sigs = np.concatenate(self._sigs)[order] if self._sigs else np.empty((0, NUM_PERM), np.uint32)
        self._sigs = []
        keys = [self.keys[i] for i in order.tolist()]
        sides = None
        if side is not None:
            names: dict[str, int] = {}
            sides = np.fromiter((names.setdefault(side(k), len(names)) for k in keys), np.int64, len(keys))
        edges = candidates(sigs, first_new=len(anchors), sides=sides)  # positions: the earlier comes first
        texts = [self.texts[i] for i in order.tolist()]
        if swap_threshold is not None and swap_candidate is not None:
            edges = without_far_swaps(edges, sigs, texts, swap_candidate)
        self.candidate_prompts = len(unique(edges))
        if embed is None:
            embed = encoder_embed() if len(edges) else _nothing_to_embed
        return Decisions(keys, texts, edges, embed, threshold, swap_threshold)

    def heads(
        self,
        embed: Embed | None = None,
        threshold: float = THRESHOLD,
        swap_threshold: float | None = SWAP_THRESHOLD,
    ) -> dict[str, str]:
        """:meth:`decide`, every pair decided, waited for."""
        decisions = self.decide(embed, threshold, swap_threshold=swap_threshold)
        result = decisions.result()
        self.encoded = decisions.encoded
        return result


def without_far_swaps(edges: np.ndarray, sigs: np.ndarray, texts: Sequence[str], floor: float) -> np.ndarray:
    """``edges`` less the pairs that swap a content word (:func:`swapped`) and share less than ``floor`` of
    their signatures: such a pair needs the swap threshold's cosine, which pairs this far apart in words
    seldom reach (:data:`SWAP_CANDIDATE_THRESHOLD`), so it is not worth two encoder passes."""
    if not len(edges):
        return edges
    far = similarity(sigs[edges[:, 0]], sigs[edges[:, 1]]) < floor
    if not far.any():
        return edges
    words: dict[int, frozenset[str]] = {}

    def content(i: int) -> frozenset[str]:
        found = words.get(i)
        if found is None:
            found = words[i] = content_words(texts[i])
        return found

    drop = np.zeros(len(edges), bool)
    drop[far] = [swapped(content(a), content(b)) for a, b in edges[far].tolist()]
    return edges[~drop]


def _nothing_to_embed(texts: Sequence[str]) -> np.ndarray:
    raise AssertionError("no candidate pairs: nothing is embedded")
