"""Signal reliabilities re-estimated from review outcomes (empirical Bayes, one Beta per signal kind).

The policy's ``signals`` are priors. Each time reviewers resolve a pair formed by one user's evidence with
nothing pointing the other way (or by one cross-user thumbs comparison, below), that evidence's kind (its strongest signal: the one that set the pair's
strength) gets a confirmation or a contradiction. At pairing time a kind's reliability is the posterior mean
``(confirmed + prior_weight * prior) / (outcomes + prior_weight)``, kept in ``[0.5, max_reliability]``.

Only pairs that are one unit of a kind teach: a lone user's evidence, or a single cross-user thumbs comparison
(one user liked the chosen answer, another disliked the rejected one; that kind is made of two users, so it could
never be learned from lone users' pairs). For them, whether the pair went to review depends on the kind's
reliability and never on whether the users were right, so the reviewed ones are a fair sample of that kind's
signals. Other pairs with several users are not: agreeing users are more often right than one alone, disagreeing
ones less. A kind whose reliability reaches the acceptance bar stops going to review; the audit sample
(``Policy.audit``: pairs that met the bar, drawn at random) keeps teaching it, again a fair sample.
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


#: Kinds whose strength a thumbs-down's reason scales (``negative_reasons``): an outcome teaches their full-weight
#: reliability only when every reason behind the signal had full weight.
_REASON_SCALED = ("thumbs_same_user", "thumbs_cross_user")


def _full_weight(signal: Mapping[str, Any]) -> bool:
    if signal.get("kind") not in _REASON_SCALED:
        return True
    return float((signal.get("detail") or {}).get("weight", 0.0)) >= 1.0


def _one_cross_user_comparison(signals: Sequence[Mapping[str, Any]], users: Sequence[str]) -> bool:
    """The pair's only evidence is one thumbs-up and one thumbs-down from two different users (a matching of
    size 1), each at full weight: the unit that ``signals.thumbs_cross_user`` is the reliability of."""
    if len(signals) != 1 or len(set(users)) != 2:
        return False
    s = signals[0]
    detail = s.get("detail") or {}
    return s.get("kind") == "thumbs_cross_user" and detail.get("matched") == 1 and _full_weight(s)


def taught_kind(signals: Sequence[Mapping[str, Any]], users: Sequence[str], conflicts: int) -> str | None:
    """The signal kind a review outcome on this pair teaches, or None when the pair is not a fair sample of one
    kind: a lone user's unopposed evidence (its strongest signal's kind), or one cross-user thumbs comparison
    (two users, one liked the chosen answer, the other disliked the rejected one) with nothing else on the pair.
    ``signals`` are the pair's stored signal records (``kind``, ``strength``, ``detail``). A thumbs signal
    teaches only at full weight (every thumbs-down reason weighing 1, ``incorrect``/``unsafe``): a weaker reason
    scales the signal towards 0.5, and its outcome is not the kind's full-weight reliability."""
    if conflicts or not signals or any(s.get("favours") != "chosen" for s in signals):
        return None
    if _one_cross_user_comparison(signals, users):
        return "thumbs_cross_user"
    if len(set(users)) != 1:
        return None

    def base(s: Mapping[str, Any]) -> float:  # before the user's own history moved it
        detail = s.get("detail") or {}
        return float(detail.get("base_strength", s.get("strength", 0.5)))

    strongest = max(signals, key=base)
    return str(strongest["kind"]) if _full_weight(strongest) else None


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
