"""The fine-tuned encoder held out per group of sources: `python -m benchmarks.tagger_finetune score|report`.

Issue 15, session 10. Needs `prefloop[train]` for `score` (torch); `report` needs only the curator extra.

- `score --workdir DIR` (slow, development time; run it under `nice -n 15`): for each of the three groups of
  public sources of :data:`~prefloop.curator.tagging.finetune_data.EVAL_GROUPS`, all-MiniLM-L6-v2 with a
  multi-label head is fine-tuned (:mod:`prefloop.curator.tagging.finetune`) on a capped sample of the train split
  of every *other* source (our authored rows included), then scores **every** row of the held-out group (train and
  test split), the frozen ordinary prompts (176) and the blind ones (182). Scores go to `DIR/fold<g>.npz`, timings
  and settings to `DIR/fold<g>.json`, as each fold ends. `--probe N` trains N batches of the first fold and stops
  (to time an epoch before planning one).
- `report --workdir DIR` (minutes): thresholds for each held-out group are calibrated (`training.calibrate`, the
  shared 2.5 % cap on ordinary prompts) on the **out-of-fold scores of the other two groups** only, then the
  group's rows are tagged. Variants, all fixed before any fold was scored: `ft` (the fine-tuned head decides every
  label, with the rule cues), `ft_reader` (plus a character n-gram injection reader fitted without the group),
  `ft_words` (blended with tagger 2.0's words on every prompt, 0.4 words + 0.6 head, as 2.0 blends a consulted
  prompt), `ft_words_reader` (both). Beside them, on the same rows: the packaged tagger 2.1 and its base 2.0, tagged
  as tagging computes it (their words and head never trained on the ten sets of issue 15; 2.1's reader did, so
  its injection figures here are optimistic for it; session 7 measured them with the reader held out too).
  Reported pooled over the ten sets, per source, and on the frozen and blind prompts (per fold model). The last
  stdout line is one JSON object.
- Session 11: the fold scores may be any per-fold reader's in this format (`benchmarks.tagger_knn` writes a
  nearest-neighbour reader's; its variants are named `knn*`). Three more variants: tagger 2.1's recipe (words, the
  encoder consulted where 2.1 consults it, blended, the held-out reader) with the fold's scores (`ft_gate_reader`),
  the frozen 2.0 head's (`head_gate_reader`) or their mean (`mix_gate_reader`) in the head's place.
  `--thresholds packaged` tags every variant at tagger 2.1's packaged thresholds instead of calibrating;
  `matched_fpr` (a diagnosis: thresholds read off the held-out rows) gives each variant's best recall at no more
  false positives than 2.1's recipe; `hazard_detail` says where hazard recall is lost.
- Session 12: `--cap relative` calibrates each group's thresholds under 2.1's own ordinary-prompt false-positive
  rate on the same calibration rows (its recipe at its packaged thresholds) instead of the shared 2.5 %; the
  long-prompt variants (`headtail`, `windows`, `poolemb`, `headtail_floor`, and post hoc `hzheadtail*`: 2.1's flags,
  hazards from the long reading) put the frozen head's scores over a long prompt's windows in 2.1's recipe
  (`benchmarks.tagger_long`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.tagger_diagnosis import matched_fpr, name_hazards_at_own_floor, threshold_evidence
from benchmarks.tagger_folds import fold_training_rows, scored_rows, taxonomy_corpus
from benchmarks.tagger_holdout import BLIND_DIR, heldout_examples
from benchmarks.tagger_long import long_heads
from benchmarks.tagger_recipe import UNSEEN_TEN, tag_cached
from benchmarks.tagger_scoring import brief, hazard_detail, log, rate, tag_all, world_metrics
from prefloop.curator.tagging import Tagger, Tags, Taxonomy
from prefloop.curator.tagging.chargrams import char_grams
from prefloop.curator.tagging.corpus import Example
from prefloop.curator.tagging.embeddings import embed_cached
from prefloop.curator.tagging.features import encoder_text
from prefloop.curator.tagging.finetune_data import (
    AUTHORED_CAP,
    EVAL_GROUPS,
    MAX_TOKENS,
    SCORE_CAP,
    SOURCE_CAP,
    calibration_rows,
    group_of,
)
from prefloop.curator.tagging.head import HEAD_WEIGHT, blend
from prefloop.curator.tagging.injection_reader import InjectionReader
from prefloop.curator.tagging.model import labels_for
from prefloop.curator.tagging.reader_training import without_reader
from prefloop.curator.tagging.tagger import DEFAULT_MODEL_DIR, Reading
from prefloop.curator.tagging.tags import decide
from prefloop.curator.tagging.training import (
    MAX_OOF_BENIGN_FPR,
    NOT_ORDINARY_SOURCES,
    calibrate,
    source_of,
    targets_of,
)

VARIANTS = ("ft", "ft_reader", "ft_words", "ft_words_reader")
#: Session 12: 2.1's recipe with the frozen head reading a long prompt's windows (`benchmarks.tagger_long`).
LONG_VARIANTS = (
    "headtail_gate_reader",
    "windows_gate_reader",
    "poolemb_gate_reader",
    "headtail_floor_gate_reader",
    # added after the four above were scored (post hoc): 2.1's flags, hazards named from the long reading
    "hzheadtail_gate_reader",
    "hzheadtail_floor_gate_reader",
)
#: Session 11: tagger 2.1's recipe (words, the encoder consulted where 2.1 consults it, blended 0.6, the held-out
#: reader) with the fold's scores (`ft`), the frozen 2.0 head's (`head`: the recipe itself, thresholds calibrated
#: like the others) or their mean (`mix`) in the head's place.
GATE_VARIANTS = (
    "ft_gate_reader",
    "mix_gate_reader",
    "head_gate_reader",
    "hzft_gate_reader",
    "lowfloor_gate_reader",
    *LONG_VARIANTS,
)
#: Variants that name an injection-only row's hazards at each hazard's own threshold.
FLOOR_VARIANTS = ("lowfloor_gate_reader", "headtail_floor_gate_reader", "hzheadtail_floor_gate_reader")


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def score(args: argparse.Namespace) -> dict[str, Any]:
    import torch

    from prefloop.curator.tagging.finetune import (
        FineTuneConfig,
        MiniLM,
        lower_states,
        predict,
        tokenize,
        train_upper,
    )

    config = FineTuneConfig(
        frozen=args.frozen_layers,
        epochs=args.epochs,
        max_tokens=args.max_tokens,
        seed=args.seed,
        threads=args.threads,
    )
    torch.set_num_threads(config.threads)
    tax = Taxonomy.load()
    labels = labels_for(tax.hazard_names)
    corpus = taxonomy_corpus(tax)
    groups = [group_of(source_of(e)) for e in corpus]
    folds = [int(g) for g in args.folds.split(",")]
    train_rows = {
        g: fold_training_rows(corpus, groups, g, args.source_cap, args.authored_cap, args.seed) for g in folds
    }
    scored = {g: scored_rows(corpus, groups, g, args.score_cap, args.seed) for g in folds}
    if args.probe:
        needed = train_rows[folds[0]][: args.probe * config.batch * 2]
    else:
        needed = sorted(set().union(*train_rows.values(), *scored.values()))
    frozen, blind = heldout_examples(), heldout_examples(BLIND_DIR)
    texts = [encoder_text(corpus[i].turns) for i in needed]
    texts += [encoder_text(e.turns) for e in (*frozen, *blind)]
    start, cpu, load = time.perf_counter(), time.process_time(), _load()
    ids = tokenize(texts, config.max_tokens)
    lengths = np.array([len(i) for i in ids])
    log(
        f"{len(texts)} texts to read: {lengths.mean():.1f} word pieces on average, {int((lengths >= config.max_tokens).sum())} "
        f"cut at {config.max_tokens}; fold training rows { ({g: len(r) for g, r in train_rows.items()}) }"
    )
    base = MiniLM.pretrained(len(labels), seed=config.seed)
    states = lower_states(base, ids, config.frozen, log=log)
    lower = {
        "seconds": round(time.perf_counter() - start, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "load_average": [load, _load()],
        "texts": len(texts),
        "mean_tokens": round(float(lengths.mean()), 1),
    }
    log(f"lower {config.frozen} layers computed once: {lower}")
    state_of = dict(zip(needed, states, strict=False))
    frozen_states = states[len(needed) : len(needed) + len(frozen)]
    blind_states = states[len(needed) + len(frozen) :]
    y = targets_of(corpus, tax.hazard_names)
    out = Path(args.workdir)
    out.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"config": config.to_dict(), "lower": lower, "folds": {}}
    for g in folds:
        start, cpu, load = time.perf_counter(), time.process_time(), _load()
        model = MiniLM.pretrained(len(labels), seed=config.seed)
        rows = train_rows[g]
        if args.probe:
            rows = [i for i in rows if i in state_of]
        losses = train_upper(
            model, [state_of[i] for i in rows], y[rows], config, log=log, max_batches=args.probe or None
        )
        trained = time.perf_counter() - start
        if args.probe:
            tokens = sum(len(state_of[i]) for i in rows[: args.probe * config.batch])
            probe = {
                "batches": args.probe,
                "seconds": round(trained, 1),
                "seconds_per_batch": round(trained / args.probe, 2),
                "cpu_seconds": round(time.process_time() - cpu, 1),
                "load_average": [load, _load()],
                "rows_per_epoch": len(train_rows[g]),
                "approx_tokens": tokens,
                "losses": losses,
            }
            log(f"probe: {probe}")
            return {"probe": probe, "lower": lower, "config": config.to_dict()}
        held = scored[g]
        scores = predict(model, [state_of[i] for i in held], config.frozen)
        np.savez_compressed(
            out / f"fold{g}.npz",
            rows=np.array(held),
            keys=np.array([corpus[i].key for i in held]),
            scores=scores,
            frozen=predict(model, frozen_states, config.frozen),
            blind=predict(model, blind_states, config.frozen),
            labels=np.array(labels),
        )
        meta = {
            "group": list(EVAL_GROUPS[g]),
            "n_train": len(rows),
            "n_train_by_source": {
                s: sum(source_of(corpus[i]) == s for i in rows)
                for s in sorted({source_of(corpus[i]) for i in rows})
            },
            "n_scored": len(held),
            "losses": losses,
            "train_seconds": round(trained, 1),
            "seconds": round(time.perf_counter() - start, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1),
            "load_average": [load, _load()],
            "config": config.to_dict(),
            "lower": lower,
        }
        (out / f"fold{g}.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        report["folds"][g] = {k: meta[k] for k in ("n_train", "n_scored", "losses", "seconds", "cpu_seconds")}
        log(f"fold {g} ({'+'.join(EVAL_GROUPS[g])}): {report['folds'][g]}, load {meta['load_average']}")
    return report


def report(args: argparse.Namespace) -> dict[str, Any]:
    tax = Taxonomy.load()
    hazards = tax.hazard_names
    corpus = taxonomy_corpus(tax)
    groups = [group_of(source_of(e)) for e in corpus]
    work = Path(args.workdir)
    folds = sorted(int(p.stem[4:]) for p in work.glob("fold*.npz"))
    ft: dict[int, dict[str, float]] = {}
    heldout: dict[int, dict[str, np.ndarray]] = {}
    for g in folds:
        with np.load(work / f"fold{g}.npz", allow_pickle=False) as z:
            labels = [str(s) for s in z["labels"]]
            for i, key, row in zip(z["rows"], z["keys"], z["scores"], strict=True):
                if corpus[int(i)].key != str(key):
                    raise SystemExit(f"fold {g}: the corpus changed since it was scored (row {i})")
                ft[int(i)] = dict(zip(labels, map(float, row), strict=True))
            heldout[g] = {"frozen": z["frozen"], "blind": z["blind"]}
    reader_name = json.loads((work / f"fold{folds[0]}.json").read_text(encoding="utf-8")).get("reader", "ft")
    rows = sorted(ft)
    examples = [corpus[i] for i in rows]
    row_group = [groups[i] for i in rows]
    packaged = Tagger.load(None, tax)
    readings = packaged.read([[{"role": "user", "content": t} for t in e.turns] for e in examples])
    frozen, blind = heldout_examples(), heldout_examples(BLIND_DIR)
    prompts = {"frozen": frozen, "blind": blind}
    held_readings = {
        k: packaged.read([[{"role": "user", "content": t} for t in e.turns] for e in v])
        for k, v in prompts.items()
    }

    # injection readers, each fitted on the train split without one group (what a reader of that fold may know)
    grams = char_grams([encoder_text(e.turns) for e in corpus])
    inj = np.array([e.tactic == "prompt_injection" for e in corpus])
    reader: dict[int, float] = {}
    held_reader: dict[int, dict[str, np.ndarray]] = {}
    for g in folds:
        fit_on = [i for i, e in enumerate(corpus) if e.split == "train" and groups[i] != g]
        model = InjectionReader.fit(grams.take(fit_on), inj[fit_on], args.seed)
        mine = [i for i in rows if groups[i] == g]
        reader.update(zip(mine, map(float, model.predict(grams.take(mine))), strict=True))
        held_reader[g] = {k: model.predict([encoder_text(e.turns) for e in v]) for k, v in prompts.items()}
        log(f"reader without group {g} fitted on {len(fit_on)} rows")

    # the frozen 2.0 head's scores (embeddings from the disk cache) for the gate variants
    def frozen_head(items: Sequence[Example]) -> list[dict[str, float]]:
        return packaged.head_scores(embed_cached([encoder_text(e.turns) for e in items], log=log)) or []

    head_rows = frozen_head(examples)
    head_held = {k: frozen_head(v) for k, v in prompts.items()}
    wanted = [v for v in (*VARIANTS, *GATE_VARIANTS) if not args.variants or v in args.variants.split(",")]
    kinds = {"head": head_rows} | long_heads(packaged, examples, wanted, log)
    kinds_held = {
        k: {"head": head_held[k]} | long_heads(packaged, v, wanted, log) for k, v in prompts.items()
    }
    # the relative cap: 2.1's recipe at its packaged thresholds, on the same rows (session 7's rule)
    recipe_flags = [
        decide(packaged.cats(r, h, x), r.rules, packaged.thresholds, hazards, None, x).harmful
        for r, h, x in zip(readings, head_rows, (reader[i] for i in rows), strict=True)
    ]

    def cats_of(
        variant: str,
        reading: Reading,
        tuned: dict[str, float],
        head: dict[str, float],
        rdr: float | None,
        first: dict[str, float] | None = None,
    ) -> dict[str, float]:
        if variant in GATE_VARIANTS:
            kind = variant.split("_")[0]
            if kind == "hzft":  # 2.1's recipe decides; the hazards are named from the fold's scores
                return packaged.cats(reading, head, rdr) | {h: tuned.get(h, 0.0) for h in hazards}
            if (
                kind == "hzheadtail"
            ):  # 2.1's recipe decides on the first window; hazards from the long reading
                long = packaged.cats(reading, head, rdr)
                return packaged.cats(reading, first, rdr) | {h: long[h] for h in hazards}
            mixed = {k: (v + tuned.get(k, v)) / 2 for k, v in head.items()}
            return packaged.cats(reading, {"ft": tuned, "mix": mixed}.get(kind, head), rdr)
        return blend(reading.cats, tuned, HEAD_WEIGHT) if "words" in variant else dict(tuned)

    out: dict[str, Any] = {"folds": folds, "groups": [list(g) for g in EVAL_GROUPS], "variants": {}}
    evidence: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for variant in wanted:
        use_reader = variant.endswith("reader")
        rdr = [reader[i] for i in rows]
        hk = head_kind(variant)
        cats = [
            cats_of(variant, r, ft[i], h, x, f)
            for r, i, h, x, f in zip(readings, rows, kinds[hk], rdr, head_rows, strict=True)
        ]
        tags: list[Tags | None] = [None] * len(rows)
        per_fold: dict[str, Any] = {}
        for g in folds:
            cal = calibration_rows(row_group, g)
            if args.calibrate_on == "ten":
                cal = [j for j in cal if source_of(examples[j]) in UNSEEN_TEN]
            cap = MAX_OOF_BENIGN_FPR
            if args.cap == "relative":
                cap = rate([recipe_flags[j] for j in cal if is_ordinary(examples[j])])
            c = calibrate(
                [examples[j] for j in cal],
                [cats[j] for j in cal],
                [readings[j].rules for j in cal],
                hazards,
                cap,
                reader=[rdr[j] for j in cal] if use_reader else None,
            )
            th = dict(packaged.thresholds) if args.thresholds == "packaged" else c.thresholds
            for j, gg in enumerate(row_group):
                if gg == g:
                    tags[j] = decide(
                        cats[j], readings[j].rules, th, hazards, None, rdr[j] if use_reader else None
                    )
                    if variant in FLOOR_VARIANTS:
                        tags[j] = name_hazards_at_own_floor(tags[j], cats[j], th, hazards)
            flagged = {}
            for k in prompts:
                t = []
                for n, (r, s, h, f) in enumerate(
                    zip(held_readings[k], heldout[g][k], kinds_held[k][hk], head_held[k], strict=True)
                ):
                    x = float(held_reader[g][k][n])
                    tuned = dict(zip(labels, map(float, s), strict=True))
                    t.append(
                        decide(
                            cats_of(variant, r, tuned, h, x, f),
                            r.rules,
                            th,
                            hazards,
                            None,
                            x if use_reader else None,
                        )
                    )
                flagged[k] = sum(x.harmful for x in t)
            per_fold[str(g)] = {
                "thresholds": {k: th[k] for k in ("harmful", "prompt_injection")},
                "thresholds_from": args.thresholds,
                "cap": round(cap, 4),
                "cap_met": c.cap_met,
                "calibration_ordinary_fpr": c.ordinary_fpr,
                "calibration_rows": len(cal),
                "frozen_flagged": flagged["frozen"],
                "blind_flagged": flagged["blind"],
            }
        pairs = [(e, t) for e, t in zip(examples, tags, strict=True) if t is not None]
        name = variant.replace("ft", reader_name, 1)
        evidence[name] = threshold_evidence(cats, [r.rules for r in readings], rdr if use_reader else None)
        out["variants"][name] = _figures(pairs, hazards) | {"folds": per_fold}
        log(f"{name}: {json.dumps(brief(out['variants'][name]['ten']))} folds {json.dumps(per_fold)}")

    if "head_gate_reader" in evidence:
        out["matched_fpr"] = matched_fpr(examples, evidence, packaged.thresholds)
        for name, m in out["matched_fpr"].items():
            log(f"matched FPR (thresholds read off the held-out rows: a diagnosis) {name}: {json.dumps(m)}")
    with tempfile.TemporaryDirectory() as tmp:
        base = Tagger.load(without_reader(DEFAULT_MODEL_DIR, Path(tmp) / "base"), tax)
        for name, model in (("packaged_2_1", packaged), ("base_2_0", base)):
            pairs = list(zip(examples, tag_cached(model, examples), strict=True))
            out[name] = _figures(pairs, hazards)
            for k, v in prompts.items():
                out[name][f"{k}_flagged"] = sum(t.harmful for _, t in tag_all(model, v))
            log(f"{name}: {json.dumps(brief(out[name]['ten']))}")
    # tagger 2.1's recipe with its reader held out like the fine-tune: 2.0 (never trained on the ten sets) plus the
    # reader fitted without the row's group, at the packaged prompt_injection threshold
    pairs = list(zip(examples, tag_cached(packaged, examples, [reader[i] for i in rows]), strict=True))
    out["packaged_2_1_reader_held_out"] = _figures(pairs, hazards)
    log(f"packaged_2_1_reader_held_out: {json.dumps(brief(out['packaged_2_1_reader_held_out']['ten']))}")
    out["load_average"] = _load()
    return out


def head_kind(variant: str) -> str:
    """Which frozen-head scores a variant reads: the first window's (``head``) or a long-prompt reading's."""
    kind = variant.split("_")[0].removeprefix("hz")
    return kind if variant in LONG_VARIANTS else "head"


def is_ordinary(e: Example) -> bool:
    """An ordinary prompt as :func:`~prefloop.curator.tagging.training.calibrate` counts its false positives."""
    return e.tactic is None and source_of(e) not in NOT_ORDINARY_SOURCES


def _figures(pairs: Sequence[tuple[Example, Tags]], hazards: Sequence[str]) -> dict[str, Any]:
    ten = [p for p in pairs if source_of(p[0]) in UNSEEN_TEN]
    return {
        "ten": world_metrics(ten, hazards),
        "all": world_metrics(pairs, hazards),
        "hazard_detail": hazard_detail(ten, hazards),
        "hazard_named_without_gold": rate(
            [bool(t.hazards) for e, t in ten if e.harmful and not e.hazards and t.harmful]
        ),
        "hazard_macro_recall_direct": world_metrics(
            [p for p in ten if p[0].tactic != "prompt_injection"], hazards
        )["hazard_macro_recall"],
        "by_source": {
            s: brief(world_metrics([p for p in pairs if source_of(p[0]) == s], hazards))
            for s in sorted({source_of(e) for e, _ in pairs})
        },
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=("score", "report"))
    ap.add_argument(
        "--workdir", required=True, help="where fold scores are written (score) and read (report)"
    )
    ap.add_argument("--folds", default="0,1,2", help="groups to hold out (score), indices of EVAL_GROUPS")
    ap.add_argument("--score-cap", type=int, default=SCORE_CAP, help="rows scored per held-out source")
    ap.add_argument("--frozen-layers", type=int, default=4, help="lower layers kept at pretrained weights")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--max-tokens", type=int, default=MAX_TOKENS)
    ap.add_argument("--source-cap", type=int, default=SOURCE_CAP)
    ap.add_argument("--authored-cap", type=int, default=AUTHORED_CAP)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--calibrate-on",
        choices=("all", "ten"),
        default="all",
        help="report: calibrate on every row of the other groups, or only on their rows of the ten sets of issue 15",
    )
    ap.add_argument(
        "--variants", default="", help="report: only these variants (comma-separated; default all)"
    )
    ap.add_argument(
        "--thresholds",
        choices=("calibrated", "packaged"),
        default="calibrated",
        help="report: each group's thresholds calibrated on the other groups' scores, or tagger 2.1's packaged ones",
    )
    ap.add_argument(
        "--cap",
        choices=("fixed", "relative"),
        default="fixed",
        help="report: calibrate under the shared 2.5 %% cap, or under 2.1's own ordinary FPR on the same rows",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--probe", type=int, default=0, help="train this many batches of the first fold, then stop"
    )
    args = ap.parse_args(argv)
    result = score(args) if args.step == "score" else report(args)
    log(json.dumps(result, indent=1))
    summary = result
    if args.step == "report":
        summary = {v: {"ten": brief(m["ten"]), "folds": m["folds"]} for v, m in result["variants"].items()}
        for name in ("packaged_2_1", "base_2_0", "packaged_2_1_reader_held_out"):
            flagged = {k: v for k, v in result[name].items() if k.endswith("_flagged")}
            summary[name] = {"ten": brief(result[name]["ten"]), **flagged}
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
