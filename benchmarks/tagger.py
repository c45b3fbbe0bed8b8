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
from pathlib import Path
from typing import Any

#: Sources that are our own writing: the base of every leave-one-source-out model, never held out.
from benchmarks.tagger_holdout import (
    BASE_SOURCES,
    BLIND_DIR,
    TAGGER_2_SOURCES,
    candidate_on_frozen,
    heldout_examples,
    leave_one_source_out,
    reader_leave_one_source_out,
)
from benchmarks.tagger_scoring import brief, evaluate, log, tag_all, throughput, world_metrics
from prefloop.curator.tagging import Tagger, Taxonomy
from prefloop.curator.tagging.corpus import load_corpus
from prefloop.curator.tagging.reader_training import (
    train_reader,
    without_reader,
)
from prefloop.curator.tagging.tagger import DEFAULT_MODEL_DIR
from prefloop.curator.tagging.training import (
    source_of,
)


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
        summary["candidate_unseen"] = brief(result["candidate_unseen_pooled"])
        summary["candidate_unseen_by_source"] = {s: brief(m) for s, m in per.items()}
        new = [p for p in pooled if source_of(p[0]) not in TAGGER_2_SOURCES]
        if new:
            result["candidate_unseen_new_sources"] = world_metrics(new, tax.hazard_names)
            summary["candidate_unseen_new_sources"] = brief(result["candidate_unseen_new_sources"])
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
        summary["reader_unseen"] = brief(reader["pooled"])
        summary["reader_unseen_base"] = brief(reader["base_pooled"])
        summary["reader_unseen_by_source"] = {s: brief(m) for s, m in reader["by_source"].items()}
        summary["reader_unseen_base_by_source"] = {s: brief(m) for s, m in reader["base_by_source"].items()}
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
        summary["packaged_never_trained"] = brief(result["packaged_never_trained"]["pooled"])
        summary["packaged_never_trained_by_source"] = {
            s: brief(m) for s, m in result["packaged_never_trained"]["by_source"].items()
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
        **brief(held_out),
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
