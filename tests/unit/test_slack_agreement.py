"""Agreement statistics against published worked examples."""

from __future__ import annotations

import pytest

from prefloop.slackbot.agreement import (
    RatedVote,
    agreement_report,
    krippendorff_alpha_nominal,
    percent_agreement,
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C: 4 observers, 12 units, nominal,
# with missing values (None). Published nominal alpha = 0.743.
_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def _units(rows: list[list[int | None]]) -> list[list[int]]:
    return [[v for v in col if v is not None] for col in zip(*rows, strict=True)]


def test_alpha_matches_krippendorff_example_with_missing_values() -> None:
    assert krippendorff_alpha_nominal(_units(_C)) == pytest.approx(0.743, abs=5e-4)


def test_alpha_matches_krippendorff_binary_two_observer_example() -> None:
    # Same paper, example A: two observers, ten units, binary; published alpha = 0.095.
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert krippendorff_alpha_nominal(list(zip(a, b, strict=True))) == pytest.approx(0.095, abs=5e-4)


def test_alpha_perfect_agreement_is_one_and_undefined_without_variation() -> None:
    assert krippendorff_alpha_nominal([["a", "a"], ["b", "b", "b"]]) == pytest.approx(1.0)
    assert krippendorff_alpha_nominal([["a", "a"], ["a", "a"]]) is None
    assert krippendorff_alpha_nominal([["a"], ["b"]]) is None  # nothing pairable


def test_percent_agreement_counts_rater_pairs() -> None:
    # unit 1: 3 agreeing raters -> 6/6 ordered pairs; unit 2: a,a,b -> 2/6; single-rating unit ignored
    assert percent_agreement([["a", "a", "a"], ["a", "a", "b"], ["x"]]) == pytest.approx(8 / 12)
    assert percent_agreement([["x"]]) is None


def test_report_flags_categories_below_target_and_scores_reviewers() -> None:
    votes = [
        # weapons: unanimous on two pairs
        RatedVote("p1", "U1", "chosen", ("weapons",)),
        RatedVote("p1", "U2", "chosen", ("weapons",)),
        RatedVote("p2", "U1", "rejected", ("weapons",)),
        RatedVote("p2", "U2", "rejected", ("weapons",)),
        # self_harm: split on both pairs
        RatedVote("p3", "U1", "chosen", ("self_harm",)),
        RatedVote("p3", "U3", "rejected", ("self_harm",)),
        RatedVote("p4", "U2", "tie", ("self_harm",)),
        RatedVote("p4", "U3", "unsafe", ("self_harm",)),
    ]
    report = agreement_report(votes)
    cats = {r.key: r for r in report.by_category}
    assert cats["weapons"].percent == pytest.approx(1.0) and not cats["weapons"].below_target
    assert cats["self_harm"].percent == pytest.approx(0.0) and cats["self_harm"].below_target
    assert report.needs_clearer_rubric() == ["self_harm"]
    assert report.overall.pairs == 4 and report.overall.percent == pytest.approx(0.5)
    reviewers = {r.key: r for r in report.by_reviewer}
    assert reviewers["U3"].percent == pytest.approx(0.0) and reviewers["U3"].below_target
    assert reviewers["U1"].percent == pytest.approx(2 / 3)
    assert report.to_dict()["overall"]["key"] == "all"


def test_position_bias_is_the_share_of_a_among_side_votes() -> None:
    votes = [
        RatedVote("p1", "U1", "chosen", shown="a"),
        RatedVote("p1", "U2", "chosen", shown="a"),
        RatedVote("p2", "U1", "rejected", shown="b"),
        RatedVote("p2", "U2", "tie", shown="tie"),
    ]
    report = agreement_report(votes)
    assert report.a_share == pytest.approx(2 / 3) and report.side_votes == 3


def _votes(rows: list[tuple[str, str, str, str]]) -> list[RatedVote]:
    """(pair, reviewer, stored label, button pressed)."""
    return [RatedVote(p, r, label, ("none",), shown=shown) for p, r, label, shown in rows]


def test_per_reviewer_alpha_position_bias_and_selection_bias() -> None:
    rows = [
        # p1, p2: the first two agree (quorum, no third vote)
        ("p1", "U1", "chosen", "a"), ("p1", "U2", "chosen", "a"),
        ("p2", "U1", "rejected", "a"), ("p2", "U2", "rejected", "b"),
        # p3, p4: the first two disagree, a third vote decides
        ("p3", "U1", "chosen", "a"), ("p3", "U2", "rejected", "a"), ("p3", "U3", "chosen", "b"),
        ("p4", "U2", "chosen", "a"), ("p4", "U1", "tie", "tie"), ("p4", "U3", "chosen", "a"),
    ]  # fmt: skip
    report = agreement_report(_votes(rows))
    # first two votes: 2 of 4 pairs agree; over all votes: (1 + 1 + 1/3 + 1/3) pairs of 4 -> 8/16 agreeing pairs
    assert report.first_two is not None and report.first_two.percent == pytest.approx(0.5)
    assert report.third_vote_share == pytest.approx(0.5)
    assert report.selection_bias == pytest.approx(report.overall.percent - 0.5)
    # position: A pressed in 7 of 9 side votes
    assert report.a_share == pytest.approx(7 / 9) and report.side_votes == 9
    assert report.position_p is not None and 0.05 < report.position_p < 0.25
    u1 = next(r for r in report.by_reviewer if r.key == "U1")
    # U1's units with co-reviewers: p1 (c,c) p2 (r,r) p3 (c,r) (c,c) p4 (t,c) (t,c)
    units = [("chosen", "chosen"), ("rejected", "rejected"), ("chosen", "rejected"), ("chosen", "chosen")]
    units += [("tie", "chosen"), ("tie", "chosen")]
    assert u1.alpha == pytest.approx(krippendorff_alpha_nominal(units))
    assert u1.a_share == pytest.approx(1.0) and u1.side_votes == 3


def test_binomial_p_is_one_at_even_and_small_when_lopsided() -> None:
    from prefloop.slackbot.agreement import binomial_p

    assert binomial_p(5, 10) == pytest.approx(1.0)
    assert binomial_p(10, 10) == pytest.approx(2 / 1024)
    assert binomial_p(0, 0) is None


def test_wilson_interval_matches_the_formula_on_known_values() -> None:
    from prefloop.curator.pairing.audit import wilson_interval

    # 8 of 10: the textbook 95 % Wilson interval is 0.490 - 0.943
    low, high = wilson_interval(8, 10)  # type: ignore[misc]
    assert (round(low, 3), round(high, 3)) == (0.490, 0.943)
    low, high = wilson_interval(0, 20)  # type: ignore[misc]
    assert low == 0.0 and round(high, 3) == 0.161
    assert wilson_interval(0, 0) is None


def test_audit_estimate_counts_a_confirmed_side_only() -> None:
    from prefloop.curator.pairing.audit import audit_estimate

    est = audit_estimate({"chosen": 18, "rejected": 1, "both_bad": 1})
    assert (est.audited, est.confirmed, est.precision) == (20, 18, 0.9)
    assert est.interval is not None and est.interval[0] < 0.9 < est.interval[1]
    assert audit_estimate({}).precision is None
