"""Routing policy: packaged defaults, overrides from YAML, and each routing rule with its recorded reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from prefloop.curator.pairing import RouteInput, load_policy, route
from prefloop.schemas.errors import ConfigError, PrefloopError


def signal(kind: str = "choice", favours: str = "chosen", **detail: object) -> dict[str, object]:
    return {
        "kind": kind,
        "favours": favours,
        "strength": 0.9,
        "event_ids": ["e"],
        "users": 1,
        "detail": detail,
    }


def item(**kw: object) -> RouteInput:
    base: dict[str, object] = {
        "strength": 0.99,
        "signals": [signal()],
        "ties": 0,
        "conflicts": 0,
        "similarity": 0.1,
        "checks": [],
    }
    base.update(kw)
    return RouteInput(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def policy():  # type: ignore[no-untyped-def]
    return load_policy()


def test_strong_clean_pair_is_accepted_with_an_explanation(policy) -> None:  # type: ignore[no-untyped-def]
    status, reasons = route(item(), policy)
    assert status == "accepted"
    assert reasons == ["strong_signal: strength 0.990 >= 0.950 from choice; no conflicts; checks clean"]


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"strength": 0.9}, "weak_signal"),
        ({"conflicts": 1}, "conflict"),
        ({"ties": 1}, "tie_votes"),
        ({"similarity": 0.8}, "near_tie"),
        ({"checks": ["rejected_is_refusal"]}, "check:rejected_is_refusal"),
        ({"checks": ["chosen_refusal_lectures"]}, "check:chosen_refusal_lectures"),
        ({"tags": {"harmful": True, "hazards": ["cyber"]}}, "safety_tagged"),
        ({"signals": [signal("regenerate_only")]}, "weak_kind"),
        ({"signals": [signal("thumbs_same_user", reasons=["tone"])]}, "weak_reason"),
    ],
)
def test_review_rules(policy, kw: dict[str, object], code: str) -> None:  # type: ignore[no-untyped-def]
    status, reasons = route(item(**kw), policy)
    assert status == "review"
    assert any(r.startswith(code) for r in reasons), reasons


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"signals": [], "ties": 2}, "tie"),
        ({"similarity": 0.95}, "near_identical"),
        ({"checks": ["empty_rejected"]}, "check:empty_rejected"),
        ({"checks": ["duplicate"]}, "check:duplicate"),
        ({"signals": []}, "no_signal"),
    ],
)
def test_discard_rules(policy, kw: dict[str, object], code: str) -> None:  # type: ignore[no-untyped-def]
    status, reasons = route(item(**kw), policy)
    assert status == "discarded"
    assert reasons[0].startswith(code), reasons


def test_discard_wins_over_review(policy) -> None:  # type: ignore[no-untyped-def]
    status, _ = route(item(conflicts=3, checks=["empty_chosen"]), policy)
    assert status == "discarded"


def test_yaml_overrides_merge_over_defaults(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("version: strict-2\naccept:\n  min_strength: 0.99\nreview:\n  human_written: true\n")
    p = load_policy(path)
    assert p.version == "strict-2" and p.accept.min_strength == 0.99
    assert p.accept.max_conflicts == 0  # untouched default kept
    assert p.signals["choice"] == 0.92
    status, reasons = route(item(strength=0.98), p)
    assert status == "review" and reasons[0].startswith("weak_signal")
    status, reasons = route(item(human_written=True), p)
    assert "human_written: chosen is a human edit" in reasons


def test_human_written_is_accepted_by_default(policy) -> None:  # type: ignore[no-untyped-def]
    assert route(item(human_written=True), policy)[0] == "accepted"


@pytest.mark.parametrize(
    "text",
    [
        "accept:\n  min_strength: 0.3\n",
        "signals:\n  choice: 1.5\n",
        "accept:\n  unknown_key: 1\n",
        "- a list\n",
    ],
)
def test_invalid_policy_fails_with_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as exc:
        load_policy(path)
    assert isinstance(exc.value, PrefloopError)
    assert "policy" in str(exc.value)


def test_missing_policy_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PREFLOOP_ROUTING_POLICY"):
        load_policy(tmp_path / "nope.yaml")


def test_a_share_of_pairs_that_met_the_bar_is_drawn_for_the_audit_sample() -> None:
    policy = load_policy(audit={"rate": 0.1})
    ids = [f"pair-{i:05d}" for i in range(4000)]
    routed = {pid: route(item(pair_id=pid), policy) for pid in ids}
    audited = [pid for pid, (status, _) in routed.items() if status == "review"]
    assert 0.08 < len(audited) / len(ids) < 0.12
    status, reasons = routed[audited[0]]
    assert reasons[0].startswith("audit: drawn for the audit sample (10.0% of pairs that met the bar)")
    assert reasons[1].startswith("strong_signal:")  # what it would have been, kept for the record
    # the draw belongs to the pair: routing it again draws the same
    assert all(route(item(pair_id=pid), policy)[0] == "review" for pid in audited[:50])
    # only pairs that met the bar are drawn: a weak pair keeps its own reasons
    status, reasons = route(item(pair_id=audited[0], strength=0.9), policy)
    assert status == "review" and [r.split(":")[0] for r in reasons] == ["weak_signal"]


def test_no_audit_at_rate_zero_and_every_pair_at_rate_one() -> None:
    assert route(item(pair_id="p"), load_policy(audit={"rate": 0}))[0] == "accepted"
    assert route(item(pair_id="p"), load_policy(audit={"rate": 1}))[0] == "review"
    with pytest.raises(ConfigError, match=r"audit\.rate"):
        load_policy(audit={"rate": 1.5})
