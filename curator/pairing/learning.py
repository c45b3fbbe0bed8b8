"""Signal reliabilities re-estimated from review outcomes (empirical Bayes, one Beta per signal kind).

The policy's ``signals`` are priors. Each time reviewers resolve a pair formed by one user's evidence with
nothing pointing the other way, that evidence's kind (its strongest signal: the one that set the pair's
strength) gets a confirmation or a contradiction. At pairing time a kind's reliability is the posterior mean
``(confirmed + prior_weight * prior) / (outcomes + prior_weight)``, kept in ``[0.5, max_reliability]``.

Only lone-user pairs teach: for them, whether the pair went to review depends on the kind's reliability and
never on whether the user was right, so the reviewed ones are a fair sample of that kind's signals. Pairs with
several users are not: agreeing users are more often right than one alone, disagreeing ones less. A kind whose
reliability reaches the acceptance bar stops going to review; the audit sample (``Policy.audit``: pairs that met
the bar, drawn at random) keeps teaching it, again a fair sample.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from prefloop.curator.pairing.policy import Policy

__all__ = ["learned_policy", "posterior_reliability", "taught_kind"]


def posterior_reliability(
    prior: float, confirmed: int, contradicted: int, prior_weight: float, cap: float
) -> float:
    """The Beta posterior mean of a kind's reliability: ``prior`` is worth ``prior_weight`` outcomes."""
    n = confirmed + contradicted
    if n == 0:
        return prior
    return min(max((confirmed + prior_weight * prior) / (n + prior_weight), 0.5), cap)


def taught_kind(signals: Sequence[Mapping[str, Any]], users: Sequence[str], conflicts: int) -> str | None:
    """The signal kind a review outcome on this pair teaches, or None when the pair is not a lone user's
    unopposed evidence. ``signals`` are the pair's stored signal records (``kind``, ``strength``, ``detail``)."""
    if conflicts or len(set(users)) != 1 or not signals:
        return None
    if any(s.get("favours") != "chosen" for s in signals):
        return None

    def base(s: Mapping[str, Any]) -> float:  # before the user's own history moved it
        detail = s.get("detail") or {}
        return float(detail.get("base_strength", s.get("strength", 0.5)))

    return str(max(signals, key=base)["kind"])


def learned_policy(policy: Policy, outcomes: Mapping[str, tuple[int, int]]) -> Policy:
    """``policy`` with each signal kind's reliability re-estimated from ``outcomes`` (kind -> (confirmed,
    contradicted)); ``policy`` itself when learning is off or nothing was learned yet."""
    learn = policy.learning
    if not learn.enabled or not outcomes:
        return policy
    signals = {
        kind: posterior_reliability(
            prior, *outcomes.get(kind, (0, 0)), learn.prior_weight, learn.max_reliability
        )
        for kind, prior in policy.signals.items()
    }
    if signals == policy.signals:
        return policy
    return policy.model_copy(update={"signals": signals})
