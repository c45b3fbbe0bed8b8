"""The calibration map of strength learned from review outcomes: strength recomputed from stored evidence under
other reliabilities (equal to pairing under them), the isotonic fit below the bar, and the pipeline storing
the map's strength for new pairs after reviewers resolved earlier ones (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from prefloop.curator.pairing import load_policy, pair_group
from prefloop.curator.pairing.model import ActionView, FeedbackView, GroupView, ResponseView
from prefloop.curator.pairing.strength_map import (
    StrengthMap,
    evidence_strength,
    fit_strength_map,
    map_points,
)
from prefloop.curator.pipeline import Curator
from prefloop.curator.pipeline.review_outcomes import (
    record_review_outcome,
    resolved_count,
    reviewed_evidence,
)
from prefloop.curator.pipeline.strength_calibration import StrengthMapCache
from prefloop.curator.store.models import Pair, PromptGroup, ReviewPost, utcnow
from tests.factories import EventFactory
from tests.unit.test_ingest import raw
from tests.unit.test_signal_learning import _cross_thumbs

T0 = datetime(2026, 10, 1, tzinfo=UTC)
TEXTS = {
    "A": "Use xs.reverse() to reverse in place, or xs[::-1] to get a reversed copy of the list.",
    "B": "Python lists cannot be reversed; convert the list to a string and read it backwards instead.",
}
REASONS = ("incorrect", "unsafe", "tone", "unhelpful", "other", None)
KINDS = ("choice", "regenerate_then_positive", "thumbs_same_user", "thumbs_cross_user", "regenerate_only")

#: One user's evidence between answers A and B: a side-by-side pick, thumbs (on A, on B, with a reason), or a
#: regenerate from one to the other followed or not by a thumbs-up.
evidence = st.one_of(
    st.tuples(st.just("choice"), st.sampled_from("ab")),
    st.tuples(
        st.just("thumbs"),
        st.sampled_from((-1, 0, 1)),
        st.sampled_from((-1, 0, 1)),
        st.sampled_from(REASONS),
    ),
    st.tuples(st.just("regenerate"), st.sampled_from("AB"), st.booleans()),
)


def _group(per_user: list[tuple[Any, ...]], history: dict[str, tuple[int, int]]) -> GroupView:
    responses: list[ResponseView] = []
    feedback: list[FeedbackView] = []
    actions: list[ActionView] = []
    at = T0
    for i, ev in enumerate(per_user):
        user, conv = f"u{i}", f"c{i}"
        at += timedelta(minutes=1)

        def show(
            name: str, regenerates: str | None = None, user: str = user, conv: str = conv, at: datetime = at
        ) -> str:
            rid = f"r{len(responses)}"
            responses.append(
                ResponseView(rid, TEXTS[name], user, conv, at, f"e-{rid}", regenerates=regenerates)
            )
            return rid

        if ev[0] == "choice":
            a, b = show("A"), show("B")
            actions.append(ActionView("choice", f"e-ch{i}", user, at, a, b, preferred=ev[1]))
        elif ev[0] == "thumbs":
            for name, rating in (("A", ev[1]), ("B", ev[2])):
                if rating:
                    rid = show(name)
                    reason = ev[3] if rating < 0 else None
                    feedback.append(FeedbackView(rid, user, rating, reason, f"e-fb{i}{name}", at))
        else:
            old_name, new_name = ev[1], "B" if ev[1] == "A" else "A"
            old = show(old_name)
            actions.append(ActionView("regenerate", f"e-rg{i}", user, at, old))
            new = show(new_name, regenerates=old)
            if ev[2]:
                feedback.append(FeedbackView(new, user, 1, None, f"e-up{i}", at))
    return GroupView(
        key="g",
        context=[{"role": "user", "content": "Reverse a list?"}],
        responses=responses,
        feedback=feedback,
        actions=actions,
        user_history=history,
    )


def _policy(values: list[float]) -> Any:
    return load_policy(None, signals=dict(zip(KINDS, values, strict=True)))


reliabilities = st.lists(st.floats(0.5, 0.98), min_size=len(KINDS), max_size=len(KINDS))


@given(
    st.lists(evidence, min_size=1, max_size=5),
    st.dictionaries(st.sampled_from(["u0", "u1", "u2"]), st.tuples(st.integers(0, 9), st.integers(0, 9))),
    reliabilities,
    reliabilities,
)
def test_strength_recomputed_from_stored_evidence_is_pairing_under_those_reliabilities(
    per_user: list[tuple[Any, ...]],
    history: dict[str, tuple[int, int]],
    formed_under: list[float],
    now: list[float],
) -> None:
    group = _group(per_user, history)
    before = {d.pair_id: d for d in pair_group(group, _policy(formed_under)) if d.signals}
    after = {d.pair_id: d for d in pair_group(group, _policy(now)) if d.signals}
    assert before.keys() == after.keys()
    for pid, stored in before.items():
        # what the map is fitted on: the stored pair's records, under the reliabilities of now
        p = evidence_strength(stored.signals, stored.users, _policy(now))
        same_side = after[pid].chosen == stored.chosen
        assert p == pytest.approx(after[pid].strength if same_side else 1 - after[pid].strength, abs=2e-4)
        assert evidence_strength(stored.signals, stored.users, _policy(formed_under)) == pytest.approx(
            stored.strength, abs=2e-4
        )


def _regen(strength: float) -> list[dict[str, Any]]:
    return [{"kind": "regenerate_only", "favours": "chosen", "strength": strength, "detail": {"voter": 0}}]


def test_the_map_is_fitted_on_strength_under_the_current_reliabilities_not_the_stored_one() -> None:
    """Pairs formed when regenerate_only was worth its prior 0.6; reviewers then confirmed 80 of 100 and pairing
    learned 0.8. The map sees those pairs at 0.8, right 80 % of the time: nothing left to correct there. Fitted on
    the stored 0.6 it would lift strength a second time, on top of the learned reliability."""
    learned = load_policy(None, signals={"regenerate_only": 0.8})
    reviewed = [(_regen(0.6), ["u"], i < 80) for i in range(100)]
    points = map_points(reviewed, learned)
    assert {round(p, 6) for p, _ in points} == {0.8}
    fitted = fit_strength_map(points, 0.95, 20)
    assert fitted is not None and fitted(0.8) == pytest.approx(0.8, abs=1e-9)
    stale = fit_strength_map([(0.6, ok) for _, _, ok in reviewed], 0.95, 20)
    assert stale is not None and stale(0.6) > 0.75  # the second correction the recomputation avoids


def test_evidence_now_pointing_the_other_way_counts_for_the_other_side() -> None:
    records = [
        {"kind": "choice", "favours": "chosen", "strength": 0.92, "detail": {"voter": 0}},
        {"kind": "regenerate_only", "favours": "rejected", "strength": 0.6, "detail": {"voter": 1}},
    ]
    policy = load_policy(None, signals={"choice": 0.6, "regenerate_only": 0.9})
    [(p, right)] = map_points([(records, ["u1", "u2"], True)], policy)
    assert p == pytest.approx(0.9 * 0.4 / (0.9 * 0.4 + 0.1 * 0.6)) and right is False


def test_the_band_shares_shrink_towards_the_identity_and_are_made_non_decreasing() -> None:
    assert fit_strength_map([], 0.95, 20) is None
    assert fit_strength_map([(0.97, True)], 0.95, 20) is None  # above the bar: not the map's business
    points = [(0.56, True)] * 30
    fitted = fit_strength_map(points, 0.95, 20)
    assert fitted is not None and fitted.points == 30
    # band 0.5-0.6: (30 + 20 * 0.56) / 50 = 0.824, above the empty 0.6-0.7 and 0.7-0.8 bands' identity (0.65,
    # 0.75, each worth 20): pooled into one level (30 + 11.2 + 13 + 15) / 90
    level = (30 + 20 * 0.56 + 20 * 0.65 + 20 * 0.75) / 90
    assert fitted(0.56) == pytest.approx(level) and fitted(0.70) == pytest.approx(level)
    assert fitted(0.92) == pytest.approx(0.92)  # no reviewed pairs there: the identity
    assert fitted(0.96) == 0.96


@given(
    st.lists(st.tuples(st.floats(0.5, 1.0), st.booleans()), max_size=300),
    st.floats(1, 100),
    st.lists(st.floats(0.5, 1.0), min_size=2, max_size=30),
)
def test_the_map_is_monotone_and_never_moves_a_strength_across_the_bar(
    points: list[tuple[float, bool]], prior_weight: float, probes: list[float]
) -> None:
    ceiling = 0.95 - 1e-9
    fitted = fit_strength_map(points, ceiling, prior_weight)
    if fitted is None:
        return
    values = [(s, fitted(s)) for s in sorted(probes)]
    assert all(b[1] >= a[1] - 1e-12 for a, b in itertools.pairwise(values))
    for s, m in values:
        assert (m < ceiling) == (s < ceiling) and (m > 0.5 or m == s == 0.5)
        if s >= ceiling or s == 0.5:  # balanced evidence: its sides are arbitrary, nothing to calibrate
            assert m == s


def test_the_cache_refits_after_new_outcomes_at_most_every_refit_seconds(store: Any) -> None:
    now = [1000.0]
    cache = StrengthMapCache(clock=lambda: now[0])
    policy = load_policy(None, calibration={"enabled": True, "refit_seconds": 60})
    with store.session() as s:
        assert cache.current(s, policy) is None
        _resolved(s, "p1", ["weak_signal: strength 0.560 < 0.950"], 0.56, True)
    with store.session() as s:
        first = cache.current(s, policy)  # a first map is fitted at once
        assert isinstance(first, StrengthMap) and first.points == 1
        _resolved(s, "p2", ["weak_signal: strength 0.560 < 0.950"], 0.56, True)
    with store.session() as s:
        assert cache.current(s, policy) is first  # too soon
        now[0] += 61
        assert cache.current(s, policy).points == 2  # type: ignore[union-attr]
        assert cache.current(s, load_policy()) is None  # off by default


def _resolved(s: Any, pair_id: str, reasons: list[str], strength: float, agreed: bool, **kw: Any) -> None:
    signals = [
        {"kind": "thumbs_cross_user", "favours": "chosen", "strength": strength, "users": 2,
         "event_ids": ["e"], "detail": {"weight": 0.3, "matched": 1, "voter": 0}}
    ]  # fmt: skip
    s.add(
        PromptGroup(key=f"g-{pair_id}", context=[{"role": "user", "content": "q"}], app_id="app", dirty=False)
    )
    s.flush()
    s.add(
        Pair(
            pair_id=pair_id,
            group_key=f"g-{pair_id}",
            prompt=[{"role": "user", "content": "q"}],
            chosen="x" * 30,
            rejected="y" * 30,
            kind="thumbs_cross_user",
            strength=strength,
            signals=signals,
            conflicts=0,
            checks=[],
            status=kw.get("status", "review"),
            route_reasons=reasons,
            policy_version="routing-1",
            users=["u1", "u2"],
            fingerprint=pair_id,
            formed_at=utcnow(),
        )
    )
    s.flush()
    s.add(
        ReviewPost(
            pair_id=pair_id,
            a_is="chosen",
            state="resolved",
            rubric_version="rubric-1",
            outcome=kw.get("outcome", "chosen" if agreed else "rejected"),
            resolved_at=utcnow(),
        )
    )


def test_the_fit_reads_only_resolved_pairs_that_are_a_fair_sample_of_their_strength(store: Any) -> None:
    with store.session() as s:
        _resolved(s, "below", ["weak_signal: strength 0.560 < 0.950"], 0.56, True)
        _resolved(s, "audit", ["audit: drawn", "strong_signal: ..."], 0.97, False)
        _resolved(s, "checked", ["check:rejected_is_refusal"], 0.97, True)  # met the bar, selected
        _resolved(s, "tie", ["weak_signal: strength 0.560 < 0.950"], 0.56, True, outcome="tie")
        _resolved(s, "gold", ["weak_signal: strength 0.560 < 0.950"], 0.56, True, status="gold")
    with store.session() as s:
        got = sorted((len(sig), users, ok) for sig, users, ok in reviewed_evidence(s, 100))
        assert got == [(1, ["u1", "u2"], False), (1, ["u1", "u2"], True)]
        assert resolved_count(s) == 5


def test_pairing_stores_the_maps_strength_after_reviewers_resolved_earlier_pairs(store: Any) -> None:
    """Cross-user thumbs whose thumbs-down gave a "tone" reason are scaled to 0.56 (a prior nothing learns); when
    reviewers confirm every one of them, the next such pair is stored at the map's level, still in review."""
    on = load_policy(None, audit={"rate": 0}, calibration={"enabled": True})
    curator = Curator(store, on, require_scrub=False)
    f = EventFactory()
    curator.process(raw(*[e for i in range(30) for e in _cross_thumbs(f, i, "tone")]))
    with store.session() as s:
        pairs = list(s.scalars(select(Pair)))
        assert {(p.strength, p.status) for p in pairs} == {(0.56, "review")}
        for p in pairs:  # what the bot leaves when reviewers confirm the users' side
            record_review_outcome(s, p.users, p.signals, p.conflicts, agreed=True)
            s.add(
                ReviewPost(
                    pair_id=p.pair_id,
                    a_is="chosen",
                    state="resolved",
                    rubric_version="rubric-1",
                    outcome="chosen",
                    resolved_at=utcnow(),
                )
            )
    curator.process(raw(*_cross_thumbs(f, 100, "tone")))
    off_policy = load_policy(None, audit={"rate": 0}, calibration={"enabled": False})
    plain = Curator(store, off_policy, require_scrub=False)
    plain.process(raw(*_cross_thumbs(f, 101, "tone")))
    with store.session() as s:
        by_user = {p.users[0]: p for p in s.scalars(select(Pair)) if len(p.users) == 2}
    new, off = by_user["disliker100"], by_user["disliker101"]
    level = (30 + 20 * 0.56 + 20 * 0.65 + 20 * 0.75) / 90
    assert new.strength == pytest.approx(level, abs=1e-4) and new.status == "review"
    assert new.meta["evidence_strength"] == 0.56
    assert (off.strength, off.status) == (0.56, "review") and "evidence_strength" not in off.meta
