"""How `benchmarks.tagger` scores tags: rates, precision/recall, the per-world figures (harmful, injection,
hazards, ordinary and XSTest false positives), tagging a set and timing a model."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from prefloop.curator.tagging import Tagger, Tags, Taxonomy
from prefloop.curator.tagging.corpus import Example
from prefloop.curator.tagging.training import (
    source_of,
)

#: Sources that are our own writing: the base of every leave-one-source-out model, never held out.


#: Its unflagged rows are content (comments, posts), not requests: reported apart as well as in ``ordinary_fpr``.
CONTENT_SOURCE = "openai_moderation"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def rate(hits: Sequence[bool]) -> float | None:
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
            per_hazard[name] = {"recall": rate(gold), "n": len(gold)}
    recalls = [float(v["recall"] or 0.0) for v in per_hazard.values()]
    flagged = sum(t.harmful for _, t in pairs)
    true_flags = sum(t.harmful for _, t in harm)
    return {
        "n": len(pairs),
        "n_harmful": len(harm),
        "harmful_recall": rate([t.harmful for _, t in harm]),
        "harmful_precision": round(true_flags / flagged, 4) if flagged else None,
        "n_injection": len(inj),
        "injection_recall": rate([t.tactic == "prompt_injection" for t in inj]),
        "injection_flagged": rate([t.harmful for t in inj]),
        "hazard_macro_recall": round(sum(recalls) / len(recalls), 4) if recalls else None,
        "hazards": per_hazard,
        "n_ordinary": len(ordinary),
        "ordinary_fpr": rate(ordinary),
        "n_ordinary_prompts": len(prompts),
        "ordinary_prompts_fpr": rate(prompts),
        "n_xstest_safe": len(xs_safe),
        "xstest_safe_fpr": rate(xs_safe),
        "n_edge": len(edge),
        "edge_fpr": rate(edge),
    }


#: The figures a summary line shows of :func:`world_metrics`.
BRIEF_KEYS = (
    "harmful_recall",
    "harmful_precision",
    "injection_recall",
    "hazard_macro_recall",
    "ordinary_fpr",
    "ordinary_prompts_fpr",
    "xstest_safe_fpr",
    "n",
)


def brief(m: dict[str, Any]) -> dict[str, Any]:
    """The headline figures of :func:`world_metrics`' result ``m``."""
    return {k: m[k] for k in BRIEF_KEYS}


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


def hazard_detail(pairs: Sequence[tuple[Example, Tags]], hazards: Sequence[str]) -> dict[str, Any]:
    """Where hazard recall is lost, per gold hazard of the harmful rows: ``flagged`` (share tagged harmful at all),
    ``named_if_flagged`` (share of the flagged rows whose tags name the hazard) and ``instead`` (the hazards named,
    or "none", on flagged rows that miss it; the three most frequent, with counts)."""
    out: dict[str, Any] = {}
    for name in hazards:
        rows = [t for e, t in pairs if e.harmful and name in e.hazards]
        if not rows:
            continue
        flagged = [t for t in rows if t.harmful]
        instead: dict[str, int] = {}
        for t in flagged:
            if name not in t.hazards:
                for other in t.hazards or ["none"]:
                    instead[other] = instead.get(other, 0) + 1
        out[name] = {
            "n": len(rows),
            "flagged": rate([t.harmful for t in rows]),
            "named_if_flagged": rate([name in t.hazards for t in flagged]),
            "instead": dict(sorted(instead.items(), key=lambda kv: -kv[1])[:3]),
        }
    return out
