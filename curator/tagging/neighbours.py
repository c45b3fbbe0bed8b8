"""Label scores from the nearest labelled sentence vectors (issue 15, session 11); numpy only.

A non-parametric reader on the frozen encoder's embeddings: a prompt's score for each label is the
similarity-weighted share of its ``k`` nearest rows of a labelled memory (the "bank": training prompts, hard
negatives included) that carry the label. Nothing is fitted, so holding a source out is leaving its rows out of the
bank, and every authored hard negative counts as much as it resembles the prompt.

:func:`knn_scores` takes the bank's vectors and 0/1 targets (one column per label, e.g.
:func:`~prefloop.curator.tagging.training.targets_of`) and returns one row of scores in ``[0, 1]`` per query.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TEMPERATURE", "K", "knn_scores", "unit_rows"]

#: Neighbours read per prompt, and the softmax temperature over their cosine similarities (fixed in session 11
#: before any held-out figure was seen; not tuned).
K = 10
TEMPERATURE = 0.05
#: Queries compared with the bank per matrix product (bounds memory: chunk x bank floats).
_CHUNK = 1024


def unit_rows(x: np.ndarray) -> np.ndarray:
    """``x`` (float32) with every non-zero row scaled to length 1. A row too short to have a direction (zero,
    or a length below float32's smallest normal number, whose square underflows) becomes zero."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    directed = norms >= np.finfo(np.float32).tiny
    return np.where(directed, x / np.where(directed, norms, 1.0), np.float32(0.0))


def knn_scores(
    queries: np.ndarray,
    bank: np.ndarray,
    targets: np.ndarray,
    k: int = K,
    temperature: float = TEMPERATURE,
) -> np.ndarray:
    """Per query and label, the weighted mean of the ``targets`` of its ``k`` most cosine-similar ``bank`` rows,
    weights ``softmax(similarity / temperature)`` over those rows (ties broken by bank order). ``float32``, shape
    ``(len(queries), targets.shape[1])``, every value in ``[0, 1]`` for 0/1 targets."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    targets = np.asarray(targets, dtype=np.float32)
    if targets.ndim != 2 or len(targets) != len(bank):
        raise ValueError(f"targets must be one row per bank row, got {targets.shape} for {len(bank)} rows")
    out = np.zeros((len(queries), targets.shape[1]), dtype=np.float32)
    if len(queries) == 0 or len(bank) == 0:
        return out
    b = unit_rows(bank)
    k = min(k, len(b))
    for start in range(0, len(queries), _CHUNK):
        sims = unit_rows(queries[start : start + _CHUNK]) @ b.T
        # the k largest similarities; a stable sort of the negated row keeps the earlier bank row on ties
        top = np.argsort(-sims, axis=1, kind="stable")[:, :k]
        near = np.take_along_axis(sims, top, axis=1)
        w = np.exp((near - near[:, :1]) / temperature)
        w /= w.sum(axis=1, keepdims=True)
        out[start : start + len(top)] = np.einsum("qk,qkl->ql", w, targets[top])
    return np.clip(out, 0.0, 1.0)
