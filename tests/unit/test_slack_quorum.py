"""The quorum decision and its policy file."""

from __future__ import annotations

from pathlib import Path

import pytest

from prefloop.slackbot.errors import PolicyError
from prefloop.slackbot.quorum import Ballot, QuorumPolicy, decide, load_policy, pair_effect, to_label

P = QuorumPolicy(quorum=2, max_votes=3)


def _b(*labels: str, role: str = "reviewer") -> list[Ballot]:
    return [Ballot(f"U{i}", label, role) for i, label in enumerate(labels)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("labels", "state", "outcome"),
    [
        ((), "open", None),
        (("chosen",), "open", None),
        (("chosen", "chosen"), "resolved", "chosen"),
        (("chosen", "rejected"), "open", None),  # a third vote can still make quorum
        (("chosen", "rejected", "rejected"), "resolved", "rejected"),
        (("chosen", "rejected", "tie"), "escalate", None),  # split
        (("unsafe", "unsafe"), "resolved", "unsafe"),
    ],
)
def test_decide_table(labels: tuple[str, ...], state: str, outcome: str | None) -> None:
    d = decide(_b(*labels), P)
    assert (d.state, d.outcome) == (state, outcome)


def test_agreement_is_share_of_reviewers_with_the_outcome() -> None:
    assert decide(_b("chosen", "tie", "chosen"), P).agreement == pytest.approx(2 / 3, abs=1e-4)


def test_split_without_escalation_resolves_as_split() -> None:
    d = decide(_b("chosen", "rejected", "tie"), QuorumPolicy(escalate_on_split=False))
    assert (d.state, d.outcome, d.decided_by) == ("resolved", "split", "split")


def test_escalated_pair_waits_for_adjudicator_then_follows_them() -> None:
    split = _b("chosen", "rejected", "tie")
    assert decide(split, P, escalated=True).state == "escalate"
    d = decide([*split, Ballot("UADJ", "rejected", "adjudicator")], P, escalated=True)
    assert (d.state, d.outcome, d.decided_by) == ("resolved", "rejected", "adjudicator")
    assert d.agreement == pytest.approx(1 / 3, abs=1e-4)


def test_adjudicator_votes_do_not_count_towards_reviewer_quorum() -> None:
    ballots = [Ballot("U1", "chosen"), Ballot("UADJ", "chosen", "adjudicator")]
    assert decide(ballots, P).state == "open"


def test_to_label_maps_the_shown_frame_to_the_stored_frame() -> None:
    assert to_label("a", "chosen") == "chosen"
    assert to_label("a", "rejected") == "rejected"
    assert to_label("b", "rejected") == "chosen"
    assert to_label("tie", "rejected") == "tie"


def test_pair_effect() -> None:
    assert pair_effect("chosen") == ("accepted", False)
    assert pair_effect("rejected") == ("accepted", True)
    for outcome in ("tie", "both_bad", "unsafe", "split"):
        assert pair_effect(outcome) == ("discarded", False)


def test_packaged_policy_loads() -> None:
    p = load_policy()
    assert (p.quorum, p.max_votes, p.escalate_on_split) == (2, 3, True)


@pytest.mark.parametrize(
    ("text", "field"),
    [("quorom: 2\n", "quorom"), ("quorum: 5\nmax_votes: 3\n", "quorum"), ("quorum: two\n", "quorum")],
)
def test_bad_policy_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert err.value.field == field and str(path) in str(err.value)


def test_weighted_ballots_need_the_full_quorum() -> None:
    from prefloop.slackbot.quorum import Ballot, QuorumPolicy, decide

    policy = QuorumPolicy()
    half = [Ballot("U1", "chosen"), Ballot("U3", "chosen", weight=0.5)]
    assert decide(half, policy).state == "open"
    assert decide([*half, Ballot("U2", "chosen")], policy).state == "resolved"
    excluded = [Ballot("U1", "chosen"), Ballot("U3", "chosen", weight=0.0), Ballot("U2", "rejected")]
    assert decide(excluded, policy).state == "escalate"  # one real vote each way, no votes left
