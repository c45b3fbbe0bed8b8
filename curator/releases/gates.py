"""Release gates: what is tallied while rows stream by, and the verdict at the end.

Removals (exact and near-duplicate prompts within the month and against earlier releases, duplicate pairs,
frozen-evaluation prompts) are not failures: the rows are left out and counted. Failures stop the release with
a report unless overridden by name (``--override NAME``); overrides are recorded in the card and manifest.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from prefloop.curator.coverage import TaxonomyLike, category_table

__all__ = ["GATE_NAMES", "GatePolicy", "GateTally", "evaluate_gates"]

#: Gates that can fail (and so can be overridden).
GATE_NAMES = ("empty", "scrubbed", "checks", "label_balance", "coverage")


@dataclass(frozen=True)
class GatePolicy:
    #: Fewer pairs than this is a warning: too few for DPO to move a model.
    min_pairs_warning: int = 1000
    #: Share of pairs whose chosen response is the longer one must lie in this range (length bias).
    chosen_longer_share: tuple[float, float] = (0.2, 0.8)
    #: Label balance is only judged from this many pairs on (a handful of pairs says nothing).
    label_balance_min_pairs: int = 100
    #: ``fail``: a category outside its target range (or empty) stops the release; ``warn``; ``off``.
    coverage: str = "warn"
    #: Pair checks that make a pair unusable even after review (the routing policy discards them). Any other
    #: check label fails the gate only on auto-accepted pairs: routing should have sent those to review.
    blocking_checks: tuple[str, ...] = ("empty_prompt", "empty_chosen", "empty_rejected", "duplicate")


@dataclass
class GateTally:
    """Counts gathered in one pass over the month's accepted pairs."""

    pairs: int = 0
    splits: Counter[str] = field(default_factory=Counter)
    prompts: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)
    unscrubbed: int = 0
    checks_auto: Counter[str] = field(default_factory=Counter)
    checks_reviewed: Counter[str] = field(default_factory=Counter)
    chosen_longer: int = 0
    accepted_by: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    tactics: Counter[str] = field(default_factory=Counter)
    hazards: Counter[str] = field(default_factory=Counter)
    with_tactic: int = 0
    with_hazard: int = 0
    agreement_sum: float = 0.0
    agreement_n: int = 0
    #: Reviewed pairs whose first two reviewer votes are known, how many of those agreed, and how many pairs
    #: got a third vote (the quorum asks for one only on disagreement: the selection bias of agreement).
    first_two_n: int = 0
    first_two_agree: int = 0
    third_votes: int = 0
    rubric_versions: Counter[str] = field(default_factory=Counter)
    scrubber_versions: Counter[str] = field(default_factory=Counter)
    policy_versions: Counter[str] = field(default_factory=Counter)
    quorum_policies: Counter[str] = field(default_factory=Counter)
    tagger_versions: Counter[str] = field(default_factory=Counter)
    new_prompts: int = 0
    #: new prompts that paraphrase an earlier one and went to its split
    paraphrase_followed: int = 0
    seen_prompts: int = 0

    def add(self, pair: Any, split: str, hazards: list[str], checks: list[str], reviewed: bool) -> None:
        """Count one released pair (a projected ``pairs`` row, see :func:`prefloop.curator.releases.rows.projection`)."""
        self.pairs += 1
        self.splits[split] += 1
        if not pair.scrubbed:
            self.unscrubbed += 1
        if checks:
            (self.checks_reviewed if reviewed else self.checks_auto).update(checks)
        self.chosen_longer += len(pair.chosen) > len(pair.rejected)
        self.accepted_by["review" if reviewed else "auto"] += 1
        self.kinds[pair.kind or "unknown"] += 1
        self.sources[pair.source or "unknown"] += 1
        if pair.tactic:
            self.with_tactic += 1
            self.tactics[pair.tactic] += 1
        if hazards:
            self.with_hazard += 1
            self.hazards.update(set(hazards))
        if reviewed:
            if pair.agreement is not None:
                self.agreement_sum += pair.agreement
                self.agreement_n += 1
            if pair.quorum_policy:
                self.quorum_policies[pair.quorum_policy] += 1
            if getattr(pair, "first_two_agree", None) is not None:
                self.first_two_n += 1
                self.first_two_agree += bool(pair.first_two_agree)
                self.third_votes += int(getattr(pair, "reviewer_votes", 0) or 0) > 2
        for counter, value in (
            (self.rubric_versions, pair.rubric_version),
            (self.scrubber_versions, pair.scrubber_version),
            (self.policy_versions, pair.policy_version),
            (self.tagger_versions, pair.tagger_version),
        ):
            if value:
                counter[value] += 1

    def add_many(
        self,
        splits: Sequence[str],
        columns: Mapping[str, Sequence[Any]],
        hazards: Sequence[Sequence[str]],
        checks: Sequence[Sequence[str]],
        reviewed: Sequence[bool],
    ) -> None:
        """:meth:`add` for many released pairs at once, column by column (``columns``: each
        :func:`~prefloop.curator.releases.rows.projection` label -> one value per pair): the same counts, and
        the same key order in every counter (keys are counted in the pairs' order)."""
        c = columns
        self.pairs += len(splits)
        self.splits.update(splits)
        self.unscrubbed += sum(1 for s in c["scrubbed"] if not s)
        for found, rev in zip(checks, reviewed, strict=True):
            if found:
                (self.checks_reviewed if rev else self.checks_auto).update(found)
        self.chosen_longer += sum(map(operator.gt, map(len, c["chosen"]), map(len, c["rejected"])))
        self.accepted_by.update(["review" if r else "auto" for r in reviewed])
        self.kinds.update([k or "unknown" for k in c["kind"]])
        self.sources.update([s or "unknown" for s in c["source"]])
        tactics = [t for t in c["tactic"] if t]
        self.with_tactic += len(tactics)
        self.tactics.update(tactics)
        for found in hazards:
            if found:
                self.with_hazard += 1
                self.hazards.update(set(found))
        if any(reviewed):
            first_two = c.get("first_two_agree") or [None] * len(splits)
            votes = c.get("reviewer_votes") or [0] * len(splits)
            for rev, agreement, policy, agree, n in zip(
                reviewed, c["agreement"], c["quorum_policy"], first_two, votes, strict=True
            ):
                if not rev:
                    continue
                if agreement is not None:
                    self.agreement_sum += agreement
                    self.agreement_n += 1
                if policy:
                    self.quorum_policies[policy] += 1
                if agree is not None:
                    self.first_two_n += 1
                    self.first_two_agree += bool(agree)
                    self.third_votes += int(n or 0) > 2
        for counter, name in (
            (self.rubric_versions, "rubric_version"),
            (self.scrubber_versions, "scrubber_version"),
            (self.policy_versions, "policy_version"),
            (self.tagger_versions, "tagger_version"),
        ):
            counter.update([v for v in c[name] if v])

    @property
    def mean_agreement(self) -> float | None:
        return round(self.agreement_sum / self.agreement_n, 4) if self.agreement_n else None


def evaluate_gates(
    tally: GateTally, policy: GatePolicy, taxonomy: TaxonomyLike, overrides: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Every gate's result: ``{"gates": {name: {...,"status": pass|fail|warn|off|overridden}}, "failed": [...],
    "warnings": [...], "removed": {...}}``. ``failed`` lists failing gates that were not overridden."""
    gates: dict[str, dict[str, Any]] = {}

    def put(name: str, failed: bool, **detail: Any) -> None:
        status = "fail" if failed else "pass"
        if failed and name in overrides:
            status = "overridden"
        gates[name] = {"status": status, **detail}

    put("empty", tally.pairs == 0, pairs=tally.pairs)
    put("scrubbed", tally.unscrubbed > 0, unscrubbed_pairs=tally.unscrubbed)
    blocked = {k: v for k, v in tally.checks_reviewed.items() if k in policy.blocking_checks}
    put(
        "checks",
        sum(tally.checks_auto.values()) > 0 or bool(blocked),
        auto_accepted_with_checks=dict(sorted(tally.checks_auto.items())),
        review_accepted_with_checks=dict(sorted(tally.checks_reviewed.items())),
    )
    share = tally.chosen_longer / tally.pairs if tally.pairs else 0.0
    low, high = policy.chosen_longer_share
    judged = tally.pairs >= policy.label_balance_min_pairs
    put(
        "label_balance",
        judged and not low <= share <= high,
        chosen_longer_share=round(share, 4),
        allowed=[low, high],
        judged=judged,
    )
    table = category_table(taxonomy, tally.tactics, tally.hazards, tally.with_tactic, tally.with_hazard)
    outside = [f"{c.axis}:{c.name}" for c in table if not c.ok]
    if policy.coverage == "off":
        gates["coverage"] = {"status": "off", "outside": outside}
    elif policy.coverage == "warn":
        gates["coverage"] = {"status": "warn" if outside else "pass", "outside": outside}
    else:
        put("coverage", bool(outside), outside=outside)
    warnings = []
    if tally.pairs < policy.min_pairs_warning:
        warnings.append(
            f"only {tally.pairs} pairs (< {policy.min_pairs_warning}): too few for DPO to move a model"
        )
    if gates["coverage"]["status"] == "warn":
        warnings.append(f"coverage outside target ranges: {', '.join(outside)}")
    failed = [name for name, g in gates.items() if g["status"] == "fail"]
    return {
        "gates": gates,
        "failed": failed,
        "warnings": warnings,
        "overridden": [name for name, g in gates.items() if g["status"] == "overridden"],
        "removed": dict(sorted(tally.removed.items())),
    }
