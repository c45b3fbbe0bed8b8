"""Candidate to pair draft: orient by the combined evidence, run the checks, route.

The strength of a pair is the probability that its chosen side is the better one, combining each signal's
reliability (the policy's ``signals``) as independent evidence per distinct set of users: log-odds add up across
users, while one user's several signals count once, at their strongest.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from prefloop.curator.pairing.checks import run_checks
from prefloop.curator.pairing.grouping import normalize_text
from prefloop.curator.pairing.model import Candidate, GroupView, PairDraft, ResponseView, SignalView
from prefloop.curator.pairing.policy import RUBRIC_VERSION, Policy
from prefloop.curator.pairing.routing import RouteInput, route
from prefloop.curator.pairing.signals import build_candidates, combine, logit
from prefloop.curator.pairing.strength_map import StrengthMap
from prefloop.schemas.records import SIGNAL_KINDS

__all__ = ["evaluate", "fingerprint", "pair_group"]


def fingerprint(prompt: Sequence[dict[str, str]], chosen: str, rejected: str) -> str:
    """Identity of a pair's content: the duplicate check compares these."""
    blob = json.dumps(
        [
            [[m["role"], normalize_text(m["content"])] for m in prompt],
            normalize_text(chosen),
            normalize_text(rejected),
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _net_logit(signals: Sequence[SignalView]) -> float:
    """Sum over independent voters (distinct user sets) of their strongest evidence each way."""
    best: dict[tuple[str, ...], dict[str, float]] = defaultdict(lambda: {"a": 0.0, "b": 0.0})
    for s in signals:
        v = best[s.users]
        v[s.favours] = max(v[s.favours], logit(s.strength))
    return sum(v["a"] - v["b"] for v in best.values())


def _side_meta(
    ids: list[str], by_id: dict[str, ResponseView]
) -> tuple[str | None, dict[str, Any], str | None, ResponseView | None]:
    r = by_id.get(ids[0]) if ids else None
    if r is None:
        return None, {}, None, None
    return r.model, dict(r.generation), r.prompt_source, r


def _traces(chosen: ResponseView | None, rejected: ResponseView | None) -> dict[str, Any]:
    """The trace ids and metadata labels of the two responses (v1.1 events), where the app recorded any."""
    out: dict[str, Any] = {}
    ids = {side: r.trace_id for side, r in (("chosen", chosen), ("rejected", rejected)) if r and r.trace_id}
    labels = {
        side: r.metadata for side, r in (("chosen", chosen), ("rejected", rejected)) if r and r.metadata
    }
    if ids:
        out["trace_ids"] = ids
    if labels:
        out["metadata"] = labels
    return out


def evaluate(
    cand: Candidate, group: GroupView, policy: Policy, strength_map: StrengthMap | None = None
) -> PairDraft:
    """Orient, check and route one candidate. With ``strength_map`` (learned from review outcomes), a strength
    below the acceptance bar is the map's calibrated value; the evidence's own is kept in ``meta``."""
    net = _net_logit(cand.signals)
    a_wins = net >= 0
    win, lose = ("a", "b") if a_wins else ("b", "a")
    evidence = combine(abs(net)) if cand.signals else 0.5
    strength = strength_map(evidence) if strength_map is not None and cand.signals else evidence
    conflicts = sum(1 for s in cand.signals if s.favours == lose)
    # each set of users is one voter (its strongest evidence each way counts): stored so that the strength can
    # be recomputed from the records under other reliabilities (:func:`strength_map.evidence_strength`)
    voters = {who: i for i, who in enumerate(sorted({s.users for s in cand.signals}))}
    records = [
        {
            "kind": s.kind,
            "favours": "chosen" if s.favours == win else "rejected",
            "strength": round(s.strength, 4),
            "event_ids": list(s.event_ids),
            "users": len(s.users),
            "detail": {**s.detail, "voter": voters[s.users], "at": s.at.isoformat()},
        }
        for s in cand.signals
    ]
    chosen_text, rejected_text = (cand.a_text, cand.b_text) if a_wins else (cand.b_text, cand.a_text)
    chosen_ids, rejected_ids = (cand.a_ids, cand.b_ids) if a_wins else (cand.b_ids, cand.a_ids)
    chosen_id: str | None = cand.a_id if a_wins else cand.b_id
    rejected_id: str | None = cand.b_id if a_wins else cand.a_id
    human = cand.a_human_written and a_wins
    if cand.a_human_written and not a_wins:  # never happens with edit-only evidence; keep ids honest
        rejected_id = None
    if human:
        chosen_id = None
    prompt = [dict(m) for m in group.context]
    checks = run_checks(prompt, chosen_text, rejected_text, min_chars=policy.checks.min_chars)
    kinds_for = [s["kind"] for s in records if s["favours"] == "chosen"]
    kind = next((k for k in SIGNAL_KINDS if k in kinds_for), "tie" if cand.ties else "none")
    status, reasons = route(
        RouteInput(
            strength=strength,
            signals=records,
            ties=len(cand.ties),
            conflicts=conflicts,
            similarity=cand.similarity,
            checks=checks,
            human_written=human,
            tags=group.tags,
            pair_id=cand.pair_id,
        ),
        policy,
    )
    if kind == "tie" or (not cand.signals and cand.ties):
        strength = 0.5
    by_id = {r.response_id: r for r in group.responses}
    c_model, c_gen, c_src, c_view = _side_meta(chosen_ids, by_id)
    r_model, r_gen, r_src, r_view = _side_meta(rejected_ids, by_id)
    users = sorted({u for s in cand.signals for u in s.users} | {u for t in cand.ties for u in t.users})
    times = [s.at for s in cand.signals] + [t.at for t in cand.ties]
    formed = min(times) if times else min(r.shown_at for r in group.responses)
    meta: dict[str, Any] = {
        "prompt_source": c_src or r_src,
        "models": {"chosen": "human" if human else c_model, "rejected": r_model},
        "generation": {"chosen": c_gen, "rejected": r_gen},
        "response_ids": {"chosen": chosen_ids, "rejected": rejected_ids},
        "similarity": round(cand.similarity, 4),
        **({"merged_near_identical": sorted(cand.merged)} if cand.merged else {}),
        "ties": [{"event_ids": list(t.event_ids), "users": len(t.users)} for t in cand.ties],
        "tie": bool(cand.ties) and not cand.signals,
        **({"evidence_strength": round(evidence, 4)} if strength != evidence else {}),
        "rubric_version": RUBRIC_VERSION,
        "app_id": group.app_id,
        "system_prompt_version": group.system_prompt_version,
        **_traces(c_view, r_view),
    }
    return PairDraft(
        pair_id=cand.pair_id,
        group_key=cand.group_key,
        prompt=prompt,
        chosen=chosen_text,
        rejected=rejected_text,
        chosen_response_id=chosen_id,
        rejected_response_id=rejected_id,
        chosen_human_written=human,
        kind=kind,
        strength=round(strength, 4),
        signals=records,
        conflicts=conflicts,
        checks=checks,
        status=status,
        route_reasons=reasons,
        policy_version=policy.version,
        users=users,
        formed_at=formed,
        meta=meta,
        fingerprint=fingerprint(prompt, chosen_text, rejected_text),
        tags=group.tags,
    )


def pair_group(group: GroupView, policy: Policy, strength_map: StrengthMap | None = None) -> list[PairDraft]:
    """Every pair draft the group's evidence supports, ordered by pair id. Duplicates within the group (same
    fingerprint) are flagged on all but the first and re-routed."""
    drafts = [evaluate(c, group, policy, strength_map) for c in build_candidates(group, policy)]
    seen: dict[str, str] = {}
    for d in drafts:
        first = seen.setdefault(d.fingerprint, d.pair_id)
        if first != d.pair_id:
            mark_duplicate(d, first, policy)
    return drafts


def mark_duplicate(draft: PairDraft, of_pair: str, policy: Policy) -> None:
    """Flag ``draft`` as a duplicate of ``of_pair`` and re-route it (the adapter calls this for store-wide dups)."""
    if "duplicate" in draft.checks:
        return
    draft.checks.append("duplicate")
    draft.meta["duplicate_of"] = of_pair
    if "duplicate" in policy.discard.checks:
        draft.status = "discarded"
        draft.route_reasons = [f"check:duplicate: same prompt, chosen and rejected as pair {of_pair}"]
    elif "duplicate" in policy.review.checks and draft.status == "accepted":
        draft.status = "review"
        draft.route_reasons = [f"check:duplicate: same texts as pair {of_pair}"]
