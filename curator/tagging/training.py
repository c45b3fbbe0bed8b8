"""Training and threshold calibration of the tagger's classifier (``prefloop tagger train``).

Deterministic for a given seed, corpus and machine: examples are ordered by their key, shuffled with a seeded
``random.Random``, and spaCy/thinc are seeded with ``fix_random_seed``. The corpus is split by a hash of each
example's text (train / test, see :mod:`prefloop.curator.tagging.corpus`); the model learns from train, the
thresholds are calibrated on out-of-fold predictions of the train split, test is left for the benchmark.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import spacy
from spacy.language import Language
from spacy.training import Example as SpacyExample
from spacy.util import compounding, fix_random_seed, minibatch

from prefloop.curator.tagging import messages
from prefloop.curator.tagging.corpus import FOLDS, Example, load_corpus
from prefloop.curator.tagging.crossfit import calibration_groups, out_of_source_scores
from prefloop.curator.tagging.embeddings import embed_cached
from prefloop.curator.tagging.encoder import ENCODER_ID, ENCODER_SHA256
from prefloop.curator.tagging.errors import TaggingError
from prefloop.curator.tagging.features import DEFAULT_LEXICON_PATH, Lexicon, encoder_text, model_text
from prefloop.curator.tagging.head import (
    CONSULT_AT,
    HEAD_FILE,
    HEAD_WEIGHT,
    READ_ALL_EPOCHS,
    READ_ALL_HIDDEN,
    Head,
    blend,
    consult,
)
from prefloop.curator.tagging.model import HARMFUL, MODEL_TACTICS, build_pipeline, labels_for
from prefloop.curator.tagging.rules import RuleSet
from prefloop.curator.tagging.tagger import LEXICON_FILE, THRESHOLDS_FILE, Tagger
from prefloop.curator.tagging.tags import decide, or_scores
from prefloop.curator.tagging.taxonomy import Taxonomy

__all__ = [
    "DEFAULT_EPOCHS",
    "Calibration",
    "TrainReport",
    "best_under_cap",
    "calibrate",
    "rule_scores",
    "source_of",
    "train",
]

DEFAULT_EPOCHS = 12
T = TypeVar("T")

#: Calibrated thresholds are kept inside these bounds so a small calibration set cannot push them to extremes.
_BOUNDS = {HARMFUL: (0.2, 0.95), "prompt_injection": (0.3, 0.95)}
_DEFAULT_BOUNDS = (0.25, 0.75)
_GRID = [round(0.05 * i, 2) for i in range(2, 19)]
#: The ``harmful`` threshold decides the headline trade-off (recall against benign false positives), and the
#: out-of-fold scores are dense near it: a step of 0.05 would throw away recall to stay under the FPR cap.
_FINE_GRID = [round(0.01 * i, 2) for i in range(10, 99)]
_INJECTION_GRID = [round(0.05 * i, 2) for i in range(2, 20)]
#: Highest false-positive rate on ordinary benign prompts (out-of-fold) the ``harmful`` threshold may accept:
#: the goal is 3%; the margin absorbs the noise of an estimate made on a few hundred prompts.
MAX_OOF_BENIGN_FPR = 0.025
#: Benign rows that are not ordinary prompts to an assistant: XSTest's deliberate lookalikes and the OpenAI
#: moderation set's unflagged texts (comments and posts: content, not requests). They count through F1 only, not
#: against the cap; the benchmark reports their false-positive rates apart.
NOT_ORDINARY_SOURCES = frozenset({"xstest", "openai_moderation"})


@dataclass(frozen=True)
class TrainReport:
    out_dir: str
    seed: int
    arch: str
    epochs: int
    folds: int
    n_train: int
    n_test: int
    seconds: float
    thresholds: dict[str, float]
    cv_metrics: dict[str, float]
    losses: list[float] = field(default_factory=list)
    encoder: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def source_of(ex: Example) -> str:
    """The public source a row comes from (``authored`` for our own writing): what leave-one-source-out holds out."""
    return ex.source.split("/")[0]


def rule_scores(examples: Sequence[Example], lexicon: Lexicon) -> list[dict[str, float]]:
    """The rule cues' scores of each example, read from the same text the tagger's rules read."""
    nlp = spacy.blank("en")
    rules = RuleSet.load(nlp.vocab)
    return [rules.scores(nlp.make_doc(model_text(ex.turns, lexicon))) for ex in examples]


def _cats(ex: Example, hazards: Sequence[str]) -> dict[str, float]:
    cats = {h: float(h in ex.hazards) for h in hazards}
    # ``harmful`` means "asks for something hazardous"; an injection without a hazard is left to the injection
    # head and the rules, so injection wording alone does not make the harm head fire on ordinary prompts.
    cats[HARMFUL] = float(ex.harmful and bool(ex.hazards))
    for tactic in MODEL_TACTICS:
        cats[tactic] = float(ex.tactic == tactic)
    return cats


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def _best(candidates: Sequence[float], score: Callable[[float], float], bounds: tuple[float, float]) -> float:
    lo, hi = bounds
    grid = [t for t in candidates if lo <= t <= hi]
    best = max(grid, key=lambda t: (round(score(t), 6), -abs(t - 0.5)))
    return best


def best_under_cap(
    candidates: Sequence[T],
    score: Callable[[T], float],
    fpr: Callable[[T], float],
    cap: float,
) -> tuple[T, bool]:
    """The candidate with the best ``score`` among those whose ``fpr`` is at most ``cap``, and True; when none is,
    the most conservative candidate (lowest ``fpr``, then best ``score``), and False: the cap was not met. Ties go
    to the earlier candidate."""
    rates = [fpr(c) for c in candidates]
    scores = [round(score(c), 6) for c in candidates]
    within = [i for i, r in enumerate(rates) if r <= cap]
    if within:
        return candidates[max(within, key=lambda i: (scores[i], -i))], True
    return candidates[min(range(len(candidates)), key=lambda i: (round(rates[i], 6), -scores[i], i))], False


def _f1_at(scores: Sequence[float], gold: Sequence[bool]) -> Callable[[float], float]:
    """F1 of ``score >= threshold`` against ``gold``, as a function of the threshold."""

    def f1(threshold: float) -> float:
        tp = sum(s >= threshold and g for s, g in zip(scores, gold, strict=True))
        fp = sum(s >= threshold and not g for s, g in zip(scores, gold, strict=True))
        fn = sum(g and s < threshold for s, g in zip(scores, gold, strict=True))
        return _f1(tp, fp, fn)

    return f1


@dataclass(frozen=True)
class Calibration:
    """Thresholds and whether the false-positive cap held for the two labels that decide "harmful"."""

    thresholds: dict[str, float]
    #: False when no pair of ``prompt_injection`` and ``harmful`` thresholds kept ordinary prompts' false-positive
    #: rate under the cap, so the most conservative pair was taken.
    cap_met: bool
    #: Share of ordinary held-out prompts tagged harmful at the chosen thresholds.
    ordinary_fpr: float


def calibrate(
    held: Sequence[Example],
    cats: Sequence[dict[str, float]],
    rules: Sequence[dict[str, float]],
    hazards: list[str],
    cap: float = MAX_OOF_BENIGN_FPR,
    *,
    reader: Sequence[float] | None = None,
    harmful_grid: Sequence[float] | None = None,
    cap_rows: Sequence[bool] | None = None,
) -> Calibration:
    """Per-label thresholds that maximise F1 on held-out predictions.

    ``prompt_injection`` and ``harmful`` (a prompt is harmful when either fires) are chosen together, among the
    pairs that keep the false-positive rate on ordinary prompts at most ``cap``; when none does, the most
    conservative pair (lowest false-positive rate) is taken and :attr:`Calibration.cap_met` says so. ``reader``
    (tagger 2.1) is the injection reader's score of each row, a third piece of injection evidence; ``harmful_grid``
    limits the ``harmful`` thresholds tried (one value: the threshold is kept and only injection's is chosen).
    ``cap_rows`` narrows the ordinary prompts the cap is measured on (default: every ordinary prompt).
    """
    th: dict[str, float] = {}
    inj = np.array(
        [
            or_scores(c["prompt_injection"], r.get("prompt_injection", 0.0))
            for c, r in zip(cats, rules, strict=True)
        ]
    )
    if reader is not None:
        inj = 1.0 - (1.0 - inj) * (1.0 - np.asarray(reader, dtype=np.float64))
    harm = np.array([c[HARMFUL] for c in cats])
    gold_inj = np.array([ex.tactic == "prompt_injection" for ex in held])
    gold_harm = np.array([ex.harmful for ex in held])
    # the false-positive budget is spent on ordinary prompts; lookalikes and content only count through F1
    benign = np.array([ex.tactic is None and source_of(ex) not in NOT_ORDINARY_SOURCES for ex in held])
    if cap_rows is not None:
        benign &= np.asarray(cap_rows, dtype=bool)

    def f1_of(preds: np.ndarray, gold: np.ndarray) -> float:
        tp = int((preds & gold).sum())
        return _f1(tp, int((preds & ~gold).sum()), int((gold & ~preds).sum()))

    def preds(pair: tuple[float, float]) -> np.ndarray:
        return (inj >= pair[0]) | (harm >= pair[1])

    def benign_fpr(pair: tuple[float, float]) -> float:
        return float(preds(pair)[benign].mean()) if benign.any() else 0.0

    def joint_f1(pair: tuple[float, float]) -> float:
        return f1_of(preds(pair), gold_harm) + f1_of(inj >= pair[0], gold_inj)

    # the two thresholds share one false-positive budget (an injection flag is a harmful flag), so they are chosen
    # together: the best harmful F1 + injection F1 among the pairs within the cap
    lo_i, hi_i = _BOUNDS["prompt_injection"]
    lo_h, hi_h = _BOUNDS[HARMFUL]
    harm_grid = [t for t in _FINE_GRID if lo_h <= t <= hi_h] if harmful_grid is None else list(harmful_grid)
    pairs = [(ti, thr) for ti in _INJECTION_GRID if lo_i <= ti <= hi_i for thr in harm_grid]
    (th["prompt_injection"], th[HARMFUL]), cap_ok = best_under_cap(pairs, joint_f1, benign_fpr, cap)
    harmful_idx = [i for i, ex in enumerate(held) if ex.harmful]
    for h in hazards:
        gold = [h in held[i].hazards for i in harmful_idx]
        if sum(gold) < 4:
            th[h] = 0.5
            continue
        th[h] = _best(_GRID, _f1_at([cats[i][h] for i in harmful_idx], gold), _DEFAULT_BOUNDS)
    for tactic in ("social_engineering", "gradual_escalation"):
        gold = [held[i].tactic == tactic for i in harmful_idx]
        scores = [or_scores(cats[i][tactic], rules[i].get(tactic, 0.0)) for i in harmful_idx]
        th[tactic] = 0.5 if sum(gold) < 3 else _best(_GRID, _f1_at(scores, gold), _DEFAULT_BOUNDS)
    not_harm = [i for i, ex in enumerate(held) if not ex.harmful]
    gold_edge = [held[i].tactic == "edge_case" for i in not_harm]
    th["edge_case"] = _best(
        _GRID, _f1_at([cats[i]["edge_case"] for i in not_harm], gold_edge), _DEFAULT_BOUNDS
    )
    return Calibration(
        thresholds=th,
        cap_met=cap_ok,
        ordinary_fpr=round(benign_fpr((th["prompt_injection"], th[HARMFUL])), 4),
    )


def _digest(examples: Sequence[Example]) -> str:
    h = hashlib.sha256()
    for ex in examples:
        h.update(f"{ex.key}\t{ex.tactic}\t{','.join(ex.hazards)}\n".encode())
    return h.hexdigest()[:16]


def _fit(
    examples: Sequence[Example], hazards: list[str], arch: str, epochs: int, seed: int, lexicon: Lexicon
) -> tuple[Language, list[float]]:
    fix_random_seed(seed)
    rng = random.Random(seed)
    nlp = build_pipeline(labels_for(hazards), arch)
    data = [
        SpacyExample.from_dict(nlp.make_doc(model_text(ex.turns, lexicon)), {"cats": _cats(ex, hazards)})
        for ex in examples
    ]
    optimizer = nlp.initialize(lambda: data)
    losses_per_epoch: list[float] = []
    for _epoch in range(epochs):
        rng.shuffle(data)
        losses: dict[str, float] = {}
        for batch in minibatch(data, size=compounding(4.0, 32.0, 1.05)):
            nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
        losses_per_epoch.append(round(losses.get("textcat_multilabel", 0.0), 4))
    return nlp, losses_per_epoch


def train(
    corpus_dir: Path | str | None,
    out_dir: Path | str,
    seed: int = 0,
    *,
    epochs: int = DEFAULT_EPOCHS,
    arch: str = "bow",
    folds: int = FOLDS,
    taxonomy: Taxonomy | None = None,
    exclude_sources: Sequence[str] = (),
    encoder: bool = True,
    consult_at: float = CONSULT_AT,
    weight: float = HEAD_WEIGHT,
    log: Callable[[str], None] | None = None,
) -> TrainReport:
    """Train on the corpus's train split, calibrate thresholds on out-of-fold predictions, write the model.

    ``folds`` models are trained on all but one fold each to score the held-out fold; the thresholds are chosen
    on those out-of-fold scores; the shipped model is then trained on the whole train split. ``folds=0`` skips
    the cross-validation and keeps the thresholds at 0.5 (for quick experiments and tests). With ``encoder``
    (the default) a second classifier learns from sentence embeddings (:mod:`prefloop.curator.tagging.head`) and the
    tagger blends the two; without it the model is the bag-of-words classifier alone. ``consult_at`` is the
    bag-of-words score from which the encoder is consulted (lower: more recall on unfamiliar wordings, slower),
    ``weight`` the head's share of the blended scores. With ``consult_at=0`` and ``weight=1`` (issue 15's
    candidate, not the packaged model) the head reads every prompt and decides every label; its thresholds are then
    calibrated on out-of-source scores (:mod:`prefloop.curator.tagging.crossfit`) instead of the bag-of-words folds.
    """
    if folds == 1:
        raise TaggingError(messages.FOLDS_ONE, value=folds)
    started = time.perf_counter()
    say = log or (lambda _m: None)
    tax = taxonomy or Taxonomy.load()
    hazards = tax.hazard_names
    corpus = load_corpus(corpus_dir, set(tax.tactic_names), set(hazards))
    corpus = sorted((ex for ex in corpus if source_of(ex) not in exclude_sources), key=lambda e: e.key)
    train_set = [ex for ex in corpus if ex.split == "train"]
    n_test = len(corpus) - len(train_set)
    lexicon = Lexicon.load(DEFAULT_LEXICON_PATH)
    labels = labels_for(hazards)
    embeddings: np.ndarray | None = None
    if encoder:
        embeddings = embed_cached([encoder_text(ex.turns) for ex in train_set], log=say)
        say(messages.TRAIN_ENCODED.format(count=len(train_set)))
    targets = targets_of(train_set, hazards)
    head_reads_all = embeddings is not None and weight >= 1.0 and consult_at <= 0.0

    oof_examples: list[Example] = []
    oof_cats: list[dict[str, float]] = []
    oof_rules: list[dict[str, float]] = []
    if head_reads_all and folds and embeddings is not None:
        # the head decides every label on every prompt: calibrate on its out-of-source scores
        oof_examples = list(train_set)
        oof_rules = rule_scores(train_set, lexicon)
        oof_cats = out_of_source_cats(train_set, embeddings, hazards, folds, seed)
        say(messages.TRAIN_FOLD.format(fold=folds, folds=folds, held=len(train_set)))
    for k in range(0 if head_reads_all else folds):
        fit_on = [ex for ex in train_set if ex.fold % folds != k]
        held = [ex for ex in train_set if ex.fold % folds == k]
        nlp_k, _ = _fit(fit_on, hazards, arch, epochs, seed, lexicon)
        rules_k = RuleSet.load(nlp_k.vocab)
        docs = list(nlp_k.pipe(model_text(ex.turns, lexicon) for ex in held))
        held_cats = [dict(d.cats) for d in docs]
        if embeddings is not None:
            fit_idx = [i for i, ex in enumerate(train_set) if ex.fold % folds != k]
            held_idx = [i for i, ex in enumerate(train_set) if ex.fold % folds == k]
            head_k = Head.fit(embeddings[fit_idx], targets[fit_idx], labels, seed)
            held_cats = _blended(held_cats, head_k, embeddings[held_idx], consult_at, weight)
        for ex, cats, doc in zip(held, held_cats, docs, strict=True):
            oof_examples.append(ex)
            oof_cats.append(cats)
            oof_rules.append(rules_k.scores(doc))
        say(messages.TRAIN_FOLD.format(fold=k + 1, folds=folds, held=len(held)))
    cap_met: bool | None = None
    if oof_examples:
        calibrated = calibrate(oof_examples, oof_cats, oof_rules, hazards)
        thresholds, cap_met = calibrated.thresholds, calibrated.cap_met
        if not cap_met:
            say(messages.TRAIN_CAP_MISSED.format(cap=MAX_OOF_BENIGN_FPR, fpr=calibrated.ordinary_fpr))
        cv_metrics = _cv_metrics(oof_examples, oof_cats, oof_rules, thresholds, hazards)
    else:
        thresholds = {name: 0.5 for name in (*hazards, HARMFUL, *MODEL_TACTICS)}
        cv_metrics = {}

    nlp, losses = _fit(train_set, hazards, arch, epochs, seed, lexicon)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    (out / HEAD_FILE).unlink(missing_ok=True)
    encoder_meta = None
    if embeddings is not None:
        size = {"hidden": READ_ALL_HIDDEN, "epochs": READ_ALL_EPOCHS} if head_reads_all else {}
        Head.fit(embeddings, targets, labels, seed, **size).save(out / HEAD_FILE)
        encoder_meta = {
            "id": ENCODER_ID,
            "sha256": ENCODER_SHA256,
            "weight": weight,
            "consult_at": consult_at,
        }
    (out / LEXICON_FILE).write_text(DEFAULT_LEXICON_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    seconds = time.perf_counter() - started
    report = TrainReport(
        out_dir=str(out),
        seed=seed,
        arch=arch,
        epochs=epochs,
        folds=folds,
        n_train=len(train_set),
        n_test=n_test,
        seconds=round(seconds, 1),
        thresholds=thresholds,
        cv_metrics=cv_metrics,
        losses=losses,
        encoder=ENCODER_ID if embeddings is not None else None,
    )
    meta = {
        "tagger_version": Tagger.VERSION,
        "thresholds": thresholds,
        "corpus_digest": _digest(corpus),
        "excluded_sources": list(exclude_sources),
        "trained_sources": sorted({source_of(ex) for ex in train_set}),
        "calibration": {
            "on": "out-of-source" if head_reads_all else "out-of-fold",
            "ordinary_fpr_cap": MAX_OOF_BENIGN_FPR,
            "cap_met": cap_met,
        },
        "encoder": encoder_meta,
        "report": {
            k: v for k, v in report.to_dict().items() if k not in ("out_dir", "thresholds", "seconds")
        },
    }
    (out / THRESHOLDS_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    say(messages.TRAIN_DONE.format(train=len(train_set), test=n_test, folds=folds, seconds=seconds, out=out))
    return report


def targets_of(examples: Sequence[Example], hazards: list[str]) -> np.ndarray:
    """The 0/1 label matrix the head learns (columns: :func:`labels_for` ``hazards``)."""
    labels = labels_for(hazards)
    return np.array([[_cats(ex, hazards)[label] for label in labels] for ex in examples], dtype=np.float32)


def out_of_source_cats(
    examples: Sequence[Example], x: np.ndarray, hazards: list[str], groups: int, seed: int
) -> list[dict[str, float]]:
    """Each example's head scores from heads that never saw its source (:mod:`.crossfit`), as ``{label: score}``."""
    labels = labels_for(hazards)
    scores = out_of_source_scores(
        x,
        targets_of(examples, hazards),
        calibration_groups([source_of(ex) for ex in examples], [ex.fold for ex in examples], groups),
        lambda xs, ys: Head.fit(xs, ys, labels, seed, hidden=READ_ALL_HIDDEN, epochs=READ_ALL_EPOCHS),
    )
    return [dict(zip(labels, map(float, row), strict=True)) for row in scores]


def _blended(
    cats: list[dict[str, float]], head: Head, embeddings: np.ndarray, consult_at: float, weight: float
) -> list[dict[str, float]]:
    """``cats`` with the head's scores blended in where the tagger would consult the encoder."""
    return [
        blend(c, head_scores, weight) if consult(c, consult_at) else c
        for c, head_scores in zip(cats, head.label_scores(embeddings), strict=True)
    ]


def _cv_metrics(
    held: Sequence[Example],
    cats: Sequence[dict[str, float]],
    rules: Sequence[dict[str, float]],
    thresholds: dict[str, float],
    hazards: list[str],
) -> dict[str, float]:
    tags = [decide(c, r, thresholds, hazards) for c, r in zip(cats, rules, strict=True)]
    tp = sum(t.harmful and ex.harmful for t, ex in zip(tags, held, strict=True))
    fp = sum(t.harmful and not ex.harmful for t, ex in zip(tags, held, strict=True))
    fn = sum(ex.harmful and not t.harmful for t, ex in zip(tags, held, strict=True))
    benign = sum(not ex.harmful for ex in held)
    return {"harmful_f1": round(_f1(tp, fp, fn), 4), "benign_fpr": round(fp / max(1, benign), 4)}
