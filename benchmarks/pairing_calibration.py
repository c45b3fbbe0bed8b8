"""Whether pairing's ``strength`` is calibrated: per strength band (and per signal kind), the share of pairs whose
chosen side is the truly better one, against the band's strength (``benchmarks.pairing_quality``)."""

from __future__ import annotations

from typing import Any

BANDS = ((0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.01))
#: A band is calibrated when its share right is within this of its mean strength (bands with fewer pairs than
#: ``MIN_BAND`` are reported but not judged).
CALIBRATION_TOLERANCE = 0.10
MIN_BAND = 20


def _direction(gap: float, n: int) -> str:
    """``share right - mean strength``: positive is under-confident (right more often than stated)."""
    if n < MIN_BAND:
        return "too few to judge"
    if gap > CALIBRATION_TOLERANCE:
        return "under-confident"
    if gap < -CALIBRATION_TOLERANCE:
        return "over-confident"
    return "calibrated"


def _band_row(name: str, inside: list[tuple[float, bool]]) -> dict[str, Any]:
    mean = sum(st for st, _ in inside) / len(inside)
    right = sum(ok for _, ok in inside) / len(inside)
    return {
        "band": name,
        "pairs": len(inside),
        "right": sum(ok for _, ok in inside),
        "mean_strength": round(mean, 4),
        "share_right": round(right, 4),
        "gap": round(right - mean, 4),
        "direction": _direction(right - mean, len(inside)),
        "calibrated": abs(right - mean) <= CALIBRATION_TOLERANCE if len(inside) >= MIN_BAND else None,
    }


def calibration(points: list[tuple[float, bool]], kinds: list[str] | None = None) -> dict[str, Any]:
    """Per strength band: pairs, mean strength, share whose chosen side is right, the gap between them and its
    direction (over- or under-confident), and whether they agree within the tolerance. With ``kinds`` (each
    point's pair kind), the same per kind."""
    bands = []
    for lo, hi in BANDS:
        inside = [(st, ok) for st, ok in points if lo <= st < hi]
        if inside:
            bands.append(_band_row(f"{lo:.2f}-{min(hi, 1.0):.2f}", inside))
    judged = [b["calibrated"] for b in bands if b["calibrated"] is not None]
    out: dict[str, Any] = {
        "bands": bands,
        "calibrated": all(judged) if judged else None,
        "judged_bands": len(judged),
        "calibrated_bands": sum(bool(j) for j in judged),
        "over_confident_bands": sum(b["direction"] == "over-confident" for b in bands),
        "under_confident_bands": sum(b["direction"] == "under-confident" for b in bands),
    }
    if kinds is not None:
        out["by_kind"] = [
            _band_row(kind, [pt for pt, k in zip(points, kinds, strict=True) if k == kind])
            for kind in sorted(set(kinds))
        ]
    return out
