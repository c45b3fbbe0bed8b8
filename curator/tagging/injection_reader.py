"""The injection reader: logistic regression over hashed character n-grams, read on every prompt (tagger 2.1).

The bag-of-words model scores most injections near zero (their wording is unlike its training prompts') and the
encoder is asked only when the words see something, so injections of a new origin slipped through. Character
n-grams (:mod:`prefloop.curator.tagging.chargrams`) see the shapes injections share across sources and languages:
"ignore", "previous", "instructions", "system prompt", role markers, spelling tricks. One weight per bucket and a
bias, so scoring a batch is one gather and one sum (well under 0.1 ms a prompt).

Training: mini-batch Adam on the log loss with an L2 penalty, deterministic for a seed (numpy only). Stored as
``injection_reader.npz``: float16 weights, the float32 bias and the feature settings it was trained with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from prefloop.curator.tagging import messages
from prefloop.curator.tagging.chargrams import DIM, MAX_CHARS, NS, Grams, char_grams
from prefloop.curator.tagging.errors import ModelError

__all__ = ["READER_FILE", "InjectionReader"]

READER_FILE = "injection_reader.npz"
EPOCHS = 6
BATCH = 64
LEARN_RATE = 0.02
L2 = 1e-5


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


def _logits(grams: Grams, w: np.ndarray, b: float) -> np.ndarray:
    return np.bincount(grams.row_of(), weights=w[grams.indices] * grams.values, minlength=grams.rows) + b


@dataclass(frozen=True)
class InjectionReader:
    weights: np.ndarray  # (DIM,) float16
    bias: float

    @classmethod
    def fit(
        cls,
        texts: Sequence[str] | Grams,
        y: Sequence[bool] | np.ndarray,
        seed: int = 0,
        *,
        epochs: int = EPOCHS,
    ) -> InjectionReader:
        """Learn to tell injections (``y`` true) from the other ``texts`` (or their precomputed :func:`char_grams`)."""
        grams = texts if isinstance(texts, Grams) else char_grams(texts)
        target = np.asarray(y, dtype=np.float64)
        rng = np.random.default_rng(seed)
        w = np.zeros(DIM, dtype=np.float64)
        m = np.zeros(DIM)
        v = np.zeros(DIM)
        prior = float(np.clip(target.mean() if len(target) else 0.5, 1e-3, 1 - 1e-3))
        b = float(np.log(prior / (1 - prior)))
        mb = vb = 0.0
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        step = 0
        for _epoch in range(epochs):
            order = rng.permutation(grams.rows)
            for start in range(0, len(order), BATCH):
                batch = grams.take(order[start : start + BATCH])
                rows = batch.row_of()
                err = (_sigmoid(_logits(batch, w, b)) - target[order[start : start + BATCH]]) / batch.rows
                grad = np.bincount(batch.indices, weights=err[rows] * batch.values, minlength=DIM) + L2 * w
                step += 1
                corr = np.sqrt(1 - beta2**step) / (1 - beta1**step)
                m *= beta1
                m += (1 - beta1) * grad
                v *= beta2
                v += (1 - beta2) * grad * grad
                w -= LEARN_RATE * corr * m / (np.sqrt(v) + eps)
                gb = float(err.sum())
                mb = beta1 * mb + (1 - beta1) * gb
                vb = beta2 * vb + (1 - beta2) * gb * gb
                b -= LEARN_RATE * corr * mb / (np.sqrt(vb) + eps)
        return cls(weights=w.astype(np.float16), bias=float(np.float32(b)))  # stored as float32

    def predict(self, texts: Sequence[str] | Grams) -> np.ndarray:
        """The injection score in [0, 1] of every text."""
        grams = texts if isinstance(texts, Grams) else char_grams(texts)
        return _sigmoid(_logits(grams, self.weights.astype(np.float32), self.bias))

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            weights=self.weights,
            bias=np.float32(self.bias),
            dim=DIM,
            max_chars=MAX_CHARS,
            ns=np.array(NS),
        )

    @classmethod
    def load(cls, path: Path) -> InjectionReader:
        try:
            with np.load(path, allow_pickle=False) as z:
                weights, bias = z["weights"], float(z["bias"])
                settings = (int(z["dim"]), int(z["max_chars"]), tuple(int(n) for n in z["ns"]))
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(messages.READER_INVALID.format(path=path, reason=exc), value=str(path)) from exc
        if settings != (DIM, MAX_CHARS, NS) or weights.shape != (DIM,):
            reason = f"features {settings}, this code reads {(DIM, MAX_CHARS, NS)}"
            raise ModelError(messages.READER_INVALID.format(path=path, reason=reason), value=str(path))
        return cls(weights=weights, bias=bias)
