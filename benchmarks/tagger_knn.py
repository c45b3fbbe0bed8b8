"""A nearest-neighbour reader on the frozen encoder, held out per group of sources:
`python -m benchmarks.tagger_knn --workdir DIR`, then `python -m benchmarks.tagger_finetune report --workdir DIR`.

Issue 15, session 11. No training and no torch: every text is embedded once with the packaged int8 ONNX encoder
(`embed_cached`, the disk cache; the vectors tagging computes). For each of the three groups of
:data:`~prefloop.curator.tagging.finetune_data.EVAL_GROUPS` the bank is the train split of every source outside the
group plus our authored train rows (capped per source like the fine-tune's sample, `--source-cap` / `--authored-cap`),
and :func:`~prefloop.curator.tagging.neighbours.knn_scores` scores the group's scored rows (the fine-tune's
400-per-source hash sample, so the rows are the same as session 10's), the frozen ordinary prompts (176) and the
blind ones (182). The scores go to `DIR/fold<g>.npz` in the fine-tune's format, so `tagger_finetune report`
calibrates and tags them exactly as it does the fine-tuned head's (thresholds from the other groups' out-of-fold
scores only). Progress to stderr; the last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.tagger_folds import fold_training_rows, scored_rows, taxonomy_corpus
from benchmarks.tagger_holdout import BLIND_DIR, heldout_examples
from benchmarks.tagger_scoring import log
from prefloop.curator.tagging import Taxonomy
from prefloop.curator.tagging.embeddings import embed_cached
from prefloop.curator.tagging.features import encoder_text
from prefloop.curator.tagging.finetune_data import EVAL_GROUPS, SCORE_CAP, group_of
from prefloop.curator.tagging.model import labels_for
from prefloop.curator.tagging.neighbours import TEMPERATURE, K, knn_scores
from prefloop.curator.tagging.training import source_of, targets_of

#: Bank caps meaning "no cap" (every train row).
ALL_ROWS = 10**9


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def score(args: argparse.Namespace) -> dict[str, Any]:
    tax = Taxonomy.load()
    labels = labels_for(tax.hazard_names)
    corpus = taxonomy_corpus(tax)
    groups = [group_of(source_of(e)) for e in corpus]
    y = targets_of(corpus, tax.hazard_names)
    frozen, blind = heldout_examples(), heldout_examples(BLIND_DIR)
    out = Path(args.workdir)
    out.mkdir(parents=True, exist_ok=True)

    def vectors(texts: list[str]) -> np.ndarray:
        return embed_cached(texts, log=log)

    held_vecs = {
        "frozen": vectors([encoder_text(e.turns) for e in frozen]),
        "blind": vectors([encoder_text(e.turns) for e in blind]),
    }
    report: dict[str, Any] = {"k": args.k, "temperature": args.temperature, "folds": {}}
    for g in (int(x) for x in args.folds.split(",")):
        start, cpu, load = time.perf_counter(), time.process_time(), _load()
        bank_rows = fold_training_rows(corpus, groups, g, args.source_cap, args.authored_cap, args.seed)
        bank = vectors([encoder_text(corpus[i].turns) for i in bank_rows])
        held = scored_rows(corpus, groups, g, args.score_cap, args.seed)

        def read(q: np.ndarray, bank: np.ndarray = bank, rows: list[int] = bank_rows) -> np.ndarray:
            return knn_scores(q, bank, y[rows], args.k, args.temperature)

        np.savez_compressed(
            out / f"fold{g}.npz",
            rows=np.array(held),
            keys=np.array([corpus[i].key for i in held]),
            scores=read(vectors([encoder_text(corpus[i].turns) for i in held])),
            frozen=read(held_vecs["frozen"]),
            blind=read(held_vecs["blind"]),
            labels=np.array(labels),
        )
        meta = {
            "group": list(EVAL_GROUPS[g]),
            "reader": "knn",
            "k": args.k,
            "temperature": args.temperature,
            "n_bank": len(bank_rows),
            "n_bank_by_source": {
                s: sum(source_of(corpus[i]) == s for i in bank_rows)
                for s in sorted({source_of(corpus[i]) for i in bank_rows})
            },
            "n_scored": len(held),
            "seconds": round(time.perf_counter() - start, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1),
            "load_average": [load, _load()],
        }
        (out / f"fold{g}.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        report["folds"][g] = {
            k: meta[k] for k in ("n_bank", "n_scored", "seconds", "cpu_seconds", "load_average")
        }
        log(f"fold {g} ({'+'.join(EVAL_GROUPS[g])}): {report['folds'][g]}")
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", required=True, help="where the fold scores are written")
    ap.add_argument("--folds", default="0,1,2", help="groups to hold out, indices of EVAL_GROUPS")
    ap.add_argument("--score-cap", type=int, default=SCORE_CAP, help="rows scored per held-out source")
    ap.add_argument("--source-cap", type=int, default=ALL_ROWS, help="bank rows per public source")
    ap.add_argument("--authored-cap", type=int, default=ALL_ROWS, help="bank rows of our authored sources")
    ap.add_argument("--k", type=int, default=K)
    ap.add_argument("--temperature", type=float, default=TEMPERATURE)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    result = score(args)
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
