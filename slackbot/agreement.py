"""Inter-reviewer agreement: percent agreement and Krippendorff's alpha (nominal), overall, per harm category
and per reviewer. Plain functions over plain data.

Alpha follows Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011): a coincidence matrix over
pairable values (units with at least two ratings), ``alpha = 1 - (n - 1) * D_o / D_e`` for nominal data. Tested
against the paper's worked examples.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import permutations
from typing import Any

__all__ = [
    "AGREEMENT_TARGET",
    "AgreementReport",
    "AgreementRow",
    "RatedVote",
    "agreement_report",
    "krippendorff_alpha_nominal",
    "percent_agreement",
]

#: The seed documents' target: a category below it needs a clearer rubric.
AGREEMENT_TARGET = 0.70


def krippendorff_alpha_nominal(units: Iterable[Sequence[Hashable]]) -> float | None:
    """Krippendorff's alpha for nominal values. ``units`` holds each unit's ratings (missing ones left out).

    Units with fewer than two ratings are not pairable and are ignored. Returns ``None`` when alpha is undefined
    (fewer than two pairable values, or every pairable value is the same so no disagreement is expected).
    """
    coincidence: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for ratings in units:
        m = len(ratings)
        if m < 2:
            continue
        for c, k in permutations(ratings, 2):
            coincidence[(c, k)] += 1.0 / (m - 1)
    n_c: defaultdict[Hashable, float] = defaultdict(float)
    for (c, _k), o in coincidence.items():
        n_c[c] += o
    n = sum(n_c.values())
    if n < 2:
        return None
    observed = sum(o for (c, k), o in coincidence.items() if c != k)
    expected = (n * n - sum(v * v for v in n_c.values())) / (n - 1)
    if expected == 0:
        return None
    return 1.0 - observed / expected


def percent_agreement(units: Iterable[Sequence[Hashable]]) -> float | None:
    """Share of agreeing rater pairs over all rater pairs within units (units with one rating are ignored)."""
    agree = total = 0
    for ratings in units:
        m = len(ratings)
        if m < 2:
            continue
        counts = Counter(ratings)
        agree += sum(v * (v - 1) for v in counts.values())
        total += m * (m - 1)
    return agree / total if total else None


@dataclass(frozen=True)
class RatedVote:
    """One reviewer's current label (stored frame) on one pair, with the pair's harm categories."""

    pair_id: str
    reviewer: str
    label: str
    categories: tuple[str, ...] = ()
    #: The button as pressed ("a", "b", "tie", ...), to measure position bias.
    shown: str | None = None


@dataclass
class AgreementRow:
    scope: str  # overall | category | reviewer
    key: str
    pairs: int  # pairs with at least two votes
    votes: int
    percent: float | None
    alpha: float | None = None
    #: For a reviewer: share of their votes that match the majority of the other reviewers on the same pair.
    with_others: float | None = None
    below_target: bool = False


@dataclass
class AgreementReport:
    target: float
    overall: AgreementRow
    by_category: list[AgreementRow] = field(default_factory=list)
    by_reviewer: list[AgreementRow] = field(default_factory=list)
    #: Share of A among the votes that picked a side (0.5 = no position bias; answers are shown in random order).
    a_share: float | None = None
    side_votes: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def needs_clearer_rubric(self) -> list[str]:
        return [r.key for r in self.by_category if r.below_target]


def _row(scope: str, key: str, by_pair: Mapping[str, list[str]], target: float) -> AgreementRow:
    units = list(by_pair.values())
    pct = percent_agreement(units)
    return AgreementRow(
        scope=scope,
        key=key,
        pairs=sum(len(u) >= 2 for u in units),
        votes=sum(len(u) for u in units),
        percent=pct,
        alpha=krippendorff_alpha_nominal(units),
        below_target=pct is not None and pct < target,
    )


def agreement_report(votes: Iterable[RatedVote], target: float = AGREEMENT_TARGET) -> AgreementReport:
    """Overall, per harm category (a pair counts in each of its categories) and per reviewer."""
    votes = list(votes)
    by_pair: dict[str, list[RatedVote]] = defaultdict(list)
    for v in votes:
        by_pair[v.pair_id].append(v)
    labels = {pid: [v.label for v in vs] for pid, vs in by_pair.items()}

    overall = _row("overall", "all", labels, target)
    cats: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for pid, vs in by_pair.items():
        for cat in vs[0].categories or ("none",):
            cats[cat][pid] = labels[pid]
    by_category = [_row("category", cat, cats[cat], target) for cat in sorted(cats)]

    per_reviewer: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for vs in by_pair.values():
        for v in vs:
            others = [o.label for o in vs if o.reviewer != v.reviewer]
            per_reviewer[v.reviewer].append((v.label, others))
    by_reviewer = []
    for reviewer in sorted(per_reviewer):
        entries = per_reviewer[reviewer]
        agree = total = matched = compared = 0
        for label, others in entries:
            agree += sum(o == label for o in others)
            total += len(others)
            if others:
                compared += 1
                majority, n = Counter(others).most_common(1)[0]
                matched += majority == label and n * 2 > len(others)
        pct = agree / total if total else None
        by_reviewer.append(
            AgreementRow(
                scope="reviewer",
                key=reviewer,
                pairs=compared,
                votes=len(entries),
                percent=pct,
                with_others=matched / compared if compared else None,
                below_target=pct is not None and pct < target,
            )
        )
    sided = [v.shown for v in votes if v.shown in ("a", "b")]
    return AgreementReport(
        target=target,
        overall=overall,
        by_category=by_category,
        by_reviewer=by_reviewer,
        a_share=sided.count("a") / len(sided) if sided else None,
        side_votes=len(sided),
    )
