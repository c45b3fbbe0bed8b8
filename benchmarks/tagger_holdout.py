"""What `benchmarks.tagger` holds out: the frozen and blind ordinary prompts, the candidate recipe and the
injection reader fitted without one source at a time (thresholds calibrated on out-of-source scores only)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: Sources that are our own writing: the base of every leave-one-source-out model, never held out.
from benchmarks.tagger_scoring import log, rate, world_metrics
from prefloop.curator.tagging import Tagger, Tags, Taxonomy
from prefloop.curator.tagging.corpus import DEFAULT_CORPUS_DIR, Example, parse_authored
from prefloop.curator.tagging.crossfit import CALIBRATION_GROUPS
from prefloop.curator.tagging.embeddings import embed_cached
from prefloop.curator.tagging.features import Lexicon, encoder_text
from prefloop.curator.tagging.head import READ_ALL_EPOCHS, READ_ALL_HIDDEN, Head
from prefloop.curator.tagging.model import labels_for
from prefloop.curator.tagging.reader_training import (
    ReaderFit,
    fit_reader,
    reader_inputs,
)
from prefloop.curator.tagging.tags import decide
from prefloop.curator.tagging.training import (
    Calibration,
    calibrate,
    out_of_source_cats,
    rule_scores,
    source_of,
    targets_of,
)

BASE_SOURCES = frozenset({"authored"})
#: What tagger 2.0 (which did not record its sources) was trained on.
TAGGER_2_SOURCES = ("authored", "fastchat_bench", "harmbench", "hh_rlhf", "jailbreakbench", "xstest")


HELDOUT_DIR = DEFAULT_CORPUS_DIR / "heldout"
#: Session 7's blind ordinary prompts, frozen before that session's tuning (the heldout set's misses had been read).
BLIND_DIR = DEFAULT_CORPUS_DIR / "blind"


def heldout_examples(folder: Path = HELDOUT_DIR) -> list[Example]:
    """The frozen evaluation prompts (same format as ``authored/*.txt``); never read by training."""
    return [ex for path in sorted(folder.glob("*.txt")) for ex in parse_authored(path)]


def candidate(
    fit_on: Sequence[Example],
    x: np.ndarray,
    rules: Sequence[dict[str, float]],
    hazards: list[str],
    seed: int = 0,
) -> tuple[Head, Calibration]:
    """Issue 15's candidate fitted on ``fit_on`` (embeddings ``x``): the head, and its thresholds calibrated on its
    out-of-source scores (what ``prefloop tagger train --consult-at 0 --head-weight 1`` computes)."""
    cats = out_of_source_cats(fit_on, x, hazards, CALIBRATION_GROUPS, seed)
    cal = calibrate(fit_on, cats, rules, hazards)
    size = {"hidden": READ_ALL_HIDDEN, "epochs": READ_ALL_EPOCHS}
    return Head.fit(x, targets_of(fit_on, hazards), labels_for(hazards), seed, **size), cal


def candidate_on_frozen(corpus: list[Example], frozen: list[Example], tax: Taxonomy) -> dict[str, Any]:
    """The candidate fitted on the whole train split, on the frozen ordinary prompts (never trained on)."""
    hazards = tax.hazard_names
    lexicon = Lexicon.load()
    fit_on = [e for e in corpus if e.split == "train"]
    x = embed_cached([encoder_text(e.turns) for e in fit_on], log=log)
    head, cal = candidate(fit_on, x, rule_scores(fit_on, lexicon), hazards)
    scores = head.label_scores(embed_cached([encoder_text(e.turns) for e in frozen], log=log))
    rules = rule_scores(frozen, lexicon)
    pairs = [
        (e, decide(c, r, cal.thresholds, hazards)) for e, c, r in zip(frozen, scores, rules, strict=True)
    ]
    return world_metrics(pairs, hazards)


def leave_one_source_out(
    corpus: list[Example], sources: Sequence[str], tax: Taxonomy, seed: int = 0
) -> tuple[dict[str, dict[str, Any]], list[tuple[Example, Tags]]]:
    """Per held-out source S, the metrics of a model trained without S on every row of S; and all tagged rows.

    The model is issue 15's candidate recipe (the head reads every prompt and decides): the head fitted on the train split
    of every other source, its thresholds calibrated on that set's out-of-source scores (``train``'s
    ``out_of_source_cats`` + ``calibrate``), so S decides nothing. Embeddings come from the disk cache
    (``.cache/tagger``), so each of the 15 models costs five head fits, not an encoder pass. Tags are decided
    from the head's scores and the rules as the tagger decides them; the one thing left out is the bag-of-words
    reading of a conversation's first turn, which only moves a harmful conversation between tactics.
    """
    hazards = tax.hazard_names
    x = embed_cached([encoder_text(e.turns) for e in corpus], log=log)
    rules = rule_scores(corpus, Lexicon.load())
    per: dict[str, dict[str, Any]] = {}
    pooled: list[tuple[Example, Tags]] = []
    for name in sources:
        pool = [i for i, e in enumerate(corpus) if source_of(e) != name and e.split == "train"]
        rows = [i for i, e in enumerate(corpus) if source_of(e) == name]
        head, cal = candidate([corpus[i] for i in pool], x[pool], [rules[i] for i in pool], hazards, seed)
        pairs = [
            (corpus[i], decide(c, rules[i], cal.thresholds, hazards))
            for i, c in zip(rows, head.label_scores(x[rows]), strict=True)
        ]
        per[name] = {
            **world_metrics(pairs, hazards),
            "thresholds": {k: cal.thresholds[k] for k in ("harmful", "prompt_injection")},
            "cap_met": cal.cap_met,
            "calibration_ordinary_fpr": cal.ordinary_fpr,
        }
        pooled.extend(pairs)
        m = per[name]
        log(
            f"without {name} ({len(pairs)} rows): harmful recall {m['harmful_recall']}, injection recall "
            f"{m['injection_recall']}, hazard macro recall {m['hazard_macro_recall']}, ordinary FPR "
            f"{m['ordinary_fpr']}, XSTest safe FPR {m['xstest_safe_fpr']}; thresholds {m['thresholds']}, "
            f"FPR cap met {m['cap_met']}"
        )
    return per, pooled


def _on_prompts(
    tagger: Tagger, fit: ReaderFit, prompts: list[Example], reader_at: float | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``tagger`` with ``fit``'s reader and threshold, and ``tagger`` alone, on ``prompts`` (both errors each)."""
    hazards = tagger.taxonomy.hazard_names
    th = {**tagger.thresholds, **{"prompt_injection": fit.calibration.thresholds["prompt_injection"]}}
    data = reader_inputs(tagger, prompts, log=log)
    scores = fit.reader.predict(data.grams)
    rows = list(zip(data.examples, data.readings, data.heads, scores, strict=True))
    with_reader = [(e, tagger.decide(r, h, float(s), th, reader_at)) for e, r, h, s in rows]
    alone = [(e, tagger.decide(r, h, None)) for e, r, h, _s in rows]
    return world_metrics(with_reader, hazards), world_metrics(alone, hazards)


def reader_leave_one_source_out(
    tagger: Tagger,
    corpus: list[Example],
    sources: Sequence[str],
    frozen: list[Example],
    reader_at: float | None = None,
    seed: int = 0,
    blind: list[Example] | None = None,
) -> dict[str, Any]:
    """Tagger 2.1's injection reader held out per source, on top of ``tagger``'s words and encoder head.

    For each source S (in the headline, one of the ten the base model never trained on, so words and head never saw
    it either): a reader fitted on the train split of every other source, the injection threshold calibrated on
    that set's out-of-source reader scores (:func:`fit_reader`; S decides nothing), every row of S tagged. The base
    model alone is scored on the same rows in the same run (``base``). The frozen ordinary prompts are tagged with
    a reader fitted on the whole train split, and so are session 7's blind ordinary prompts (``blind``). Embeddings
    come from the disk cache. ``tagger`` is the base model (no reader of its own).
    """
    data = reader_inputs(tagger, corpus, log=log)
    hazards = tagger.taxonomy.hazard_names
    out: dict[str, Any] = {"by_source": {}, "base_by_source": {}}
    pooled: list[tuple[Example, Tags]] = []
    base: list[tuple[Example, Tags]] = []
    for name in sources:
        pool = [i for i, e in enumerate(corpus) if source_of(e) != name and e.split == "train"]
        rows = [i for i, e in enumerate(corpus) if source_of(e) == name]
        fit = fit_reader(tagger, data.subset(pool), seed, reader_at=reader_at)
        th = {**tagger.thresholds, **{"prompt_injection": fit.calibration.thresholds["prompt_injection"]}}
        held = data.subset(rows)
        scores = fit.reader.predict(held.grams)
        pairs = [
            (e, tagger.decide(r, h, float(s), th, reader_at))
            for e, r, h, s in zip(held.examples, held.readings, held.heads, scores, strict=True)
        ]
        alone = [
            (e, tagger.decide(r, h, None))
            for e, r, h in zip(held.examples, held.readings, held.heads, strict=True)
        ]
        out["by_source"][name] = {
            **world_metrics(pairs, hazards),
            "prompt_injection_threshold": th["prompt_injection"],
            "cap_met": fit.calibration.cap_met,
            "calibration_ordinary_fpr": fit.calibration.ordinary_fpr,
            "consulted": rate(
                [tagger.consults(r, float(s), reader_at) for r, s in zip(held.readings, scores, strict=True)]
            ),
        }
        out["base_by_source"][name] = world_metrics(alone, hazards)
        pooled.extend(pairs)
        base.extend(alone)
        m = out["by_source"][name]
        log(
            f"reader without {name} ({len(pairs)} rows): injection recall {m['injection_recall']} "
            f"(base {out['base_by_source'][name]['injection_recall']}), harmful recall {m['harmful_recall']}, "
            f"ordinary FPR {m['ordinary_fpr']} (base {out['base_by_source'][name]['ordinary_fpr']}); injection "
            f"threshold {m['prompt_injection_threshold']}, cap met {m['cap_met']}, consulted {m['consulted']}"
        )
    out["pooled"] = world_metrics(pooled, hazards)
    out["base_pooled"] = world_metrics(base, hazards)
    train = [i for i, e in enumerate(corpus) if e.split == "train"]
    fit = fit_reader(tagger, data.subset(train), seed, reader_at=reader_at)
    th = {**tagger.thresholds, **{"prompt_injection": fit.calibration.thresholds["prompt_injection"]}}
    out["frozen"], out["frozen_base"] = _on_prompts(tagger, fit, frozen, reader_at)
    if blind:
        out["blind"], out["blind_base"] = _on_prompts(tagger, fit, blind, reader_at)
    out["train_split_threshold"] = th["prompt_injection"]
    out["train_split_cap_met"] = fit.calibration.cap_met
    return out
