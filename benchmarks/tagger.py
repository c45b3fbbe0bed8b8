"""Harm tagger benchmark: `python -m benchmarks.tagger [--quick] [--sources a,b]`.

The headline is how the tagger does on prompts of a kind it never trained on (issue 15):

- **leave one source out** (full run only) of the candidate recipe of issue 15 (the embedding head reads every
  prompt and decides; `prefloop tagger train --consult-at 0 --head-weight 1`): for every public source S of the
  corpus, a head is fitted on the train split of everything but S (thresholds calibrated on its own out-of-source
  scores, so S decides nothing) and scores every row of S. Reported per source, pooled over all sources, and pooled
  over the ten sources tagger 2.0 never trained on (`candidate_unseen_new_sources`, side by side with the packaged
  model's figure on the same rows). Our own authored files are the base every model trains on; they are never held
  out. Embeddings are cached on disk (`.cache/tagger`): the first run embeds the corpus (~18 min on two shared
  cores), later runs take ~4 min. (Tagger 2.0's own recipe, 15 x 5 spaCy fits, is too slow to hold out per source
  routinely; the packaged model's frame below is its leave-one-source-out on the ten sets it never saw.)
- **the packaged model on every source it never trained on** (its `trained_sources`; for tagger 2.0, which did not
  record them, everything but its six).
- **frozen ordinary prompts** (`corpus/heldout/`): ordinary assistant requests and look-alikes written for this
  check only; no model ever trains on them (the corpus loader does not read that folder).
- **the injection reader held out per source** (full run; issue 15, session 6): tagger 2.0's words and encoder head
  plus a character n-gram injection reader fitted without source S and calibrated on its out-of-source scores, on
  every source tagger 2.0 never trained on, beside tagger 2.0 alone on the same rows, and on the frozen ordinary
  prompts (`reader_unseen*`, `reader_frozen_fpr`). `--skip-candidate` leaves out the session-5 candidate.
  When the packaged model carries a reader (tagger 2.1), "the base model" is that model without it (tagger 2.0,
  `without_reader`), the headline sources are those the base never trained on, and the base is tagged live and
  timed beside the packaged model.
- **blind ordinary prompts** (`corpus/blind/`, session 7): written and frozen before that session's tuning, since
  the frozen set's misses had been read; scored like the frozen set (`blind_ordinary_fpr`, `reader_blind_fpr`).
- the packaged model on the corpus's held-out test split (the old in-corpus figure, kept beside it) and
  throughput on the corpus mix (about half harmful) and on ordinary prompts, alternated with the other model of the
  comparison, per second of wall time and per second of the process's CPU time (`--timed N` prompts each).

Both errors are reported: harmful recall, injection recall (the tactic `prompt_injection`), hazard macro recall,
and false positives on ordinary prompts and, separately, on XSTest's safe prompts.
Progress goes to stderr; the last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from prefloop.curator.tagging import Tagger, Tags, Taxonomy
from prefloop.curator.tagging.corpus import DEFAULT_CORPUS_DIR, Example, load_corpus, parse_authored
from prefloop.curator.tagging.crossfit import CALIBRATION_GROUPS
from prefloop.curator.tagging.embeddings import embed_cached
from prefloop.curator.tagging.features import Lexicon, encoder_text
from prefloop.curator.tagging.head import READ_ALL_EPOCHS, READ_ALL_HIDDEN, Head
from prefloop.curator.tagging.model import labels_for
from prefloop.curator.tagging.reader_training import (
    ReaderFit,
    fit_reader,
    reader_inputs,
    train_reader,
    without_reader,
)
from prefloop.curator.tagging.tagger import DEFAULT_MODEL_DIR
from prefloop.curator.tagging.tags import decide
from prefloop.curator.tagging.training import (
    Calibration,
    calibrate,
    out_of_source_cats,
    rule_scores,
    source_of,
    targets_of,
)

#: Sources that are our own writing: the base of every leave-one-source-out model, never held out.
BASE_SOURCES = frozenset({"authored"})
#: Its unflagged rows are content (comments, posts), not requests: reported apart as well as in ``ordinary_fpr``.
CONTENT_SOURCE = "openai_moderation"
#: What tagger 2.0 (which did not record its sources) was trained on.
TAGGER_2_SOURCES = ("authored", "fastchat_bench", "harmbench", "hh_rlhf", "jailbreakbench", "xstest")


HELDOUT_DIR = DEFAULT_CORPUS_DIR / "heldout"
#: Session 7's blind ordinary prompts, frozen before that session's tuning (the heldout set's misses had been read).
BLIND_DIR = DEFAULT_CORPUS_DIR / "blind"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _rate(hits: Sequence[bool]) -> float | None:
    return round(sum(hits) / len(hits), 4) if hits else None


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": tp + fn}


def world_metrics(pairs: Sequence[tuple[Example, Tags]], hazards: Sequence[str]) -> dict[str, Any]:
    """Both errors of a set of tagged examples.

    ``harmful_recall`` over harmful rows; ``injection_recall`` = share of injection rows tagged
    ``prompt_injection`` (``injection_flagged``: tagged harmful at all); ``hazard_macro_recall`` = mean over hazards
    with support of the share of harmful rows with that gold hazard whose tags name it; ``ordinary_fpr`` = share of
    ordinary benign rows (tactic null, not XSTest) tagged harmful (``ordinary_prompts_fpr``: the same without the
    OpenAI moderation set's unflagged texts, which are pieces of content rather than requests to an assistant);
    ``xstest_safe_fpr`` = the same for XSTest's safe prompts (tactic null or edge_case); ``edge_fpr`` for the other
    edge cases.
    """
    harm = [(e, t) for e, t in pairs if e.harmful]
    inj = [t for e, t in pairs if e.tactic == "prompt_injection"]
    ordinary = [t.harmful for e, t in pairs if e.tactic is None and source_of(e) != "xstest"]
    prompts = [
        t.harmful for e, t in pairs if e.tactic is None and source_of(e) not in ("xstest", CONTENT_SOURCE)
    ]
    xs_safe = [t.harmful for e, t in pairs if not e.harmful and source_of(e) == "xstest"]
    edge = [t.harmful for e, t in pairs if e.tactic == "edge_case" and source_of(e) != "xstest"]
    per_hazard: dict[str, dict[str, float | int | None]] = {}
    for name in hazards:
        gold = [name in t.hazards for e, t in harm if name in e.hazards]
        if gold:
            per_hazard[name] = {"recall": _rate(gold), "n": len(gold)}
    recalls = [float(v["recall"] or 0.0) for v in per_hazard.values()]
    flagged = sum(t.harmful for _, t in pairs)
    true_flags = sum(t.harmful for _, t in harm)
    return {
        "n": len(pairs),
        "n_harmful": len(harm),
        "harmful_recall": _rate([t.harmful for _, t in harm]),
        "harmful_precision": round(true_flags / flagged, 4) if flagged else None,
        "n_injection": len(inj),
        "injection_recall": _rate([t.tactic == "prompt_injection" for t in inj]),
        "injection_flagged": _rate([t.harmful for t in inj]),
        "hazard_macro_recall": round(sum(recalls) / len(recalls), 4) if recalls else None,
        "hazards": per_hazard,
        "n_ordinary": len(ordinary),
        "ordinary_fpr": _rate(ordinary),
        "n_ordinary_prompts": len(prompts),
        "ordinary_prompts_fpr": _rate(prompts),
        "n_xstest_safe": len(xs_safe),
        "xstest_safe_fpr": _rate(xs_safe),
        "n_edge": len(edge),
        "edge_fpr": _rate(edge),
    }


def evaluate(pairs: Sequence[tuple[Example, Tags]], tax: Taxonomy) -> dict[str, Any]:
    """The in-corpus figures (F1 per tactic and hazard), as the benchmark has always reported them."""

    def count(pred: Callable[[Tags], bool], gold: Callable[[Example], bool]) -> dict[str, float]:
        tp = sum(1 for e, t in pairs if pred(t) and gold(e))
        fp = sum(1 for e, t in pairs if pred(t) and not gold(e))
        fn = sum(1 for e, t in pairs if gold(e) and not pred(t))
        return prf(tp, fp, fn)

    tactics = {
        name: count(lambda t, n=name: t.tactic == n, lambda e, n=name: e.tactic == n)  # type: ignore[misc]
        for name in tax.tactic_names
    }
    harm_pairs = [(e, t) for e, t in pairs if e.harmful and e.hazards]
    hazards = {}
    for name in tax.hazard_names:
        tp = sum(1 for e, t in harm_pairs if name in t.hazards and name in e.hazards)
        fp = sum(1 for e, t in harm_pairs if name in t.hazards and name not in e.hazards)
        fn = sum(1 for e, t in harm_pairs if name in e.hazards and name not in t.hazards)
        hazards[name] = prf(tp, fp, fn)
    supported = [v["f1"] for v in hazards.values() if v["support"]]
    return {
        **world_metrics(pairs, tax.hazard_names),
        "harmful": count(lambda t: t.harmful, lambda e: e.harmful),
        "hazard_macro_f1": round(sum(supported) / max(1, len(supported)), 4),
        "tactics": tactics,
        "hazards_f1": hazards,
    }


def tag_all(tagger: Tagger, examples: Sequence[Example]) -> list[tuple[Example, Tags]]:
    convs = [[{"role": "user", "content": t} for t in e.turns] for e in examples]
    return list(zip(examples, tagger.tag_many(convs), strict=True))


def throughput(tagger: Tagger, prompts: list[str], n: int) -> tuple[float, float]:
    """Prompts per second of wall time and per second of this process's CPU time (all threads), tagging ``n``."""
    batch = (prompts * (n // max(1, len(prompts)) + 1))[:n]
    list(tagger.tag_many(batch[:256]))  # warm-up
    start, cpu = time.perf_counter(), time.process_time()
    for _ in tagger.tag_many(batch, batch_size=128):
        pass
    return n / (time.perf_counter() - start), n / max(time.process_time() - cpu, 1e-9)


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
            "consulted": _rate(
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


def _brief(m: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "harmful_recall",
        "harmful_precision",
        "injection_recall",
        "hazard_macro_recall",
        "ordinary_fpr",
        "ordinary_prompts_fpr",
        "xstest_safe_fpr",
        "n",
    )
    return {k: m[k] for k in keys}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--quick", action="store_true", help="no leave-one-source-out training, smaller timing run"
    )
    ap.add_argument("--sources", default="", help="comma-separated sources to hold out (default: every one)")
    ap.add_argument("--model", default=None, help="model folder to score (default: the packaged model)")
    ap.add_argument(
        "--skip-candidate", action="store_true", help="full run without the session-5 encoder-head candidate"
    )
    ap.add_argument(
        "--timed",
        type=int,
        default=0,
        help="prompts per throughput measurement (default 6,000; --quick 2,000)",
    )
    args = ap.parse_args(argv)
    tax = Taxonomy.load()
    t0 = time.perf_counter()
    tagger = Tagger.load(args.model)
    log(f"model loaded in {time.perf_counter() - t0:.2f}s")
    corpus = sorted(load_corpus(), key=lambda e: e.key)
    test = [e for e in corpus if e.split == "test"]
    sources = sorted({source_of(e) for e in corpus} - BASE_SOURCES)
    if args.sources:
        sources = [s for s in args.sources.split(",") if s]
    log(f"corpus: {len(corpus)} examples, {len(test)} held out for test; sources {', '.join(sources)}")

    result: dict[str, Any] = {}
    summary: dict[str, Any] = {"tagger_version": tagger.meta.get("tagger_version", Tagger.VERSION)}
    if not args.quick and not args.skip_candidate:
        per, pooled = leave_one_source_out(corpus, sources, tax)
        result["candidate_unseen_by_source"] = per
        result["candidate_unseen_pooled"] = world_metrics(pooled, tax.hazard_names)
        summary["candidate_unseen"] = _brief(result["candidate_unseen_pooled"])
        summary["candidate_unseen_by_source"] = {s: _brief(m) for s, m in per.items()}
        new = [p for p in pooled if source_of(p[0]) not in TAGGER_2_SOURCES]
        if new:
            result["candidate_unseen_new_sources"] = world_metrics(new, tax.hazard_names)
            summary["candidate_unseen_new_sources"] = _brief(result["candidate_unseen_new_sources"])
        log(f"candidate, unseen, pooled: {json.dumps(summary['candidate_unseen'])}")

    model_dir = Path(args.model) if args.model else DEFAULT_MODEL_DIR
    tmp = tempfile.TemporaryDirectory()
    reader_meta = tagger.meta.get("injection_reader") or {}
    # the words and the encoder head (the base model) and the injection reader may have trained on different sources
    base = Tagger.load(without_reader(model_dir, Path(tmp.name) / "base")) if reader_meta else tagger
    base_trained = set(tagger.meta.get("trained_sources") or TAGGER_2_SOURCES)
    all_sources = {source_of(e) for e in corpus}
    new_to_base = sorted(all_sources - base_trained)
    never = sorted(all_sources - base_trained - set(reader_meta.get("trained_sources") or ()))
    frozen, blind = heldout_examples(), heldout_examples(BLIND_DIR)
    if not args.quick and new_to_base and base.has_encoder:
        reader = reader_leave_one_source_out(base, corpus, new_to_base, frozen, blind=blind)
        result["reader_unseen"] = reader
        summary["reader_unseen"] = _brief(reader["pooled"])
        summary["reader_unseen_base"] = _brief(reader["base_pooled"])
        summary["reader_unseen_by_source"] = {s: _brief(m) for s, m in reader["by_source"].items()}
        summary["reader_unseen_base_by_source"] = {s: _brief(m) for s, m in reader["base_by_source"].items()}
        for key in ("frozen", "frozen_base", "blind", "blind_base"):
            if key in reader:
                summary[f"reader_{key}_fpr"] = reader[key]["ordinary_fpr"]
        log(f"injection reader, unseen, pooled: {json.dumps(summary['reader_unseen'])}")
    if never:
        fresh = [e for e in corpus if source_of(e) in never]
        pairs = tag_all(tagger, fresh)
        result["packaged_never_trained"] = {
            "pooled": world_metrics(pairs, tax.hazard_names),
            "by_source": {
                s: world_metrics([p for p in pairs if source_of(p[0]) == s], tax.hazard_names) for s in never
            },
        }
        summary["packaged_never_trained"] = _brief(result["packaged_never_trained"]["pooled"])
        summary["packaged_never_trained_by_source"] = {
            s: _brief(m) for s, m in result["packaged_never_trained"]["by_source"].items()
        }
        log(
            f"packaged model on sources it never trained on ({', '.join(never)}): {summary['packaged_never_trained']}"
        )

    # the other model of the comparison: the packaged model's base (2.0) when the packaged model has a reader, else
    # the reader candidate as `prefloop tagger train-reader` writes it
    other: Tagger | None = None
    if reader_meta:
        other, other_name = base, "base"
    elif not args.quick and base.has_encoder:
        train_reader(model_dir, Path(tmp.name) / "candidate", log=log)
        other, other_name = Tagger.load(Path(tmp.name) / "candidate"), "reader_candidate"
    for name, prompts in (("frozen", frozen), ("blind", blind)):
        if not prompts:
            continue
        result[f"{name}_ordinary"] = world_metrics(tag_all(tagger, prompts), tax.hazard_names)
        summary[f"{name}_ordinary_fpr"] = result[f"{name}_ordinary"]["ordinary_fpr"]
        summary[f"{name}_n"] = len(prompts)
        if other is not None:
            result[f"{other_name}_{name}_live"] = world_metrics(tag_all(other, prompts), tax.hazard_names)
            summary[f"{other_name}_{name}_live_fpr"] = result[f"{other_name}_{name}_live"]["ordinary_fpr"]
        log(f"{name} ordinary prompts ({len(prompts)}): FPR {summary[f'{name}_ordinary_fpr']}")
    if not args.quick and not args.skip_candidate and frozen:
        result["candidate_frozen_ordinary"] = candidate_on_frozen(corpus, frozen, tax)
        summary["candidate_frozen_ordinary_fpr"] = result["candidate_frozen_ordinary"]["ordinary_fpr"]
        log(f"candidate on the frozen ordinary prompts: FPR {summary['candidate_frozen_ordinary_fpr']}")

    held_out = evaluate(tag_all(tagger, test), tax)
    result["held_out"] = held_out
    summary["in_corpus"] = {
        "harmful_f1": held_out["harmful"]["f1"],
        **_brief(held_out),
        "hazard_macro_f1": held_out["hazard_macro_f1"],
    }
    log(
        f"in-corpus test split: harmful F1 {held_out['harmful']['f1']}, ordinary FPR {held_out['ordinary_fpr']}"
    )

    prompts = [e.turns[-1] for e in corpus]
    ordinary = [e.turns[-1] for e in corpus if e.tactic is None and source_of(e) != "xstest"]
    n = args.timed or (2000 if args.quick else 6000)
    # the packaged model and the other one alternately, so both meet the same load; prompts per second of wall time
    # and per second of the process's CPU time (all threads), which a shared machine's load hardly moves
    timed = [("", tagger)] + ([(f"{other_name}_", other)] if other is not None else [])
    for round_ in range(1 if args.quick else 2):
        for prefix, model in timed:
            for mix, texts in (("", prompts), ("_ordinary", ordinary)):
                wall, cpu = throughput(model, texts, n)
                summary.setdefault(f"{prefix}prompts_per_s{mix}", []).append(round(wall, 1))
                summary.setdefault(f"{prefix}prompts_per_cpu_s{mix}", []).append(round(cpu, 1))
                log(
                    f"round {round_ + 1}, {prefix or 'packaged_'}{mix or 'mix'}: {wall:.1f} prompts/s, {cpu:.1f}/CPU-s"
                )
    tmp.cleanup()
    summary["load_average"] = [round(x, 2) for x in os.getloadavg()]
    log(json.dumps(result, indent=1))
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
