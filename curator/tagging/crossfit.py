"""Out-of-source scores: what the thresholds of a head are calibrated on (tagger 3.0, issue 15).

Scores a model gives rows of a kind it trained on are higher than it will give a prompt of a new kind, so
thresholds chosen on ordinary out-of-fold scores (rows of every source in every fold) promise a recall and a
false-positive rate the model does not keep on a source it never saw. Here the rows are dealt into ``groups``:
each public source goes whole into one group (by its place in the sorted source list), our own authored rows by
their hash fold; every group is scored by a head fitted on the other groups. The thresholds are then chosen on
scores of sources the scoring head never saw, as the tagger meets them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from prefloop.curator.tagging.chargrams import Grams


class Scorer(Protocol):
    def predict(self, x: Any) -> np.ndarray: ...


def _rows(x: np.ndarray | Grams, mask: np.ndarray) -> Any:
    return x.take(np.flatnonzero(mask)) if isinstance(x, Grams) else x[mask]


__all__ = ["BASE_SOURCE", "CALIBRATION_GROUPS", "calibration_groups", "out_of_source_scores"]

#: Our own writing: dealt into groups by hash fold (it is the base every model trains on), never as one block.
BASE_SOURCE = "authored"
CALIBRATION_GROUPS = 4


def calibration_groups(
    sources: Sequence[str], folds: Sequence[int], groups: int = CALIBRATION_GROUPS
) -> np.ndarray:
    """The calibration group of each row: its public source's place among the sorted sources modulo ``groups``,
    or its hash fold modulo ``groups`` for :data:`BASE_SOURCE` rows."""
    public = sorted(set(sources) - {BASE_SOURCE})
    place = {s: i % groups for i, s in enumerate(public)}
    return np.array(
        [f % groups if s == BASE_SOURCE else place[s] for s, f in zip(sources, folds, strict=True)],
        dtype=np.int64,
    )


def out_of_source_scores(
    x: np.ndarray | Grams,
    y: np.ndarray,
    groups: np.ndarray,
    fit: Callable[[Any, np.ndarray], Scorer],
) -> np.ndarray:
    """Each row's scores from a model ``fit`` on every other group's rows (shape of ``y``); ``x`` is an array of
    embeddings (the head) or character n-grams (the injection reader)."""
    scores = np.zeros(y.shape, dtype=np.float32)
    for g in sorted(set(groups.tolist())):
        held = groups == g
        if held.all():  # one group only: nothing to fit on
            continue
        scores[held] = fit(_rows(x, ~held), y[~held]).predict(_rows(x, held))
    return scores
