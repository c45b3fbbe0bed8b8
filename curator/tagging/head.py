"""The classifier that reads sentence embeddings: one hidden ReLU layer, one sigmoid per label (thinc).

Trained with thinc (spaCy's own machine-learning library) and stored as plain arrays (``head.npz``), so tagging
is two matrix products in numpy. Inputs are standardised with the training set's mean and deviation.

The tagger blends its scores with the bag-of-words model's (:func:`blend`), and only asks the encoder about a
prompt when the bag-of-words model sees any sign of harm, injection or an edge case in it (:func:`consult`): the
encoder is ~6x slower, and most ordinary prompts score near zero on every label. Training applies the same two
rules to its out-of-fold scores, so the thresholds are calibrated on exactly what tagging computes.

Settings of tagger 2.0 (chosen on a validation fold of the train split, never on the test split): 256 hidden units,
20 epochs of Adam (learning rate 0.002, decoupled weight decay 1.0), batches of 128, blend weight 0.6 on the head,
consulted from a bag-of-words score of 0.3.

A head that reads every prompt and decides alone (``consult_at=0``, ``weight=1``; issue 15's candidate, not the
packaged model) uses :data:`READ_ALL_HIDDEN` units and :data:`READ_ALL_EPOCHS` epochs: on leave-one-source-out
scores 32 units / 6 epochs traded recall against false positives as well as 64 / 10 and 256 / 20, at a fraction
of the cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from thinc.api import Adam, Linear, Model, Relu, chain, fix_random_seed

from prefloop.curator.tagging import messages
from prefloop.curator.tagging.errors import ModelError
from prefloop.curator.tagging.model import HARMFUL, MODEL_TACTICS

__all__ = [
    "CONSULTED_ON",
    "CONSULT_AT",
    "HEAD_FILE",
    "HEAD_WEIGHT",
    "READER_CONSULT_AT",
    "READ_ALL_EPOCHS",
    "READ_ALL_HIDDEN",
    "Head",
    "blend",
    "consult",
]

HEAD_FILE = "head.npz"
HIDDEN = 256
EPOCHS = 20
BATCH = 128
LEARN_RATE = 0.002
WEIGHT_DECAY = 1.0
#: Share of the head in the blended score (the bag-of-words model has the rest).
HEAD_WEIGHT = 0.6
#: The encoder is consulted when the bag-of-words score of one of these labels reaches ``CONSULT_AT``.
CONSULTED_ON = (HARMFUL, *MODEL_TACTICS)
CONSULT_AT = 0.3
#: Tagger 2.1: the encoder is also consulted when the injection reader's score reaches this (it is unsure or sure).
READER_CONSULT_AT = 0.2
READ_ALL_HIDDEN = 32
READ_ALL_EPOCHS = 6


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


@dataclass(frozen=True)
class Head:
    """A trained head: its label order, the input standardisation and the two layers' weights."""

    labels: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray

    @classmethod
    def fit(
        cls,
        x: np.ndarray,
        y: np.ndarray,
        labels: Sequence[str],
        seed: int = 0,
        *,
        hidden: int = HIDDEN,
        epochs: int = EPOCHS,
    ) -> Head:
        """Learn ``labels`` (the columns of ``y``, 0/1) from embeddings ``x``; deterministic for a seed."""
        fix_random_seed(seed)
        rng = np.random.default_rng(seed)
        mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
        xs = ((x - mean) / scale).astype(np.float32)
        y = y.astype(np.float32)
        model: Model[Any, Any] = chain(Relu(nO=hidden), Linear(nO=y.shape[1]))
        model.initialize(X=xs[:2], Y=y[:2])
        optimizer = Adam(LEARN_RATE, L2=WEIGHT_DECAY, use_averages=False)
        for _epoch in range(epochs):
            order = rng.permutation(len(xs))
            for start in range(0, len(order), BATCH):
                idx = order[start : start + BATCH]
                logits, backprop = model.begin_update(xs[idx])
                backprop(((_sigmoid(logits) - y[idx]) / len(idx)).astype(np.float32))
                model.finish_update(optimizer)
        relu, linear = model.layers
        return cls(
            labels=tuple(labels),
            mean=mean.astype(np.float32),
            scale=scale.astype(np.float32),
            w1=np.asarray(relu.get_param("W")).T.copy(),
            b1=np.asarray(relu.get_param("b")).copy(),
            w2=np.asarray(linear.get_param("W")).T.copy(),
            b2=np.asarray(linear.get_param("b")).copy(),
        )

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Scores in [0, 1], one column per label."""
        h = np.maximum(((x - self.mean) / self.scale) @ self.w1 + self.b1, 0.0)
        return _sigmoid(h @ self.w2 + self.b2)

    def label_scores(self, x: np.ndarray) -> list[dict[str, float]]:
        """:meth:`predict` as one ``{label: score}`` per row, the shape :func:`blend` takes."""
        return [dict(zip(self.labels, map(float, row), strict=True)) for row in self.predict(x)]

    def save(self, path: Path) -> None:
        arrays = {k: getattr(self, k) for k in ("mean", "scale", "w1", "b1", "w2", "b2")}
        np.savez_compressed(path, labels=np.array(self.labels), **arrays)

    @classmethod
    def load(cls, path: Path) -> Head:
        try:
            with np.load(path, allow_pickle=False) as z:
                parts = {k: z[k] for k in ("mean", "scale", "w1", "b1", "w2", "b2")}
                labels = tuple(str(s) for s in z["labels"])
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(messages.HEAD_INVALID.format(path=path, reason=exc), value=str(path)) from exc
        return cls(labels=labels, **parts)


def consult(
    cats: Mapping[str, float],
    at: float = CONSULT_AT,
    labels: Sequence[str] = CONSULTED_ON,
    *,
    reader: float | None = None,
    reader_at: float = READER_CONSULT_AT,
) -> bool:
    """Whether the bag-of-words scores ``cats`` leave ``labels`` (harmful and the tactics) in any doubt, or the
    injection reader's score ``reader`` (when there is one) reaches ``reader_at``."""
    if reader is not None and reader >= reader_at:
        return True
    return any(cats.get(label, 0.0) >= at for label in labels)


def blend(
    cats: Mapping[str, float], head: Mapping[str, float], weight: float = HEAD_WEIGHT
) -> dict[str, float]:
    """The bag-of-words scores ``cats`` moved ``weight`` of the way to the head's, label by label."""
    return {k: (1.0 - weight) * v + weight * head.get(k, v) for k, v in cats.items()}
