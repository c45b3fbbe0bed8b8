"""Whether ``strength`` is calibrated: per strength band, how often the chosen side was right, against the band's
mean strength. Used on review outcomes in production (:func:`prefloop.curator.pipeline.review_outcomes
.calibration_points`, shown by ``prefloop slackbot agreement``) and on known preferences in
``benchmarks.pairing_quality``.

A band of ``MIN_BAND`` or more pairs is calibrated when its share right is within ``CALIBRATION_TOLERANCE`` of
its mean strength. Beside that verdict each band carries the 95 % Wilson interval of its share right and whether a
miss is *beyond sampling noise* (no share within the tolerance of the strength lies in the interval): 25 pairs at a
true 0.65 give a share right with a standard deviation of 0.095, so a perfectly calibrated small band misses 0.10
about a third of the time. Both are reported; the strict verdict is the goal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from prefloop.curator.pairing.audit import wilson_interval

__all__ = [
    "BANDS",
    "CALIBRATION_TOLERANCE",
    "MIN_BAND",
    "band_name",
    "band_summary",
    "bands_of",
    "pooled",
    "summarize",
]

#: Strength bands: [lo, hi).
BANDS = ((0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.01))
CALIBRATION_TOLERANCE = 0.10
#: Bands with fewer pairs are reported, not judged.
MIN_BAND = 20


def band_name(lo: float, hi: float) -> str:
    return f"{lo:.2f}-{min(hi, 1.0):.2f}"


def _direction(gap: float, n: int) -> str:
    """``share right - mean strength``: positive is under-confident (right more often than stated)."""
    if n < MIN_BAND:
        return "too few to judge"
    if gap > CALIBRATION_TOLERANCE:
        return "under-confident"
    if gap < -CALIBRATION_TOLERANCE:
        return "over-confident"
    return "calibrated"


def band_summary(name: str, pairs: int, right: int, strength_sum: float) -> dict[str, Any]:
    """One band's row from its counts: ``pairs``, how many are ``right`` and the sum of their strengths."""
    mean, share = strength_sum / pairs, right / pairs
    lo, hi = wilson_interval(right, pairs) or (0.0, 1.0)
    judged = pairs >= MIN_BAND
    beyond = judged and (hi < mean - CALIBRATION_TOLERANCE or lo > mean + CALIBRATION_TOLERANCE)
    return {
        "band": name,
        "pairs": pairs,
        "right": right,
        "mean_strength": round(mean, 4),
        "share_right": round(share, 4),
        "interval": [round(lo, 4), round(hi, 4)],
        "gap": round(share - mean, 4),
        "direction": _direction(share - mean, pairs),
        "calibrated": abs(share - mean) <= CALIBRATION_TOLERANCE if judged else None,
        "miss_beyond_noise": beyond if judged else None,
    }


def bands_of(points: Iterable[tuple[float, bool]]) -> list[dict[str, Any]]:
    """(strength, right) points to their bands' rows (bands without a point left out)."""
    pts = list(points)
    rows = []
    for lo, hi in BANDS:
        inside = [(st, ok) for st, ok in pts if lo <= st < hi]
        if inside:
            rows.append(
                band_summary(
                    band_name(lo, hi), len(inside), sum(ok for _, ok in inside), sum(st for st, _ in inside)
                )
            )
    return rows


def summarize(bands: list[dict[str, Any]]) -> dict[str, Any]:
    """The bands with their counts: judged, calibrated, over-/under-confident, misses beyond noise."""
    judged = [b["calibrated"] for b in bands if b["calibrated"] is not None]
    return {
        "bands": bands,
        "calibrated": all(judged) if judged else None,
        "judged_bands": len(judged),
        "calibrated_bands": sum(bool(j) for j in judged),
        "over_confident_bands": sum(b["direction"] == "over-confident" for b in bands),
        "under_confident_bands": sum(b["direction"] == "under-confident" for b in bands),
        "misses_beyond_noise": sum(bool(b["miss_beyond_noise"]) for b in bands),
    }


def pooled(runs: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The bands of several summaries added up (pairs, right, strength) and judged again: what is left when each
    band holds hundreds of pairs is the systematic error, not one run's sampling noise."""
    acc: dict[str, list[float]] = {}
    for run in runs:
        for b in run["bands"]:
            row = acc.setdefault(b["band"], [0, 0, 0.0])
            row[0] += b["pairs"]
            row[1] += b["right"]
            row[2] += b["mean_strength"] * b["pairs"]
    order = [band_name(lo, hi) for lo, hi in BANDS]
    return summarize([band_summary(n, int(v[0]), int(v[1]), v[2]) for n in order if (v := acc.get(n))])
