"""Routing: accept, review or discard one pair by the policy, with the reasons recorded on the pair.

Reason strings are ``code: explanation`` so they can be counted by code and read by a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from prefloop.curator.pairing.audit import AUDIT_CODE, audit_drawn
from prefloop.curator.pairing.policy import Policy

__all__ = ["RouteInput", "route"]

_THUMBS = ("thumbs_same_user", "thumbs_cross_user")


@dataclass(frozen=True)
class RouteInput:
    """What routing looks at. ``signals`` are in the Signal record shape (favours chosen/rejected)."""

    strength: float
    signals: Sequence[dict[str, Any]]
    ties: int
    conflicts: int
    similarity: float
    checks: Sequence[str]
    human_written: bool = False
    tags: dict[str, Any] | None = None
    #: The pair's id: the audit sample is drawn from it, so re-pairing the same evidence draws the same.
    pair_id: str = ""


def route(item: RouteInput, policy: Policy) -> tuple[str, list[str]]:
    """``(status, reasons)`` with status ``accepted``, ``review`` or ``discarded``."""
    discard: list[str] = [f"check:{c}: unusable pair" for c in item.checks if c in policy.discard.checks]
    directional = [s for s in item.signals if s["favours"] in ("chosen", "rejected")]
    if policy.discard.ties and not directional and item.ties:
        discard.append(f"tie: {item.ties} tie vote(s) and no preference; stored as a labelled tie")
    if policy.discard.ties and item.similarity >= policy.similarity.tie:
        discard.append(
            f"near_identical: answers {item.similarity:.2f} similar >= {policy.similarity.tie:.2f}; a tie, not a pair"
        )
    if not directional and not item.ties and not discard:
        discard.append("no_signal: no evidence between these answers")
    if discard:
        return "discarded", discard

    review: list[str] = []
    if item.conflicts > policy.accept.max_conflicts:
        review.append(
            f"conflict: {item.conflicts} signal(s) favour the rejected side; kept, not averaged away"
        )
    if item.ties:
        review.append(f"tie_votes: {item.ties} user(s) called it a tie")
    if item.similarity >= policy.similarity.near_tie:
        review.append(f"near_tie: answers {item.similarity:.2f} similar >= {policy.similarity.near_tie:.2f}")
    if item.strength < policy.accept.min_strength - policy.accept.tolerance:
        review.append(f"weak_signal: strength {item.strength:.3f} < {policy.accept.min_strength:.3f}")
    for_chosen = [s for s in directional if s["favours"] == "chosen"]
    kinds = sorted({s["kind"] for s in for_chosen})
    if kinds and all(k in policy.accept.never_alone for k in kinds):
        review.append(f"weak_kind: {', '.join(kinds)} cannot auto-accept on its own")
    if kinds and all(k in _THUMBS for k in kinds):
        reasons = {r for s in for_chosen for r in s.get("detail", {}).get("reasons", [])}
        if reasons and reasons <= set(policy.accept.weak_reasons):
            review.append(
                f"weak_reason: every thumbs-down gave {', '.join(sorted(reasons))}; "
                "preferences on tone alone train sycophancy"
            )
    review.extend(f"check:{c}" for c in item.checks if c in policy.review.checks)
    tags = item.tags or {}
    if policy.review.safety_tagged and tags.get("harmful"):
        hazards = ", ".join(tags.get("hazards") or []) or "harmful"
        review.append(f"safety_tagged: prompt tagged {hazards}")
    if policy.review.human_written and item.human_written:
        review.append("human_written: chosen is a human edit")
    if review:
        return "review", review
    accepted = (
        f"strong_signal: strength {item.strength:.3f} >= {policy.accept.min_strength:.3f} from "
        f"{', '.join(kinds)}; no conflicts; checks clean"
    )
    if audit_drawn(item.pair_id, policy.audit.rate):
        return "review", [
            f"{AUDIT_CODE}: drawn for the audit sample ({policy.audit.rate:.1%} of pairs that met the bar)",
            accepted,
        ]
    return "accepted", [accepted]
