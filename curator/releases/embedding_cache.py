"""Sentence embeddings kept between release builds, so each distinct prompt text is embedded once.

A month's paraphrase decisions compare its new prompts with the prompts shipped before; those earlier prompts
were embedded by an earlier month's build already. The cache keeps every vector a build computed under the
release root (``<root>/.embeddings/<encoder id>/``), keyed by a hash of the encoder's id and the prompt text:
another encoder (or another version of the weights) never reads these vectors, and a prompt's vector is read
back only for the same text. Each build that embedded something adds one file (written under a temporary name
and renamed, so a build that stops half way leaves nothing half-written); a file that cannot be read is skipped
(its prompts are embedded again). A cold cache (the first month, a new encoder) costs what no cache costs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from prefloop.curator.releases.paraphrase_decisions import Embed

__all__ = ["EmbeddingCache"]

log = logging.getLogger(__name__)

_KEY = 16
_SUFFIX = ".npz"


class EmbeddingCache:
    """``embed`` with a memory of earlier builds: :meth:`embed` returns stored vectors for known texts and asks
    ``embed`` for the rest; :meth:`save` writes the new ones."""

    def __init__(self, directory: Path, encoder_id: str, embed: Embed) -> None:
        self.directory = directory / _safe(encoder_id)
        self._encoder_id = hashlib.blake2b(encoder_id.encode()).digest()  # a 64-byte hash key
        self._embed = embed
        self._rows: dict[bytes, int] = {}
        self._vectors = np.empty((0, 0), np.float32)
        self._new_keys: list[bytes] = []
        self._new: list[np.ndarray] = []
        #: texts answered from the cache / embedded by the encoder
        self.hits = 0
        self.misses = 0
        self._load()

    def _key(self, text: str) -> bytes:
        digest = hashlib.blake2b(
            text.encode("utf-8", "surrogatepass"), digest_size=_KEY, key=self._encoder_id
        )
        return digest.digest()

    def _load(self) -> None:
        if not self.directory.is_dir():
            return
        keys, vectors = [], []
        for path in sorted(self.directory.glob("*" + _SUFFIX)):
            try:
                with np.load(path, allow_pickle=False) as data:
                    k, v = data["keys"], data["vectors"]
                if k.dtype != np.dtype(f"S{_KEY}") or v.ndim != 2 or len(k) != len(v):
                    raise ValueError("unexpected shape")
            except (OSError, ValueError, KeyError) as exc:
                log.warning(
                    "embedding cache: skipped %s (%s); its prompts are embedded again", path.name, exc
                )
                continue
            keys.append(k)
            vectors.append(v.astype(np.float32, copy=False))
        if not vectors or len({v.shape[1] for v in vectors}) != 1:
            return
        self._vectors = np.concatenate(vectors)
        for row, key in enumerate(np.concatenate(keys).tolist()):
            self._rows.setdefault(key, row)

    def __len__(self) -> int:
        return len(self._rows) + len(self._new_keys)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text, as ``embed`` would give it."""
        keys = [self._key(t) for t in texts]
        rows = [self._rows.get(k, -1) for k in keys]
        missing = [i for i, r in enumerate(rows) if r < 0]
        fresh = self._embed([texts[i] for i in missing]) if missing else None
        width = fresh.shape[1] if fresh is not None else self._vectors.shape[1]
        out = np.empty((len(texts), width), np.float32)
        known = [i for i, r in enumerate(rows) if r >= 0]
        if known:
            out[known] = self._vectors[[rows[i] for i in known]]
        if fresh is not None:
            out[missing] = fresh
            self._new_keys += [keys[i] for i in missing]
            self._new.append(fresh.astype(np.float32, copy=False))
        self.hits += len(known)
        self.misses += len(missing)
        return out

    def save(self) -> None:
        """Write the vectors embedded since the cache was opened (nothing when there are none)."""
        if not self._new_keys:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        name = uuid.uuid4().hex
        tmp = self.directory / f".{name}.tmp{_SUFFIX}"
        np.savez(tmp, keys=np.array(self._new_keys, dtype=f"S{_KEY}"), vectors=np.concatenate(self._new))
        os.replace(tmp, self.directory / f"{name}{_SUFFIX}")
        self._new_keys, self._new = [], []


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
