"""Which corpus rows a held-out fold trains on and scores: shared by `benchmarks.tagger_finetune` and
`benchmarks.tagger_knn` (issue 15), so both readers are held out on the same rows."""

from __future__ import annotations

from collections.abc import Sequence

from prefloop.curator.tagging import Taxonomy
from prefloop.curator.tagging.corpus import Example, load_corpus
from prefloop.curator.tagging.finetune_data import subsample

__all__ = ["fold_training_rows", "scored_rows", "taxonomy_corpus"]


def taxonomy_corpus(tax: Taxonomy) -> list[Example]:
    """The committed corpus with the taxonomy's tactics and hazards, in key order (what every fold indexes)."""
    return sorted(load_corpus(None, set(tax.tactic_names), set(tax.hazard_names)), key=lambda e: e.key)


def fold_training_rows(
    corpus: Sequence[Example],
    groups: Sequence[int | None],
    held: int,
    per_source: int,
    authored: int,
    seed: int,
) -> list[int]:
    """Corpus indices a fold trains on: the capped sample of the train split of every source outside ``held``."""
    pool = [i for i, e in enumerate(corpus) if e.split == "train" and groups[i] != held]
    picked = subsample([corpus[i] for i in pool], per_source=per_source, authored=authored, seed=seed)
    return [pool[j] for j in picked]


def scored_rows(
    corpus: Sequence[Example], groups: Sequence[int | None], held: int, cap: int, seed: int
) -> list[int]:
    """Corpus indices a fold scores: of every source in group ``held``, the ``cap`` rows whose hashed keys come first
    (train and test split alike)."""
    pool = [i for i, g in enumerate(groups) if g == held]
    picked = subsample([corpus[i] for i in pool], per_source=cap, seed=seed)
    return [pool[j] for j in picked]
