"""Whether pairing's ``strength`` is calibrated on known preferences (``benchmarks.pairing_quality``): per strength
band and per signal kind, the share of pairs whose chosen side is the truly better one, against the band's
strength. The verdicts (strict, interval, beyond noise, pooled) are the product's
(:mod:`prefloop.curator.pairing.calibration`)."""

from __future__ import annotations

from typing import Any

from prefloop.curator.pairing.calibration import band_summary, bands_of, pooled, summarize

__all__ = ["band_summary", "calibration", "pooled"]


def calibration(points: list[tuple[float, bool]], kinds: list[str] | None = None) -> dict[str, Any]:
    """Per strength band: pairs, mean strength, share whose chosen side is right, its 95 % interval, the gap and
    its direction (over- or under-confident), and whether they agree within the tolerance. With ``kinds`` (each
    point's pair kind), the same per kind."""
    out = summarize(bands_of(points))
    if kinds is not None:
        out["by_kind"] = []
        for kind in sorted(set(kinds)):
            inside = [pt for pt, k in zip(points, kinds, strict=True) if k == kind]
            out["by_kind"].append(
                band_summary(kind, len(inside), sum(ok for _, ok in inside), sum(st for st, _ in inside))
            )
    return out
