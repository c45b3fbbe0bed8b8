"""The audit sample of automatic acceptance: a random share of the pairs that met the bar goes to review anyway
(:func:`audit_drawn`, used by routing), and reviewers' verdicts on them estimate how often automatic acceptance is
right (:func:`audit_estimate`, shown by ``prefloop slackbot agreement`` and in each release's dataset card)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["AUDIT_CODE", "AuditEstimate", "audit_drawn", "audit_estimate", "is_audit", "wilson_interval"]

#: The reason code of a pair that met the bar and was drawn for the audit sample.
AUDIT_CODE = "audit"


def audit_drawn(pair_id: str, rate: float) -> bool:
    """Whether ``pair_id`` falls in the audit sample of ``rate``: a uniform draw from the id's hash (pair ids
    derive from random response ids, so no user can steer their pair in or out)."""
    if rate <= 0:
        return False
    draw = int.from_bytes(hashlib.sha256(b"prefloop-audit\0" + pair_id.encode()).digest()[:8], "big") / 2**64
    return draw < rate


def is_audit(route_reasons: Any) -> bool:
    """Whether a pair's stored route reasons say it was drawn for the audit sample."""
    return any(str(r).split(":", 1)[0] == AUDIT_CODE for r in route_reasons or [])


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """The Wilson score interval of ``k`` successes in ``n`` trials (95 % for the default ``z``); None if n = 0."""
    if n == 0:
        return None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class AuditEstimate:
    """How often reviewers confirmed the side users' evidence chose, on the audit sample: pairs that met the bar
    for automatic acceptance and were drawn at random for review. An estimate of the precision of automatic
    acceptance in production."""

    audited: int
    confirmed: int
    #: Resolved audit pairs by outcome (``chosen`` = confirmed, ``rejected`` = reviewers swapped the sides).
    outcomes: dict[str, int]
    precision: float | None
    interval: tuple[float, float] | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def audit_estimate(outcomes: Mapping[str, int]) -> AuditEstimate:
    """The estimate from the resolved audit pairs' outcomes (outcome -> count)."""
    n = sum(outcomes.values())
    k = int(outcomes.get("chosen", 0))
    return AuditEstimate(
        audited=n,
        confirmed=k,
        outcomes=dict(sorted(outcomes.items())),
        precision=k / n if n else None,
        interval=wilson_interval(k, n),
    )
