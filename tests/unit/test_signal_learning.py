"""Signal reliabilities learned from review outcomes: the Beta update per kind, which resolutions teach, and the
pipeline pairing with what reviewers taught it (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from prefloop.curator.pairing import load_policy
from prefloop.curator.pairing.learning import learned_policy, posterior_reliability, taught_kind
from prefloop.curator.pipeline import Curator
from prefloop.curator.pipeline.review_outcomes import load_kind_outcomes, record_review_outcome
from prefloop.curator.pipeline.user_history import load_history
from prefloop.curator.store.models import Pair
from tests.factories import EventFactory
from tests.unit.test_ingest import BAD, GOOD, ab_choice, raw


def _signal(kind: str, strength: float, favours: str = "chosen", **detail: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "favours": favours,
        "strength": strength,
        "event_ids": ["e"],
        "users": 1,
        "detail": detail,
    }


def test_the_posterior_moves_from_the_prior_toward_the_outcomes() -> None:
    assert posterior_reliability(0.6, 0, 0, 20, 0.99) == 0.6
    assert posterior_reliability(0.6, 30, 10, 20, 0.99) == pytest.approx((30 + 12) / 60)
    assert posterior_reliability(0.6, 0, 50, 20, 0.99) == 0.5  # never below "no evidence"
    assert posterior_reliability(0.92, 10**6, 0, 20, 0.99) == 0.99


def test_only_a_lone_users_unopposed_evidence_teaches_its_strongest_kind() -> None:
    regen_and_thumbs = [_signal("regenerate_only", 0.6), _signal("thumbs_same_user", 0.55)]
    assert taught_kind(regen_and_thumbs, ["u1"], 0) == "regenerate_only"
    # the kind's own strength decides, not what the user's history made of it
    boosted = [_signal("regenerate_only", 0.97, base_strength=0.6), _signal("choice", 0.92)]
    assert taught_kind(boosted, ["u1"], 0) == "choice"
    assert taught_kind([_signal("choice", 0.92)], ["u1", "u2"], 0) is None  # two users agreeing
    assert taught_kind([_signal("choice", 0.92)], ["u1"], 1) is None  # conflicting evidence
    assert taught_kind([_signal("choice", 0.92, favours="rejected")], ["u1"], 0) is None
    assert taught_kind([], ["u1"], 0) is None


def test_the_learned_policy_replaces_the_kinds_reliabilities() -> None:
    policy = load_policy()
    assert learned_policy(policy, {}) is policy
    learned = learned_policy(policy, {"regenerate_only": (30, 10)})
    assert learned.signals["regenerate_only"] == pytest.approx((30 + 20 * 0.6) / 60)
    assert learned.signals["choice"] == policy.signals["choice"] and learned.version == policy.version
    off = load_policy(None, learning={"enabled": False})
    assert learned_policy(off, {"regenerate_only": (30, 10)}).signals["regenerate_only"] == 0.6


def test_pairing_uses_what_reviewers_taught_about_a_kind(store: Any) -> None:
    curator = Curator(store, load_policy(), require_scrub=False)
    f = EventFactory()
    # twelve prompts, each one user's side-by-side pick: 0.92 alone, so all go to review
    curator.process(
        raw(*[e for i in range(12) for e in ab_choice(f, f"c{i}", f"u{i}", prompt=f"Question {i}?")])
    )
    with store.session() as s:
        pairs = list(s.scalars(select(Pair)))
        assert len(pairs) == 12 and {(p.status, p.strength) for p in pairs} == {("review", 0.92)}
        for p in pairs:  # reviewers agree with every one of them
            record_review_outcome(s, p.users, p.signals, p.conflicts, agreed=True)
        # a two-user pair and a conflicted one teach the kinds nothing (the users still get their record)
        record_review_outcome(s, ["u0", "u1"], pairs[0].signals, 0, agreed=False)
        record_review_outcome(s, ["u2"], pairs[0].signals, 1, agreed=False)
    with store.session() as s:
        assert load_kind_outcomes(s) == {"choice": (12, 0)}
        assert load_history(s, ["u0", "u2"]) == {"u0": (1, 1), "u2": (1, 0)}
    # a new user's lone pick is now worth (12 + 20 * 0.92) / 32 = 0.95: accepted without review
    curator.process(raw(*ab_choice(f, "c-new", "u-new", prompt="A new question?")))
    with store.session() as s:
        [new] = [p for p in s.scalars(select(Pair)) if p.users == ["u-new"]]
    assert new.strength == pytest.approx(0.95) and new.status == "accepted"
    # the same with learning switched off: still 0.92, still reviewed
    plain = Curator(store, load_policy(None, learning={"enabled": False}), require_scrub=False)
    plain.process(raw(*ab_choice(f, "c-off", "u-off", prompt="Another question?")))
    with store.session() as s:
        [off] = [p for p in s.scalars(select(Pair)) if p.users == ["u-off"]]
    assert (off.strength, off.status) == (0.92, "review")


def test_forget_removes_the_users_record(store: Any) -> None:
    from prefloop.curator.releases import forget_user

    with store.session() as s:
        record_review_outcome(s, ["u-gone", "u-kept"], [_signal("choice", 0.92)], 0, agreed=True)
    forget_user(store, "u-gone")
    with store.session() as s:
        assert load_history(s, ["u-gone", "u-kept"]) == {"u-kept": (1, 0)}


def _cross(kind_weight: float, matched: int = 1) -> dict[str, Any]:
    return {**_signal("thumbs_cross_user", 0.7, weight=kind_weight, matched=matched), "users": 2}


def test_one_cross_user_thumbs_comparison_teaches_its_kind_at_full_weight_only() -> None:
    assert taught_kind([_cross(1.0)], ["u1", "u2"], 0) == "thumbs_cross_user"
    assert taught_kind([_cross(0.7)], ["u1", "u2"], 0) is None  # a "none"/"other" reason scaled it down
    assert taught_kind([_cross(1.0, matched=2)], ["u1", "u2", "u3", "u4"], 0) is None  # two comparisons
    assert taught_kind([_cross(1.0), _signal("choice", 0.92)], ["u1", "u2"], 0) is None  # more evidence
    assert taught_kind([_cross(1.0)], ["u1", "u2"], 1) is None
    # a lone user's thumbs teach only at full weight as well (a "tone" reason scales them towards 0.5)
    assert taught_kind([_signal("thumbs_same_user", 0.85, weight=1.0)], ["u1"], 0) == "thumbs_same_user"
    assert taught_kind([_signal("thumbs_same_user", 0.605, weight=0.3)], ["u1"], 0) is None


def _cross_thumbs(f: EventFactory, i: int, reason: str) -> list[dict[str, Any]]:
    """Two users on one prompt: one liked the good answer, the other disliked the bad one."""
    prompt = f"Cross question {i}?"
    up = f.response(f"up{i}", f"liker{i}", prompt=prompt, text=GOOD)
    down = f.response(f"down{i}", f"disliker{i}", prompt=prompt, text=BAD)
    return [
        up,
        down,
        f.feedback(up["response_id"], 1, f"up{i}", f"liker{i}"),
        f.feedback(down["response_id"], -1, f"down{i}", f"disliker{i}", reason=reason),
    ]


def test_pairing_learns_cross_user_thumbs_from_review(store: Any) -> None:
    curator = Curator(store, load_policy(audit={"rate": 0}), require_scrub=False)
    f = EventFactory()
    curator.process(raw(*[e for i in range(12) for e in _cross_thumbs(f, i, "incorrect")]))
    curator.process(raw(*_cross_thumbs(f, 99, "tone")))
    with store.session() as s:
        pairs = list(s.scalars(select(Pair)))
        assert {(p.kind, p.status) for p in pairs} == {("thumbs_cross_user", "review")}
        assert sorted(p.strength for p in pairs) == [0.5 + 0.2 * 0.3] + [0.7] * 12
        for p in pairs:  # reviewers agree with every one of them
            record_review_outcome(s, p.users, p.signals, p.conflicts, agreed=True)
    with store.session() as s:  # the "tone" pair taught its users, not the kind
        assert load_kind_outcomes(s) == {"thumbs_cross_user": (12, 0)}
        assert load_history(s, ["liker99"]) == {"liker99": (1, 0)}
    # the next comparison of that kind is worth (12 + 20 * 0.70) / 32
    curator.process(raw(*_cross_thumbs(f, 100, "unsafe")))
    with store.session() as s:
        [new] = [p for p in s.scalars(select(Pair)) if "liker100" in p.users]
    assert new.strength == pytest.approx((12 + 20 * 0.7) / 32, abs=1e-4)
