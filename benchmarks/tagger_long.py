"""The frozen 2.0 head reading a long prompt's windows, for `benchmarks.tagger_finetune report` (issue 15,
session 12).

The packaged encoder reads a prompt's first 128 word pieces; PyRIT's jailbreak templates put the request after
that. Three readings of a long prompt (:mod:`prefloop.curator.tagging.windows`), each giving per-label head scores
(short prompts score as before): ``headtail`` — the per-label max of the head on the first and the last window;
``windows`` — the max over every window; ``poolemb`` — the head on the normalised mean of every window's embedding.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from prefloop.curator.tagging import Tagger
from prefloop.curator.tagging.corpus import Example
from prefloop.curator.tagging.embeddings import embed_cached
from prefloop.curator.tagging.features import encoder_text
from prefloop.curator.tagging.windows import Pooling, pooled_max, windows

__all__ = ["long_heads"]

_MODES: dict[str, Pooling] = {"headtail": "headtail", "windows": "every", "poolemb": "every"}


def long_heads(
    tagger: Tagger,
    examples: Sequence[Example],
    variants: Sequence[str],
    log: Callable[[str], None] | None = None,
) -> dict[str, list[dict[str, float]]]:
    """For each long-prompt reading named by a variant (``<kind>_...``), the head scores of every example."""
    out: dict[str, list[dict[str, float]]] = {}
    for kind, mode in _MODES.items():
        if not any(v.split("_")[0].removeprefix("hz") == kind for v in variants):
            continue
        wins = [windows(encoder_text(e.turns), mode) for e in examples]
        flat = [w for ws in wins for w in ws]
        x = embed_cached(flat, log=log)
        at = np.cumsum([0] + [len(ws) for ws in wins])
        if kind == "poolemb":
            mean = np.stack([x[a:b].mean(axis=0) for a, b in itertools.pairwise(at)])
            mean /= np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
            out[kind] = tagger.head_scores(mean) or []
        else:
            scores = tagger.head_scores(x) or []
            out[kind] = [pooled_max(scores[a:b]) for a, b in itertools.pairwise(at)]
        if log:
            log(f"{kind}: {sum(len(ws) > 1 for ws in wins)} of {len(wins)} texts read in {len(flat)} windows")
    return out
