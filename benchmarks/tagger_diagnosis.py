"""Diagnoses of a held-out reader's scores beside tagger 2.1's recipe (issue 15, session 11): not ship figures.

- :func:`matched_fpr`: each variant's best harmful + injection recall at no more false positives than 2.1's recipe
  (the thresholds are read off the held-out rows: whether the scores separate at all);
- :func:`name_hazards_at_own_floor`: hazards of injection-only rows named against each hazard's own threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from benchmarks.tagger_recipe import UNSEEN_TEN
from benchmarks.tagger_scoring import CONTENT_SOURCE
from prefloop.curator.tagging import Tags
from prefloop.curator.tagging.corpus import Example
from prefloop.curator.tagging.tags import SECOND_HAZARD_RATIO, or_scores
from prefloop.curator.tagging.training import source_of

__all__ = ["SWEEP", "matched_fpr", "name_hazards_at_own_floor", "threshold_evidence"]


def name_hazards_at_own_floor(
    tags: Tags, cats: Mapping[str, float], th: Mapping[str, float], hazards: Sequence[str]
) -> Tags:
    """``tags`` of a row flagged only as an injection (harm score under its threshold) with its hazards named
    against each hazard's own threshold, not ``max(threshold, 0.5)`` as :func:`decide` does (session 11's
    diagnosis of hazard recall on injections); other rows unchanged."""
    if not tags.harmful or cats.get("harmful", 0.0) >= th.get("harmful", 0.5):
        return tags
    hz = {h: float(cats.get(h, 0.0)) for h in hazards}
    top = max(hz.values())
    chosen = [h for h in hazards if hz[h] >= th.get(h, 0.5) and hz[h] >= SECOND_HAZARD_RATIO * top]
    return replace(tags, hazards=sorted(chosen, key=lambda h: -hz[h]))


def threshold_evidence(
    cats: Sequence[dict[str, float]],
    rules: Sequence[Mapping[str, float]],
    reader: Sequence[float | None] | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The two scores :func:`decide` compares with the ``harmful`` and ``prompt_injection`` thresholds."""
    harm = np.array([c.get("harmful", 0.0) for c in cats])
    inj = np.array(
        [
            or_scores(
                or_scores(c.get("prompt_injection", 0.0), r.get("prompt_injection", 0.0)),
                (reader[i] or 0.0) if reader is not None else 0.0,
            )
            for i, (c, r) in enumerate(zip(cats, rules, strict=True))
        ]
    )
    return harm, inj


#: The thresholds :func:`matched_fpr` tries for ``harmful`` and ``prompt_injection``.
SWEEP = np.round(np.arange(0.30, 0.995, 0.01), 2)


def matched_fpr(
    examples: Sequence[Example],
    evidence: dict[str, tuple[np.ndarray, np.ndarray]],
    packaged: Mapping[str, float],
    reference: str = "head_gate_reader",
) -> dict[str, Any]:
    """A diagnosis, not a ship figure (the thresholds are read off the held-out rows): on the ten sets, each
    variant's best harmful + injection recall over pairs of ``harmful`` / ``prompt_injection`` thresholds whose
    ordinary FPR and prompts-only FPR do not exceed those of ``reference`` (2.1's recipe) at the packaged ones —
    whether a reader's scores separate harmful from ordinary prompts better at all."""
    ten = np.array([source_of(e) in UNSEEN_TEN for e in examples])
    harmful = np.array([e.harmful for e in examples]) & ten
    injection = np.array([e.tactic == "prompt_injection" for e in examples]) & ten
    ordinary = np.array([e.tactic is None and source_of(e) != "xstest" for e in examples]) & ten
    prompts = ordinary & np.array([source_of(e) != CONTENT_SOURCE for e in examples])

    def rates(name: str, th: float, ti: float) -> tuple[float, float, float, float]:
        harm, inj = evidence[name]
        is_inj = inj >= ti
        flag = is_inj | (harm >= th)
        return (
            float(flag[harmful].mean()),
            float(is_inj[injection].mean()),
            float(flag[ordinary].mean()),
            float(flag[prompts].mean()),
        )

    _, _, o0, p0 = rates(reference, packaged.get("harmful", 0.5), packaged.get("prompt_injection", 0.5))
    out: dict[str, Any] = {}
    for name in evidence:
        best: tuple[float, ...] | None = None
        for th in SWEEP:
            for ti in SWEEP:
                r = rates(name, float(th), float(ti))
                if (
                    r[2] <= o0 + 1e-9
                    and r[3] <= p0 + 1e-9
                    and (best is None or r[0] + r[1] > best[0] + best[1])
                ):
                    best = (*r, float(th), float(ti))
        out[name] = (
            None
            if best is None
            else dict(
                zip(
                    (
                        "harmful_recall",
                        "injection_recall",
                        "ordinary_fpr",
                        "ordinary_prompts_fpr",
                        "harmful",
                        "prompt_injection",
                    ),
                    (round(x, 4) for x in best),
                    strict=True,
                )
            )
        )
    out["limits"] = {"ordinary_fpr": round(o0, 4), "ordinary_prompts_fpr": round(p0, 4)}
    return out
