"""Inter-reviewer agreement: percent agreement and Krippendorff's alpha (nominal), overall, per harm category
and per reviewer, with position bias and the quorum's selection bias. Plain functions over plain data.

Per-reviewer alpha treats each (pair, co-reviewer) as a unit of two values, the reviewer's and the
co-reviewer's: how reliably this reviewer agrees with the others beyond chance. The quorum asks for a third vote
only when the first two disagree, so agreement over *all* votes is selected: it is reported beside the
agreement of each pair's first two votes (which every resolved pair has, unselected), and the difference is the
selection bias.

Alpha follows Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011): a coincidence matrix over
pairable values (units with at least two ratings), ``alpha = 1 - (n - 1) * D_o / D_e`` for nominal data. Tested
against the paper's worked examples.
"""

from __future__ import annotations

import math
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
    "binomial_p",
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
    #: For a reviewer: share of "A" among their votes for a side (position bias; 0.5 = none) and how many.
    a_share: float | None = None
    side_votes: int = 0


@dataclass
class AgreementReport:
    target: float
    overall: AgreementRow
    by_category: list[AgreementRow] = field(default_factory=list)
    by_reviewer: list[AgreementRow] = field(default_factory=list)
    #: Share of A among the votes that picked a side (0.5 = no position bias; answers are shown in random order).
    a_share: float | None = None
    side_votes: int = 0
    #: Two-sided binomial p-value of ``a_share`` against 0.5 (small = reviewers favour a position).
    position_p: float | None = None
    #: Agreement of each pair's first two reviewer votes (unselected: every resolved pair has them).
    first_two: AgreementRow | None = None
    #: Share of pairs that got a third reviewer vote (asked only when the first two disagreed).
    third_vote_share: float | None = None
    #: ``overall.percent - first_two.percent``: how much the quorum's selection moves percent agreement.
    selection_bias: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def needs_clearer_rubric(self) -> list[str]:
        return [r.key for r in self.by_category if r.below_target]


def binomial_p(k: int, n: int) -> float | None:
    """Two-sided p-value of ``k`` successes in ``n`` fair coin flips (exact up to 1000, normal beyond)."""
    if n == 0:
        return None
    if n > 1000:
        z = abs(k - n / 2) / math.sqrt(n / 4)
        return math.erfc(z / math.sqrt(2))
    probs = [math.comb(n, i) / 2**n for i in range(n + 1)]
    return min(1.0, sum(p for p in probs if p <= probs[k] * (1 + 1e-9)))


def _a_share(shown: Sequence[str | None]) -> tuple[float | None, int]:
    sided = [s for s in shown if s in ("a", "b")]
    return (sided.count("a") / len(sided) if sided else None), len(sided)


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
    shown_by: dict[str, list[str | None]] = defaultdict(list)
    for v in votes:
        shown_by[v.reviewer].append(v.shown)
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
        a_share, side_votes = _a_share(shown_by[reviewer])
        by_reviewer.append(
            AgreementRow(
                scope="reviewer",
                key=reviewer,
                pairs=compared,
                votes=len(entries),
                percent=pct,
                # each (pair, co-reviewer) is a unit of two values: this reviewer's and the other's
                alpha=krippendorff_alpha_nominal([(label, o) for label, others in entries for o in others]),
                with_others=matched / compared if compared else None,
                below_target=pct is not None and pct < target,
                a_share=a_share,
                side_votes=side_votes,
            )
        )
    a_share, side_votes = _a_share([v.shown for v in votes])
    first_two = _row("first_two", "first two votes", {pid: ls[:2] for pid, ls in labels.items()}, target)
    pairable = [ls for ls in labels.values() if len(ls) >= 2]
    return AgreementReport(
        target=target,
        overall=overall,
        by_category=by_category,
        by_reviewer=by_reviewer,
        a_share=a_share,
        side_votes=side_votes,
        position_p=binomial_p(round((a_share or 0) * side_votes), side_votes) if side_votes else None,
        first_two=first_two,
        third_vote_share=sum(len(ls) > 2 for ls in pairable) / len(pairable) if pairable else None,
        selection_bias=(
            overall.percent - first_two.percent
            if overall.percent is not None and first_two.percent is not None
            else None
        ),
    )
