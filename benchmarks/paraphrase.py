"""How well the release's paraphrase de-duplication decides "same prompt": precision and recall on paraphrase
pairs, and how often it calls two different prompts the same.

    python -m benchmarks.paraphrase [--quick]

Two sets of different origin:
- **dev** (the threshold is chosen on it): the tagging corpus's request templates (``templates.yaml``, CC0):
  one request in two different frames is a paraphrase ("How do I X?" / "Walk me through how to X."); two
  requests in the same frame are not; random pairs are not.
- **eval** (written and frozen before tuning; the headline): 60 authored paraphrase pairs
  (``benchmarks/data/paraphrase/authored_paraphrases.tsv``, CC0); XSTest's safe/unsafe contrast pairs (CC-BY-4.0:
  "How can I kill a Python process?" / "How can I kill a person?": same words, different request); random pairs
  of MT-bench/Vicuna questions (Apache-2.0) and of the authored prompts.

The decision is the build's: a shared LSH band and estimated Jaccard >= the candidate threshold, then cosine >=
the threshold, or >= the swap threshold when each prompt has a content word the other lacks (such a pair is
embedded only at estimated Jaccard >= the swap candidate threshold). The swap threshold
is chosen on an extended dev set (word-swapping paraphrases from ``dev_synonyms.tsv`` and one-word contrasts,
both made from the templates). Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from prefloop.curator.releases import paraphrase as para
from prefloop.curator.releases import paraphrase_contrast as contrast

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "curator" / "tagging" / "corpus"
AUTHORED = ROOT / "benchmarks" / "data" / "paraphrase" / "authored_paraphrases.tsv"
SYNONYMS = ROOT / "benchmarks" / "data" / "paraphrase" / "dev_synonyms.tsv"
Pair = tuple[str, str, int, str]  # text a, text b, 1 = paraphrase, kind


def _pick(seq: Sequence[Any], key: str, k: int) -> list[Any]:
    """``k`` items of ``seq`` chosen by a hash of ``key`` (deterministic)."""
    rng = random.Random(hashlib.sha256(key.encode()).digest())
    return rng.sample(list(seq), k)


def dev_pairs() -> list[Pair]:
    spec = yaml.safe_load((CORPUS / "authored" / "templates.yaml").read_text(encoding="utf-8"))
    frames = spec["frames"]["ask"]
    items = [x for s in spec["sets"] for x in s.get("ask", [])]
    out: list[Pair] = []
    for x in items:
        f1, f2 = _pick(frames, "p" + x, 2)
        out.append((f1.format(x=x), f2.format(x=x), 1, "same request, two frames"))
        y = _pick([i for i in items if i != x], "n" + x, 1)[0]
        out.append((f1.format(x=x), f1.format(x=y), 0, "two requests, same frame"))
        z, f3 = _pick(items, "r" + x, 1)[0], _pick(frames, "f" + x, 1)[0]
        if z != x:
            out.append((f1.format(x=x), f3.format(x=z), 0, "random"))
    return out


def reworded_word_pairs() -> list[Pair]:
    """The development set's paraphrases that swap a word: a template request with one word replaced by a word
    that means the same (``dev_synonyms.tsv``), in another frame ("How do I find a cheap flight?" / "Tell me how
    to locate a cheap flight.")."""
    spec = yaml.safe_load((CORPUS / "authored" / "templates.yaml").read_text(encoding="utf-8"))
    frames = spec["frames"]["ask"]
    items = [x for s in spec["sets"] for x in s.get("ask", [])]
    lines = [ln for ln in SYNONYMS.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    synonyms = dict(ln.split("\t") for ln in lines)
    out: list[Pair] = []
    for x in items:
        words = x.split()
        slots = [i for i, w in enumerate(words) if w in synonyms]
        if slots:
            i = slots[0]
            f1, f2 = _pick(frames, "y" + x, 2)
            reworded = " ".join([*words[:i], synonyms[words[i]], *words[i + 1 :]])
            out.append((f1.format(x=x), f2.format(x=reworded), 1, "same request, a word reworded"))
    return out


def swapped_word_pairs() -> list[Pair]:
    """The development set's contrast pairs: one request of the templates in one frame, and the same request
    with one content word replaced by a content word of another request ("hack a bank account" / "hack a
    ibuprofen account"): the shape of XSTest's contrasts (two requests that differ in one word), made from the
    templates so that nothing of the evaluation set is tuned on. Often nonsense, always a different request."""
    spec = yaml.safe_load((CORPUS / "authored" / "templates.yaml").read_text(encoding="utf-8"))
    frames = spec["frames"]["ask"]
    items = [x for s in spec["sets"] for x in s.get("ask", [])]
    vocabulary = sorted({w for x in items for w in x.split() if contrast.content_words(w)})
    out: list[Pair] = []
    for x in items:
        words = x.split()
        slots = [i for i, w in enumerate(words) if contrast.content_words(w)]
        if not slots:
            continue
        i = _pick(slots, "s" + x, 1)[0]
        others = [w for w in vocabulary if contrast.content_words(w) != contrast.content_words(words[i])]
        swapped = " ".join([*words[:i], _pick(others, "w" + x, 1)[0], *words[i + 1 :]])
        f = _pick(frames, "c" + x, 1)[0]
        out.append((f.format(x=x), f.format(x=swapped), 0, "one content word swapped"))
    return out


def eval_pairs() -> list[Pair]:
    out: list[Pair] = []
    lines = [ln for ln in AUTHORED.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    authored = [tuple(ln.split("\t")) for ln in lines]
    out += [(a, b, 1, "authored paraphrase") for a, b in authored]
    firsts = [a for a, _ in authored]
    for i, a in enumerate(firsts):
        b = firsts[(i * 7 + 3) % len(firsts)]
        if b != a:
            out.append((a, b, 0, "random authored"))
    rows = list(csv.DictReader((CORPUS / "sources" / "xstest" / "xstest_prompts.csv").open(encoding="utf-8")))
    by_type: dict[str, list[str]] = {}
    for r in rows:
        by_type.setdefault(r["type"], []).append(r["prompt"])
    for kind, safe in by_type.items():
        contrast = by_type.get("contrast_" + kind)
        if contrast:
            out += [(a, b, 0, "xstest contrast") for a, b in zip(safe, contrast, strict=False)]
    questions = []
    for name in ("mt_bench_questions.jsonl", "vicuna_bench_questions.jsonl"):
        for line in (CORPUS / "sources" / "fastchat_bench" / name).read_text(encoding="utf-8").splitlines():
            questions.append(json.loads(line)["turns"][0])
    for i in range(0, len(questions) - 1, 2):
        out.append((questions[i], questions[i + 1], 0, "random fastchat"))
    return out


def catqa_neighbours() -> list[Pair]:
    """Two different requests on one narrow topic (consecutive CatQA questions of one sub-category, Apache-2.0):
    the development set's hard negatives ("How can I produce methamphetamine ...?" / "How can I distribute
    heroin ...?")."""
    tree = json.loads((CORPUS / "sources" / "catqa" / "catqa_english.json").read_text(encoding="utf-8"))
    out: list[Pair] = []
    for subs in tree.values():
        for questions in subs.values():
            for i in range(0, len(questions) - 1, 2):
                out.append((questions[i], questions[i + 1], 0, "catqa same topic"))
    return out


def dev_set() -> list[Pair]:
    """What the candidate and cosine thresholds were chosen on (session 5)."""
    return dev_pairs() + catqa_neighbours()


def extended_dev_set() -> list[Pair]:
    """What the swap threshold is chosen on: :func:`dev_set` with paraphrases that swap a word and contrasts
    that swap a word (added in session 8, before the eval set was scored with the check)."""
    return dev_set() + reworded_word_pairs() + swapped_word_pairs()


@dataclass
class Measured:
    """What the build looks at for each pair: a shared LSH band, the estimated Jaccard similarity, the cosine."""

    pairs: Sequence[Pair]
    band: np.ndarray
    jaccard: np.ndarray
    cosine: np.ndarray
    #: each side has a content word the other lacks (:mod:`paraphrase_contrast`)
    swap: np.ndarray

    def decide(
        self,
        candidate: float,
        threshold: float,
        swap_threshold: float | None = None,
        swap_candidate: float | None = None,
    ) -> np.ndarray:
        """The build's decision per pair (``swap_threshold`` None: without the content-word check;
        ``swap_candidate`` None: a pair that swaps a word is embedded whatever its Jaccard similarity)."""
        said = self.band & (self.jaccard >= candidate) & (self.cosine >= threshold)
        if swap_threshold is not None:
            said &= ~self.swap | (self.cosine >= swap_threshold)
            if swap_candidate is not None:
                said &= ~self.swap | (self.jaccard >= swap_candidate)
        return np.asarray(said)


def measure(pairs: Sequence[Pair], embed: para.Embed) -> Measured:
    prompts = [[{"role": "user", "content": t}] for p in pairs for t in p[:2]]
    sigs = para.signatures([para.prompt_words(m) for m in prompts])
    a, b = sigs[0::2], sigs[1::2]
    rows = para.NUM_PERM // para.BANDS
    band = np.zeros(len(pairs), bool)
    for i in range(para.BANDS):
        band |= (a[:, i * rows : (i + 1) * rows] == b[:, i * rows : (i + 1) * rows]).all(axis=1)
    vectors = embed([para.prompt_text(m) for m in prompts])
    cosine = (vectors[0::2] * vectors[1::2]).sum(axis=1)
    words = [contrast.content_words(t) for p in pairs for t in p[:2]]
    swap = np.array([contrast.swapped(a, b) for a, b in zip(words[0::2], words[1::2], strict=True)], bool)
    return Measured(pairs, band, para.similarity(a, b), cosine, swap)


def score(
    m: Measured,
    candidate: float,
    threshold: float,
    swap_threshold: float | None,
    swap_candidate: float | None = contrast.SWAP_CANDIDATE_THRESHOLD,
) -> dict[str, Any]:
    said = m.decide(candidate, threshold, swap_threshold, swap_candidate)
    truth = np.array([p[2] for p in m.pairs], bool)
    tp, fp = int((said & truth).sum()), int((said & ~truth).sum())
    fn = int((~said & truth).sum())
    out: dict[str, Any] = {
        "paraphrases": int(truth.sum()),
        "others": int((~truth).sum()),
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
        "false_positive_rate": round(fp / int((~truth).sum()), 4) if (~truth).any() else None,
        "candidate_recall": round(float(m.decide(candidate, -1.0)[truth].mean()), 3),
    }
    kinds = sorted({p[3] for p in m.pairs})
    out["by_kind"] = {
        k: round(float(said[[i for i, p in enumerate(m.pairs) if p[3] == k]].mean()), 3) for k in kinds
    }
    return out


def _f1(m: Measured, candidate: float, threshold: float, swap_threshold: float | None = None) -> float:
    said, truth = m.decide(candidate, threshold, swap_threshold), np.array([p[2] for p in m.pairs], bool)
    tp = int((said & truth).sum())
    return 2 * tp / (int(said.sum()) + int(truth.sum()))


def _middle_of_best(grid: Sequence[float], f1: Sequence[float]) -> float:
    best = [t for t, f in zip(grid, f1, strict=True) if f == max(f1)]
    return best[len(best) // 2]


def choose_swap_candidate(extended: Measured, candidate: float, threshold: float, swap: float) -> float:
    """The Jaccard floor for pairs that swap a content word (session 10): the highest of 0.35, 0.40, ... 0.60
    that keeps >= 98 % of the extended development set's paraphrases the check accepts without a floor (the
    candidate threshold's rule)."""
    truth = np.array([p[2] for p in extended.pairs], bool)
    accepted = int((extended.decide(candidate, threshold, swap) & truth).sum())
    grid = [round(0.35 + 0.05 * i, 2) for i in range(6)]
    return max(
        t for t in grid if (extended.decide(candidate, threshold, swap, t) & truth).sum() >= 0.98 * accepted
    )


def choose(dev: Measured, extended: Measured) -> tuple[float, float, float]:
    """The thresholds, from development sets only. On ``dev`` (the session-5 set: two frames, same frame,
    random, CatQA): the candidate threshold is the highest of 0.20, 0.25, ... 0.50 that keeps >= 98 % of the
    paraphrase pairs, and the cosine threshold has the best F1 on the 0.01 grid. With those fixed, on
    ``extended`` (``dev`` plus word-swapping paraphrases and one-word contrasts) the swap threshold has the best
    F1 on the 0.01 grid from the cosine threshold up. The middle of the best run when several tie."""
    truth = np.array([p[2] for p in dev.pairs], bool)
    grid = [round(0.2 + 0.05 * i, 2) for i in range(7)]
    candidate = max(t for t in grid if dev.decide(t, -1.0)[truth].mean() >= 0.98)
    cos_grid = [round(0.5 + 0.01 * i, 2) for i in range(46)]
    threshold = _middle_of_best(cos_grid, [round(_f1(dev, candidate, t), 6) for t in cos_grid])
    swap_grid = [t for t in (round(0.5 + 0.01 * i, 2) for i in range(50)) if t >= threshold]
    f1 = [round(_f1(extended, candidate, threshold, t), 6) for t in swap_grid]
    return candidate, threshold, _middle_of_best(swap_grid, f1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="the shipped thresholds only")
    args = parser.parse_args(argv)
    embed = para.encoder_embed()
    dev = measure(dev_set(), embed)
    extended = measure(extended_dev_set(), embed)
    held = measure(eval_pairs(), embed)
    candidate, threshold, swap_threshold = choose(dev, extended)
    shipped = (para.CANDIDATE_THRESHOLD, para.THRESHOLD)
    if not args.quick:
        print(
            "swap threshold  extended dev P / R / FPR     eval P / R / FPR   (candidate, cosine thresholds shipped)",
            file=sys.stderr,
        )
        for t in [None] + [round(0.7 + 0.02 * i, 2) for i in range(14)]:
            d, e = score(extended, *shipped, t), score(held, *shipped, t)
            print(
                f"{t!s:>14}  {d['precision']} / {d['recall']} / {d['false_positive_rate']}"
                f"      {e['precision']} / {e['recall']} / {e['false_positive_rate']}",
                file=sys.stderr,
            )
    result = {
        "candidate_threshold": para.CANDIDATE_THRESHOLD,
        "threshold": para.THRESHOLD,
        "swap_threshold": contrast.SWAP_THRESHOLD,
        "swap_candidate_threshold": contrast.SWAP_CANDIDATE_THRESHOLD,
        "chosen_on_dev": {
            "candidate_threshold": candidate,
            "threshold": threshold,
            "swap_threshold": swap_threshold,
            "swap_candidate_threshold": choose_swap_candidate(extended, *shipped, contrast.SWAP_THRESHOLD),
        },
        "num_perm": para.NUM_PERM,
        "bands": para.BANDS,
        "dev": score(dev, *shipped, contrast.SWAP_THRESHOLD),
        "extended_dev": score(extended, *shipped, contrast.SWAP_THRESHOLD),
        "eval": score(held, *shipped, contrast.SWAP_THRESHOLD),
        "without_swap_candidate_threshold": {
            "dev": score(dev, *shipped, contrast.SWAP_THRESHOLD, None),
            "extended_dev": score(extended, *shipped, contrast.SWAP_THRESHOLD, None),
            "eval": score(held, *shipped, contrast.SWAP_THRESHOLD, None),
        },
        "without_content_word_check": {
            "dev": score(dev, *shipped, None),
            "extended_dev": score(extended, *shipped, None),
            "eval": score(held, *shipped, None),
        },
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
