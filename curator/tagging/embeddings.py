"""Sentence embeddings of many texts, computed once and kept on disk (development time: training, benchmarks).

Embedding the corpus is the slow part of training the tagger's head (~18 minutes for 22k prompts on two shared
cores); the head itself fits in seconds. :func:`embed_cached` keeps every text's embedding in one ``.npz`` file
under ``.cache/tagger/`` named for the encoder's weights (sha256), each row keyed by the sha256 of its text: the
corpus, any subset of it (a leave-one-source-out training set, the train split) and the frozen evaluation prompts
are embedded once, a changed row is embedded again, and another encoder starts another file. Nothing at tagging
time reads the cache.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from prefloop.curator.tagging.encoder import ENCODER_SHA256, WIDTH, SentenceEncoder

__all__ = ["CACHE_DIR", "cache_path", "embed_cached", "text_key"]

#: Where the cache lives (override with ``PREFLOOP_TAGGER_CACHE``); ignored by git like the rest of ``.cache/``.
CACHE_DIR = Path(os.environ.get("PREFLOOP_TAGGER_CACHE", ".cache/tagger"))
#: Texts are embedded and reported in chunks of this many, so a long run shows progress.
_CHUNK = 512


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_path(cache_dir: Path | str | None = None, encoder_sha256: str = ENCODER_SHA256) -> Path:
    return Path(cache_dir if cache_dir is not None else CACHE_DIR) / f"embeddings-{encoder_sha256[:16]}.npz"


def _read(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as z:
            keys, x = z["keys"], z["x"]
    except (OSError, KeyError, ValueError):
        return {}  # a damaged cache is rebuilt, never trusted
    if x.ndim != 2 or x.shape[1] != WIDTH or len(keys) != len(x):
        return {}
    return {str(k): row for k, row in zip(keys, x, strict=True)}


def embed_cached(
    texts: Sequence[str],
    cache_dir: Path | str | None = None,
    *,
    encode: Callable[[Sequence[str]], np.ndarray] | None = None,
    log: Callable[[str], None] | None = None,
) -> np.ndarray:
    """The embeddings of ``texts`` (``float32``, one row each, in order): cached ones read, the rest computed with
    ``encode`` (default: the packaged sentence encoder) and added to the cache."""
    path = cache_path(cache_dir)
    stored = _read(path)
    keys = [text_key(t) for t in texts]
    todo = sorted({t for t, k in zip(texts, keys, strict=True) if k not in stored}, key=len)
    if todo:
        run = encode or SentenceEncoder.load().encode
        for start in range(0, len(todo), _CHUNK):
            part = todo[start : start + _CHUNK]
            stored.update(zip(map(text_key, part), run(part), strict=True))
            if log:
                log(f"embedded {min(start + _CHUNK, len(todo))}/{len(todo)} texts not in {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + f".{os.getpid()}.tmp.npz")
        names = sorted(stored)
        np.savez(tmp, keys=np.array(names), x=np.stack([stored[k] for k in names]).astype(np.float32))
        tmp.replace(path)
    if not texts:
        return np.zeros((0, WIDTH), dtype=np.float32)
    return np.stack([stored[k] for k in keys]).astype(np.float32)
