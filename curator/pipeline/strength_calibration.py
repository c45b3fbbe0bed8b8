"""The calibration map of ``strength`` over the store (:mod:`prefloop.curator.pairing.strength_map`): fitted on the
resolved review outcomes that are a fair sample of their strength, each pair's strength recomputed from its stored
evidence under the reliabilities pairing uses now; fitted again only after new outcomes, at most every
``calibration.refit_seconds``."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from prefloop.curator.pairing.policy import Policy
from prefloop.curator.pairing.strength_map import StrengthMap, fit_strength_map, map_points
from prefloop.curator.pipeline.review_outcomes import resolved_count, reviewed_evidence

__all__ = ["StrengthMapCache", "fit_from_store"]


def fit_from_store(session: Session, policy: Policy) -> StrengthMap | None:
    """The map fitted on the store's reviewed pairs under ``policy`` (its reliabilities as learned now)."""
    cal = policy.calibration
    reviewed = reviewed_evidence(session, cal.max_points)
    ceiling = policy.accept.min_strength - policy.accept.tolerance
    return fit_strength_map(map_points(reviewed, policy), ceiling, cal.prior_weight)


class StrengthMapCache:
    """One curator's current map. A pairing batch asks for it with the policy it pairs with; the map is fitted
    again when the store holds new review outcomes (or the reliabilities moved), unless the last fit is younger
    than ``refit_seconds`` (then the previous map serves; a first map is always fitted at once)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._key: tuple[object, ...] | None = None
        self._map: StrengthMap | None = None
        self._fitted_at = 0.0

    @property
    def fitted(self) -> StrengthMap | None:
        """The map as last fitted (None before any fit or without reviewed pairs)."""
        return self._map

    def current(self, session: Session, policy: Policy) -> StrengthMap | None:
        cal = policy.calibration
        if not cal.enabled:
            return None
        key = (resolved_count(session), tuple(sorted(policy.signals.items())), cal, policy.accept)
        if key == self._key:
            return self._map
        now = self._clock()
        if self._map is not None and now - self._fitted_at < cal.refit_seconds:
            return self._map
        self._map, self._key, self._fitted_at = fit_from_store(session, policy), key, now
        return self._map
