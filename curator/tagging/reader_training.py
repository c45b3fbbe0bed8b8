"""Training and calibration of the injection reader on top of a trained tagger (tagger 2.1, issue 15).

The reader learns injections (the corpus's ``prompt_injection`` rows) against every other row, including the hard
negatives written in the same frames. Its threshold is the tagger's ``prompt_injection`` threshold, applied to
rules, words and reader combined (``1 - (1 - a)(1 - b)(1 - c)``); it is chosen on **out-of-source** reader scores
(:mod:`prefloop.curator.tagging.crossfit`: each group of public sources scored by a reader that never saw it) and
shares the false-positive budget with ``harmful``, whose threshold stays the base model's: the best injection F1 +
harmful F1 whose rate of ordinary prompts flagged stays under the cap (:func:`~.training.calibrate`). The cap is
measured on the ordinary prompts of **public** sources only: our authored rows are dealt into the calibration
groups by hash fold, so a reader that scores them has read their siblings, and with them in the cap the threshold
promised 2.5 % and flagged 6.3 % of the ordinary prompts of sources it never saw (issue 15, session 6). The
encoder is consulted, as tagging consults it, where the words or the reader's out-of-source score call for it.

The cap is relative (session 7): the reader may add at most :data:`READER_FPR_MARGIN` to the share of those
ordinary prompts the base model already flags at its own thresholds. An absolute cap of 2.5 % let the reader spend
every point the base model left unused, and the out-of-source estimate is optimistic on sources never seen (it
delivered 3.7 % where the base model flags 1.7 %); what a user sees is the base model's rate plus the reader's share.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from prefloop.curator.tagging import messages
from prefloop.curator.tagging.chargrams import Grams, char_grams
from prefloop.curator.tagging.corpus import Example, load_corpus
from prefloop.curator.tagging.crossfit import (
    BASE_SOURCE,
    CALIBRATION_GROUPS,
    calibration_groups,
    out_of_source_scores,
)
from prefloop.curator.tagging.embeddings import embed_cached
from prefloop.curator.tagging.features import encoder_text
from prefloop.curator.tagging.head import READER_CONSULT_AT
from prefloop.curator.tagging.injection_reader import READER_FILE, InjectionReader
from prefloop.curator.tagging.model import HARMFUL
from prefloop.curator.tagging.tagger import THRESHOLDS_FILE, Reading, Tagger
from prefloop.curator.tagging.training import NOT_ORDINARY_SOURCES, Calibration, calibrate, source_of

__all__ = [
    "READER_FPR_MARGIN",
    "READER_VERSION",
    "ReaderFit",
    "ReaderInputs",
    "base_ordinary_fpr",
    "fit_reader",
    "reader_inputs",
    "train_reader",
    "without_reader",
]

#: What a model with an injection reader records as its version (the packaged model stays 2.0 until one ships).
READER_VERSION = "2.1"
#: What the reader may add to the base model's false-positive rate on the calibration's ordinary prompts.
READER_FPR_MARGIN = 0.0


@dataclass(frozen=True)
class ReaderInputs:
    """Everything the reader's fit and calibration need about a set of examples, computed once."""

    examples: list[Example]
    readings: list[Reading]
    #: The base model's embedding-classifier scores of every example (None: the model has no encoder).
    heads: Sequence[Mapping[str, float] | None]
    grams: Grams

    def subset(self, rows: Sequence[int]) -> ReaderInputs:
        return ReaderInputs(
            [self.examples[i] for i in rows],
            [self.readings[i] for i in rows],
            [self.heads[i] for i in rows],
            self.grams.take(rows),
        )


@dataclass(frozen=True)
class ReaderFit:
    reader: InjectionReader
    calibration: Calibration
    #: The out-of-source reader score of every training example (what the threshold was chosen on).
    out_of_source: np.ndarray
    #: The false-positive cap the threshold was chosen under: the base model's rate plus the margin.
    cap: float


def reader_inputs(
    tagger: Tagger, examples: Sequence[Example], log: Callable[[str], None] | None = None
) -> ReaderInputs:
    """Read ``examples`` with ``tagger``'s words and rules, embed them (disk cache) and take their n-grams."""
    texts = [encoder_text(ex.turns) for ex in examples]
    readings = tagger.read([[{"role": "user", "content": t} for t in ex.turns] for ex in examples])
    heads: Sequence[Mapping[str, float] | None] = [None] * len(examples)
    if tagger.has_encoder:
        heads = tagger.head_scores(embed_cached(texts, log=log)) or heads
    return ReaderInputs(list(examples), readings, heads, char_grams(texts))


def is_injection(examples: Sequence[Example]) -> np.ndarray:
    return np.array([ex.tactic == "prompt_injection" for ex in examples], dtype=bool)


def _cap_rows(examples: Sequence[Example]) -> list[bool]:
    """The rows whose ordinary prompts the reader's cap is measured on: public sources' (see the module docstring)."""
    return [source_of(ex) != BASE_SOURCE for ex in examples]


def base_ordinary_fpr(tagger: Tagger, data: ReaderInputs) -> float:
    """The share of the cap's ordinary prompts (public sources', not XSTest's or moderation content) that ``tagger``
    alone, without a reader, tags harmful at its own thresholds."""
    flagged = [
        tagger.decide(r, h, None).harmful
        for ex, r, h, keep in zip(
            data.examples, data.readings, data.heads, _cap_rows(data.examples), strict=True
        )
        if keep and ex.tactic is None and source_of(ex) not in NOT_ORDINARY_SOURCES
    ]
    return sum(flagged) / len(flagged) if flagged else 0.0


def fit_reader(
    tagger: Tagger,
    data: ReaderInputs,
    seed: int = 0,
    *,
    reader_at: float | None = None,
    groups: int = CALIBRATION_GROUPS,
    margin: float = READER_FPR_MARGIN,
) -> ReaderFit:
    """The reader fitted on ``data`` and the ``prompt_injection`` threshold calibrated on its out-of-source scores
    (``harmful`` kept at ``tagger``'s threshold) so that the ordinary prompts flagged rise by at most ``margin`` over
    ``tagger`` alone; ``reader_at`` overrides when the reader consults the encoder."""
    y = is_injection(data.examples)
    group_of = calibration_groups(
        [source_of(ex) for ex in data.examples], [ex.fold for ex in data.examples], groups
    )
    oos = out_of_source_scores(data.grams, y, group_of, lambda g, t: InjectionReader.fit(g, t, seed)).astype(
        np.float64
    )
    cats = [
        tagger.cats(r, h, float(s), reader_at) for r, h, s in zip(data.readings, data.heads, oos, strict=True)
    ]
    rules = [r.rules for r in data.readings]
    cap = round(base_ordinary_fpr(tagger, data) + margin, 4)
    cal = calibrate(
        data.examples,
        cats,
        rules,
        tagger.taxonomy.hazard_names,
        cap,
        reader=oos.tolist(),
        harmful_grid=[tagger.thresholds[HARMFUL]],
        cap_rows=_cap_rows(data.examples),
    )
    return ReaderFit(InjectionReader.fit(data.grams, y, seed), cal, oos, cap)


def without_reader(model_dir: Path | str, out_dir: Path | str) -> Path:
    """The base model of a model with an injection reader, written to ``out_dir``: the reader left out and the
    ``prompt_injection`` threshold the base model had (recorded by :func:`train_reader`) put back."""
    src, out = Path(model_dir), Path(out_dir)
    shutil.copytree(src, out, dirs_exist_ok=True, ignore=shutil.ignore_patterns(READER_FILE))
    meta = json.loads((out / THRESHOLDS_FILE).read_text(encoding="utf-8"))
    info = meta.pop("injection_reader", None)
    if info is not None:
        meta["thresholds"]["prompt_injection"] = info["base"]["prompt_injection"]
        meta["tagger_version"] = info["base"]["tagger_version"]
    (out / THRESHOLDS_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return out


def train_reader(
    base_dir: Path | str,
    out_dir: Path | str,
    corpus_dir: Path | str | None = None,
    seed: int = 0,
    *,
    margin: float = READER_FPR_MARGIN,
    exclude_sources: Sequence[str] = (),
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """``prefloop tagger train-reader``: the model in ``base_dir`` plus an injection reader fitted on the corpus's
    train split (without ``exclude_sources``, as :func:`~.training.train` leaves them out) and its calibrated
    ``prompt_injection`` threshold, written to ``out_dir``. A base that already has a reader is first taken back to
    its own base (:func:`without_reader`), so retraining is repeatable. Returns what ``thresholds.json`` records
    about the reader."""
    say = log or (lambda _m: None)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(base_dir)
        if json.loads((base / THRESHOLDS_FILE).read_text(encoding="utf-8")).get("injection_reader"):
            base = without_reader(base, Path(tmp) / "base")
        return _train_reader(base, Path(out_dir), corpus_dir, seed, margin, frozenset(exclude_sources), say)


def _train_reader(
    base: Path,
    out: Path,
    corpus_dir: Path | str | None,
    seed: int,
    margin: float,
    exclude: frozenset[str],
    say: Callable[[str], None],
) -> dict[str, Any]:
    tagger = Tagger.load(base)
    tax = tagger.taxonomy
    corpus = sorted(
        load_corpus(corpus_dir, set(tax.tactic_names), set(tax.hazard_names)), key=lambda e: e.key
    )
    train = [ex for ex in corpus if ex.split == "train" and source_of(ex) not in exclude]
    fit = fit_reader(tagger, reader_inputs(tagger, train, log=say), seed, margin=margin)
    say(messages.READER_CALIBRATED.format(threshold=fit.calibration.thresholds["prompt_injection"]))
    if not fit.calibration.cap_met:
        say(messages.TRAIN_CAP_MISSED.format(cap=fit.cap, fpr=fit.calibration.ordinary_fpr))
    base_meta = json.loads((base / THRESHOLDS_FILE).read_text(encoding="utf-8"))
    if out.resolve() != base.resolve():
        shutil.copytree(base, out, dirs_exist_ok=True)
    fit.reader.save(out / READER_FILE)
    meta = json.loads((out / THRESHOLDS_FILE).read_text(encoding="utf-8"))
    info = {
        "consult_at": READER_CONSULT_AT,
        "seed": seed,
        "n_train": len(train),
        "trained_sources": sorted({source_of(ex) for ex in train}),
        "base": {
            "tagger_version": base_meta.get("tagger_version", Tagger.VERSION),
            "prompt_injection": base_meta["thresholds"]["prompt_injection"],
        },
        "calibration": {
            "on": "out-of-source reader scores (public sources dealt whole into groups), harmful threshold kept",
            "ordinary_fpr_cap": fit.cap,
            "cap_rule": f"the base model's rate on the same prompts + {margin}",
            "cap_on": "ordinary prompts of public sources",
            "cap_met": fit.calibration.cap_met,
            "ordinary_fpr": fit.calibration.ordinary_fpr,
        },
    }
    meta["injection_reader"] = info
    meta["thresholds"]["prompt_injection"] = fit.calibration.thresholds["prompt_injection"]
    meta["tagger_version"] = READER_VERSION
    (out / THRESHOLDS_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return {**info, "prompt_injection": fit.calibration.thresholds["prompt_injection"], "out_dir": str(out)}
