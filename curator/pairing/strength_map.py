"""A calibration map for ``strength`` learned from review outcomes (isotonic, shrunk towards the identity).

The evidence model (:mod:`.engine`, with the reliabilities :mod:`.learning` re-estimates per kind) states a
strength; reviewers' verdicts on the pairs that are a fair sample of their strength (every pair below the
acceptance bar goes to review; above it, the audit sample) say how often the chosen side was right. Where the two
disagree systematically in a strength range (evidence whose reliability is a packaged prior nothing learns, like
a thumbs-down reason's scaling, or a kind with too few outcomes to move its prior), the map moves the strength
there towards what reviewers found.

Done so that it is not a second correction on top of the re-learned reliabilities: each reviewed pair's strength
is **recomputed from its stored evidence under the current reliabilities** (:func:`evidence_strength`) before the
map is fitted, so the map only corrects what the current evidence model still gets wrong. A user's history enters
as it stood when the pair was formed (stored with the signal), never the record this very review added to.

The fit: the strength bands below the bar (those of :mod:`.calibration`), per band the share right as a Beta
posterior whose prior is the identity (the band's mean strength worth ``prior_weight`` pairs; a band without
reviewed pairs stays at the identity), made non-decreasing by pool-adjacent-violators, then interpolated linearly
between the bands' mean strengths. Only strengths below the bar are moved, and never to or above it: routing is
decided by the evidence, so precision of automatic acceptance and the share accepted do not move with the map.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from prefloop.curator.pairing.calibration import BANDS
from prefloop.curator.pairing.policy import Policy
from prefloop.curator.pairing.signals import combine, logit, shrink, with_history

__all__ = ["StrengthMap", "evidence_strength", "fit_strength_map", "map_points"]

#: How far below the bar (reasons print strength with 3 decimals), and above 0.5, a mapped strength stays: at
#: 0.5 a pair would read as a tie, and the map cannot turn a pair's sides round.
_MARGIN = 1e-3


def _signal_strength(signal: Mapping[str, Any], policy: Policy) -> float:
    """One stored signal's strength under ``policy``'s reliabilities, the way :mod:`.signals` forms it."""
    kind = str(signal.get("kind"))
    detail = signal.get("detail") or {}
    value = policy.reliability(kind)
    if kind in ("thumbs_same_user", "thumbs_cross_user") and "weight" in detail:
        value = shrink(value, float(detail["weight"]))
        if kind == "thumbs_cross_user":
            value = combine(int(detail.get("matched", 1)) * logit(value))
    history = detail.get("history")
    if history:
        confirmed, contradicted = (int(x) for x in history)
        hp = policy.history
        value = with_history(value, confirmed, contradicted, hp.prior_weight, hp.max_reliability)
    return value


def evidence_strength(signals: Sequence[Mapping[str, Any]], users: Sequence[str], policy: Policy) -> float:
    """The probability, under ``policy``'s reliabilities, that a stored pair's chosen side is the better one,
    recomputed from its signal records (``kind``, ``favours``, ``detail``): per voter (``detail.voter``, one set
    of users; a pair of one user is one voter) the strongest evidence each way, log-odds summed over voters.
    Below 0.5 when the evidence now points to the rejected side."""
    best: dict[object, dict[str, float]] = defaultdict(lambda: {"chosen": 0.0, "rejected": 0.0})
    lone = len(set(users)) == 1
    for i, s in enumerate(signals):
        side = s.get("favours")
        if side not in ("chosen", "rejected"):
            continue
        detail = s.get("detail") or {}
        voter = detail.get("voter", 0 if lone else f"record-{i}")
        v = best[voter]
        v[side] = max(v[side], logit(_signal_strength(s, policy)))
    net = sum(v["chosen"] - v["rejected"] for v in best.values())
    return combine(net) if net >= 0 else 1 - combine(-net)


def map_points(
    reviewed: Iterable[tuple[Sequence[Mapping[str, Any]], Sequence[str], bool]], policy: Policy
) -> list[tuple[float, bool]]:
    """(strength under ``policy``, right) for reviewed pairs given as (signal records, users, reviewers confirmed
    the chosen side): a pair whose evidence now points the other way counts for that side."""
    out = []
    for signals, users, agreed in reviewed:
        if not signals:
            continue
        p = evidence_strength(signals, users, policy)
        out.append((p, agreed) if p >= 0.5 else (1 - p, not agreed))
    return out


@dataclass(frozen=True)
class StrengthMap:
    """Evidence strength -> calibrated strength, below ``ceiling`` only (at or above it: unchanged)."""

    #: (band's mean evidence strength, calibrated share right), increasing in both.
    knots: tuple[tuple[float, float], ...]
    ceiling: float
    #: How many reviewed pairs the map was fitted on.
    points: int = 0

    def __call__(self, strength: float) -> float:
        # at the bar or above it; or evidence balanced both ways (its sides are arbitrary): nothing to map
        if strength >= self.ceiling or strength <= 0.5 or not self.knots:
            return strength
        xs = [x for x, _ in self.knots]
        if strength <= xs[0]:
            value = strength + (self.knots[0][1] - xs[0])
        elif strength >= xs[-1]:
            value = strength + (self.knots[-1][1] - xs[-1])
        else:
            j = next(i for i in range(1, len(xs)) if strength <= xs[i])
            (x0, y0), (x1, y1) = self.knots[j - 1], self.knots[j]
            value = y0 + (y1 - y0) * (strength - x0) / (x1 - x0) if x1 > x0 else y1
        return min(max(value, 0.5 + _MARGIN), self.ceiling - _MARGIN)

    def to_dict(self) -> dict[str, Any]:
        return {
            "knots": [[round(x, 4), round(y, 4)] for x, y in self.knots],
            "ceiling": self.ceiling,
            "points": self.points,
        }


def _pool_adjacent_violators(values: list[float], weights: list[float]) -> list[float]:
    """The weighted least-squares non-decreasing fit to ``values``."""
    blocks: list[list[float]] = []  # [value, weight, count]
    for v, w in zip(values, weights, strict=True):
        blocks.append([v, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, n2 = blocks.pop()
            v1, w1, n1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    out: list[float] = []
    for v, _, n in blocks:
        out.extend([v] * int(n))
    return out


def fit_strength_map(
    points: Iterable[tuple[float, bool]], ceiling: float, prior_weight: float
) -> StrengthMap | None:
    """The map fitted on (evidence strength, right) points: None when no point lies below ``ceiling``."""
    bands = [(lo, min(hi, ceiling)) for lo, hi in BANDS if lo < ceiling]
    sums = [[0, 0, 0.0] for _ in bands]  # pairs, right, strength sum
    used = 0
    for strength, right in points:
        if not 0.5 < strength < ceiling or math.isnan(strength):
            continue
        j = next(i for i, (lo, hi) in enumerate(bands) if lo <= strength < hi)
        sums[j][0] += 1
        sums[j][1] += int(right)
        sums[j][2] += strength
        used += 1
    if not used:
        return None
    xs, ys, ws = [], [], []
    for (lo, hi), (n, n_right, total) in zip(bands, sums, strict=True):
        mean = total / n if n else (lo + hi) / 2
        xs.append(mean)
        ys.append((n_right + prior_weight * mean) / (n + prior_weight))
        ws.append(n + prior_weight)
    fitted = _pool_adjacent_violators(ys, ws)
    return StrengthMap(knots=tuple(zip(xs, fitted, strict=True)), ceiling=ceiling, points=used)
