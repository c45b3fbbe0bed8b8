"""Harm tagger benchmark: `python -m benchmarks.tagger [--quick]`.

Evaluates the packaged model on the held-out test split of its corpus (never used for training or calibration)
and on XSTest, and measures throughput. Without --quick it also trains models with a public benchmark left out of
the corpus and scores them on all of its rows: XSTest (450 prompts), and JailbreakBench + HarmBench together (156
harmful behaviors): how the tagger does on benchmarks it has never seen; and it trains the baseline, the
bag-of-words-only model (`prefloop tagger train --no-encoder`), and scores it on the same split.
Progress goes to stderr; the last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import Any

from prefloop.curator.tagging import Tagger, Tags, Taxonomy, train
from prefloop.curator.tagging.corpus import Example, load_corpus


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": tp + fn}


def evaluate(pairs: Sequence[tuple[Example, Tags]], tax: Taxonomy) -> dict[str, Any]:
    def count(pred: Any, gold: Any) -> dict[str, float]:
        tp = sum(1 for e, t in pairs if pred(t) and gold(e))
        fp = sum(1 for e, t in pairs if pred(t) and not gold(e))
        fn = sum(1 for e, t in pairs if gold(e) and not pred(t))
        return prf(tp, fp, fn)

    harmful = count(lambda t: t.harmful, lambda e: e.harmful)
    ordinary = [(e, t) for e, t in pairs if e.tactic is None and e.source != "xstest"]
    benign = [(e, t) for e, t in pairs if not e.harmful]
    injections = [(e, t) for e, t in pairs if e.tactic == "prompt_injection"]
    tactics = {
        name: count(lambda t, n=name: t.tactic == n, lambda e, n=name: e.tactic == n)
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
        "n": len(pairs),
        "harmful": harmful,
        "benign_fpr_ordinary": round(sum(t.harmful for _, t in ordinary) / max(1, len(ordinary)), 4),
        "n_ordinary": len(ordinary),
        "benign_fpr_all": round(sum(t.harmful for _, t in benign) / max(1, len(benign)), 4),
        "injection_recall": round(
            sum(t.tactic == "prompt_injection" for _, t in injections) / max(1, len(injections)), 4
        ),
        "n_injection": len(injections),
        "hazard_macro_f1": round(sum(supported) / max(1, len(supported)), 4),
        "tactics": tactics,
        "hazards": hazards,
    }


def by_source(pairs: Sequence[tuple[Example, Tags]]) -> dict[str, dict[str, float]]:
    """Harmful recall and benign false-positive rate per corpus source (the first part of its name)."""
    out: dict[str, dict[str, float]] = {}
    for src in sorted({e.source for e, _ in pairs}):
        rows = [(e, t) for e, t in pairs if e.source == src]
        harm = [t.harmful for e, t in rows if e.harmful]
        benign = [t.harmful for e, t in rows if not e.harmful]
        out[src] = {
            "n_harmful": len(harm),
            "recall": round(sum(harm) / len(harm), 4) if harm else 0.0,
            "n_benign": len(benign),
            "fpr": round(sum(benign) / len(benign), 4) if benign else 0.0,
        }
    return out


def tag_all(tagger: Tagger, examples: Sequence[Example]) -> list[tuple[Example, Tags]]:
    convs = [[{"role": "user", "content": t} for t in e.turns] for e in examples]
    return list(zip(examples, tagger.tag_many(convs), strict=True))


def throughput(tagger: Tagger, prompts: list[str], n: int) -> float:
    batch = (prompts * (n // max(1, len(prompts)) + 1))[:n]
    list(tagger.tag_many(batch[:256]))  # warm-up
    start = time.perf_counter()
    for _ in tagger.tag_many(batch, batch_size=128):
        pass
    return n / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--quick", action="store_true", help="skip the unseen-XSTest retraining, smaller timing run"
    )
    args = ap.parse_args(argv)
    tax = Taxonomy.load()
    t0 = time.perf_counter()
    tagger = Tagger.load()
    log(f"model loaded in {time.perf_counter() - t0:.2f}s")
    corpus = load_corpus()
    test = [e for e in corpus if e.split == "test"]
    log(f"corpus: {len(corpus)} examples, {len(test)} held out for test")

    test_pairs = tag_all(tagger, test)
    held_out = evaluate(test_pairs, tax)
    held_out["by_source"] = by_source(test_pairs)
    xs_test = evaluate(tag_all(tagger, [e for e in test if e.source == "xstest"]), tax)
    no_xs = evaluate(tag_all(tagger, [e for e in test if e.source != "xstest"]), tax)
    log(f"held-out: harmful F1 {held_out['harmful']['f1']}, ordinary FPR {held_out['benign_fpr_ordinary']}")

    result: dict[str, Any] = {
        "held_out": held_out,
        "held_out_without_xstest": no_xs,
        "xstest_held_out": xs_test,
    }
    if not args.quick:
        with tempfile.TemporaryDirectory() as tmp:
            log("training the bag-of-words-only model (--no-encoder), the baseline, on the same split ...")
            train(None, tmp, seed=0, encoder=False)
            bow = Tagger.load(tmp)
            result["baseline_bow"] = evaluate(tag_all(bow, test), tax)
            result["baseline_bow"]["prompts_per_s"] = round(
                throughput(bow, [e.turns[-1] for e in corpus], 6000), 1
            )
            log(f"baseline (bag-of-words only): harmful F1 {result['baseline_bow']['harmful']['f1']}")
        with tempfile.TemporaryDirectory() as tmp:
            log("training a model without XSTest to score it on all of XSTest ...")
            train(None, tmp, seed=0, exclude_sources=("xstest",))
            unseen = Tagger.load(tmp)
            xs_all = [e for e in corpus if e.source == "xstest"]
            result["xstest_unseen"] = evaluate(tag_all(unseen, xs_all), tax)
            log(f"unseen XSTest: harmful F1 {result['xstest_unseen']['harmful']['f1']}")
        with tempfile.TemporaryDirectory() as tmp:
            log("training a model without JailbreakBench and HarmBench to score all of their behaviors ...")
            train(None, tmp, seed=0, exclude_sources=("jailbreakbench", "harmbench"))
            unseen = Tagger.load(tmp)
            public = [e for e in corpus if e.source in ("jailbreakbench", "harmbench")]
            result["public_unseen"] = evaluate(tag_all(unseen, public), tax)
            log(f"unseen JBB+HarmBench: harmful recall {result['public_unseen']['harmful']['recall']}")

    prompts = [e.turns[-1] for e in corpus]
    pps = throughput(tagger, prompts, 2000 if args.quick else 6000)
    log(f"throughput: {pps:.0f} prompts/s (the corpus: about half harmful)")
    # live assistant traffic is mostly ordinary prompts, which the encoder is consulted on far less often
    ordinary = [e.turns[-1] for e in corpus if e.tactic is None and e.source != "xstest"]
    pps_ordinary = throughput(tagger, ordinary, 2000 if args.quick else 6000)
    log(f"throughput on ordinary prompts: {pps_ordinary:.0f} prompts/s")
    summary = {
        "harmful_f1": held_out["harmful"]["f1"],
        "benign_fpr": held_out["benign_fpr_ordinary"],
        "injection_recall": held_out["injection_recall"],
        "hazard_macro_f1": held_out["hazard_macro_f1"],
        "prompts_per_s": round(pps, 1),
        "prompts_per_s_ordinary": round(pps_ordinary, 1),
        "harmful_f1_without_xstest": no_xs["harmful"]["f1"],
        "xstest_harmful_f1": xs_test["harmful"]["f1"],
        "xstest_benign_fpr": xs_test["benign_fpr_all"],
        "n_test": held_out["n"],
        "tagger_version": Tagger.VERSION,
    }
    if "baseline_bow" in result:
        base = result["baseline_bow"]
        summary["baseline_bow"] = {
            "harmful_f1": base["harmful"]["f1"],
            "benign_fpr": base["benign_fpr_ordinary"],
            "injection_recall": base["injection_recall"],
            "hazard_macro_f1": base["hazard_macro_f1"],
            "prompts_per_s": base["prompts_per_s"],
        }
    if "xstest_unseen" in result:
        summary["xstest_unseen_harmful_f1"] = result["xstest_unseen"]["harmful"]["f1"]
        summary["xstest_unseen_benign_fpr"] = result["xstest_unseen"]["benign_fpr_all"]
        summary["public_unseen_recall"] = result["public_unseen"]["harmful"]["recall"]
        summary["public_unseen_hazard_macro_f1"] = result["public_unseen"]["hazard_macro_f1"]
    log(json.dumps(result, indent=1))
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
