"""Pairing core: prompt groups, candidates from each signal kind, orientation, conflicts, ties, checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from prefloop.curator.pairing import (
    ActionView,
    FeedbackView,
    GroupView,
    ResponseView,
    group_key,
    is_refusal,
    load_policy,
    pair_group,
    run_checks,
    similarity,
)

T0 = datetime(2026, 10, 5, 12, 0, tzinfo=UTC)
PROMPT = [{"role": "user", "content": "How do I reverse a list in Python?"}]
GOOD = "Use xs.reverse() to reverse in place, or xs[::-1] to get a reversed copy of the list."
BAD = "Python lists cannot be reversed; convert the list to a string and read it backwards instead."
OTHER = "Call reversed(xs) to get an iterator, then wrap it in list() if you need a list back."


def t(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def resp(
    rid: str, text: str | None, user: str = "u1", conv: str = "c1", at: int = 0, **kw: object
) -> ResponseView:
    return ResponseView(
        response_id=rid,
        text=text,
        user=user,
        conversation_id=conv,
        shown_at=t(at),
        event_id=f"ev-{rid}",
        **kw,
    )  # type: ignore[arg-type]


def fb(rid: str, rating: int, user: str = "u1", reason: str | None = None, at: int = 10) -> FeedbackView:
    return FeedbackView(rid, user, rating, reason, f"fb-{rid}-{user}", t(at))


def choice(a: str, b: str, preferred: str, user: str = "u1", at: int = 10) -> ActionView:
    return ActionView("choice", f"ch-{a}-{b}-{user}", user, t(at), a, b, preferred=preferred)


def group(responses, feedback=(), actions=(), tags=None) -> GroupView:  # type: ignore[no-untyped-def]
    return GroupView(
        key="g" * 64,
        context=PROMPT,
        responses=list(responses),
        feedback=list(feedback),
        actions=list(actions),
        tags=tags,
    )


@pytest.fixture(scope="module")
def policy():  # type: ignore[no-untyped-def]
    return load_policy()


def test_group_key_ignores_whitespace_but_not_words_or_context() -> None:
    k1 = group_key([{"role": "user", "content": "Hello  world\n"}], app_id="a")
    assert k1 == group_key([{"role": "user", "content": " Hello world"}], app_id="a")
    assert k1 != group_key([{"role": "user", "content": "Hello there"}], app_id="a")
    assert k1 != group_key(
        [{"role": "user", "content": "Hello world"}], app_id="a", system_prompt_version="v2"
    )
    earlier = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hey"}]
    assert k1 != group_key([*earlier, {"role": "user", "content": "Hello world"}], app_id="a")
    assert len(k1) == 64


def test_choice_orients_to_the_pick_and_records_provenance(policy) -> None:  # type: ignore[no-untyped-def]
    g = group([resp("r1", BAD), resp("r2", GOOD)], actions=[choice("r1", "r2", "b")])
    [d] = pair_group(g, policy)
    assert (d.chosen, d.rejected) == (GOOD, BAD)
    assert d.chosen_response_id == "r2" and d.rejected_response_id == "r1"
    assert d.kind == "choice"
    assert d.signals[0]["event_ids"] == ["ch-r1-r2-u1"] and d.signals[0]["favours"] == "chosen"
    assert d.strength == pytest.approx(0.92)
    # one user's pick alone is below the accept bar: review, with the reason
    assert d.status == "review" and any(r.startswith("weak_signal") for r in d.route_reasons)


def test_two_users_choices_combine_and_accept(policy) -> None:  # type: ignore[no-untyped-def]
    g = group(
        [
            resp("r1", BAD),
            resp("r2", GOOD),
            resp("r3", BAD, user="u2", conv="c2"),
            resp("r4", GOOD, "u2", "c2"),
        ],
        actions=[choice("r1", "r2", "b"), choice("r4", "r3", "a", user="u2")],
    )
    [d] = pair_group(g, policy)  # identical answers are one candidate across users
    assert d.chosen == GOOD and d.strength > 0.99
    assert d.status == "accepted" and d.route_reasons[0].startswith("strong_signal")
    assert sorted(d.meta["response_ids"]["chosen"]) == ["r2", "r4"]


def test_same_user_signals_count_once(policy) -> None:  # type: ignore[no-untyped-def]
    g = group(
        [resp("r1", BAD), resp("r2", GOOD)],
        feedback=[fb("r2", 1), fb("r1", -1, reason="incorrect")],
        actions=[choice("r1", "r2", "b")],
    )
    [d] = pair_group(g, policy)
    assert {s["kind"] for s in d.signals} == {"choice", "thumbs_same_user"}
    assert d.strength == pytest.approx(0.92)  # not 0.92 and 0.85 combined


def test_tie_is_a_labelled_discard_never_a_winner(policy) -> None:  # type: ignore[no-untyped-def]
    g = group([resp("r1", BAD), resp("r2", GOOD)], actions=[choice("r1", "r2", "tie")])
    [d] = pair_group(g, policy)
    assert d.status == "discarded" and d.meta["tie"] is True and d.kind == "tie"
    assert d.route_reasons[0].startswith("tie:")
    assert d.strength == 0.5


def test_conflicting_choices_are_kept_counted_and_reviewed(policy) -> None:  # type: ignore[no-untyped-def]
    g = group(
        [resp("r1", BAD), resp("r2", GOOD)],
        actions=[
            choice("r1", "r2", "b", user="u1"),
            choice("r1", "r2", "b", user="u2"),
            choice("r1", "r2", "a", user="u3"),
        ],
    )
    [d] = pair_group(g, policy)
    assert d.chosen == GOOD and d.conflicts == 1
    assert [s["favours"] for s in d.signals].count("rejected") == 1
    assert d.status == "review" and d.route_reasons[0].startswith("conflict")


def test_regenerate_then_thumbs_up_prefers_the_new_answer(policy) -> None:  # type: ignore[no-untyped-def]
    g = group(
        [resp("r1", BAD), resp("r2", GOOD, at=5, regenerates="r1")],
        feedback=[fb("r2", 1, at=8)],
        actions=[ActionView("regenerate", "rg1", "u1", t(4), "r1")],
    )
    [d] = pair_group(g, policy)
    assert d.chosen == GOOD and d.kind == "regenerate_then_positive"
    assert "rg1" in d.signals[0]["event_ids"] and d.signals[0]["detail"]["then"] == ["thumbs_up"]


def test_regenerate_then_continued_conversation_counts_as_positive(policy) -> None:  # type: ignore[no-untyped-def]
    g = group([resp("r1", BAD), resp("r2", GOOD, at=5, regenerates="r1", continued_by="r9")])
    [d] = pair_group(g, policy)
    assert d.kind == "regenerate_then_positive" and d.signals[0]["detail"]["then"] == ["continued"]


def test_regenerate_alone_is_weak_and_never_accepted(policy) -> None:  # type: ignore[no-untyped-def]
    g = group([resp("r1", BAD), resp("r2", GOOD, at=5, regenerates="r1")])
    [d] = pair_group(g, policy)
    assert d.kind == "regenerate_only" and d.status == "review"
    assert any(r.startswith("weak_kind") for r in d.route_reasons)


def test_regenerate_event_without_link_pairs_the_next_answer(policy) -> None:  # type: ignore[no-untyped-def]
    g = group(
        [resp("r1", BAD), resp("r2", GOOD, at=5)],
        feedback=[fb("r2", 1, at=8)],
        actions=[ActionView("regenerate", "rg1", "u1", t(4), "r1")],
    )
    [d] = pair_group(g, policy)
    assert d.chosen == GOOD and d.kind == "regenerate_then_positive"


def test_regenerate_then_thumbs_down_on_new_answer_is_no_pair(policy) -> None:  # type: ignore[no-untyped-def]
    g = group([resp("r1", BAD), resp("r2", GOOD, at=5, regenerates="r1")], feedback=[fb("r2", -1, at=8)])
    assert pair_group(g, policy) == []


def test_thumbs_reasons_weigh_quality_over_tone(policy) -> None:  # type: ignore[no-untyped-def]
    quality = group(
        [resp("r1", BAD), resp("r2", GOOD)], feedback=[fb("r2", 1), fb("r1", -1, reason="incorrect")]
    )
    tone = group([resp("r1", BAD), resp("r2", GOOD)], feedback=[fb("r2", 1), fb("r1", -1, reason="tone")])
    [q], [w] = pair_group(quality, policy), pair_group(tone, policy)
    assert q.kind == w.kind == "thumbs_same_user"
    assert q.strength > w.strength
    assert any(r.startswith("weak_reason") for r in w.route_reasons) and w.status == "review"


def test_cross_user_thumbs_are_weaker_than_same_user(policy) -> None:  # type: ignore[no-untyped-def]
    same = group(
        [resp("r1", BAD), resp("r2", GOOD)], feedback=[fb("r2", 1), fb("r1", -1, reason="incorrect")]
    )
    cross = group(
        [resp("r1", BAD), resp("r2", GOOD, user="u2", conv="c2")],
        feedback=[fb("r2", 1, user="u2"), fb("r1", -1, user="u1", reason="incorrect")],
    )
    [s], [c] = pair_group(same, policy), pair_group(cross, policy)
    assert c.kind == "thumbs_cross_user" and c.chosen == GOOD
    assert c.strength < s.strength


def test_many_cross_user_thumbs_accumulate(policy) -> None:  # type: ignore[no-untyped-def]
    responses = [resp(f"g{i}", GOOD, user=f"p{i}", conv=f"cp{i}") for i in range(4)]
    responses += [resp(f"b{i}", BAD, user=f"n{i}", conv=f"cn{i}") for i in range(4)]
    feedback = [fb(f"g{i}", 1, user=f"p{i}") for i in range(4)]
    feedback += [fb(f"b{i}", -1, user=f"n{i}", reason="incorrect") for i in range(4)]
    [d] = pair_group(group(responses, feedback), policy)
    assert d.strength > 0.95 and d.status == "accepted"


def test_edit_makes_human_written_chosen(policy) -> None:  # type: ignore[no-untyped-def]
    edit = ActionView("edit", "ed1", "u1", t(9), "r1", edited_text=GOOD, editor="user")
    [d] = pair_group(group([resp("r1", BAD)], actions=[edit]), policy)
    assert d.chosen_human_written and d.chosen == GOOD and d.rejected == BAD
    assert d.chosen_response_id is None and d.rejected_response_id == "r1"
    assert d.kind == "edit" and d.meta["models"]["chosen"] == "human"


def test_near_identical_answers_are_a_tie(policy) -> None:  # type: ignore[no-untyped-def]
    almost = GOOD.replace("copy of the list.", "copy of the list!")
    g = group(
        [resp("r1", GOOD), resp("r2", almost)],
        actions=[choice("r1", "r2", "a"), choice("r1", "r2", "a", "u2")],
    )
    [d] = pair_group(g, policy)
    assert similarity(GOOD, almost) >= 0.9
    assert d.status == "discarded" and d.route_reasons[0].startswith("near_identical")


def test_identical_answers_form_no_pair(policy) -> None:  # type: ignore[no-untyped-def]
    g = group([resp("r1", GOOD), resp("r2", GOOD + "  ")], actions=[choice("r1", "r2", "a")])
    assert pair_group(g, policy) == []


def test_purged_responses_are_never_paired(policy) -> None:  # type: ignore[no-untyped-def]
    g = group([resp("r1", None), resp("r2", GOOD)], actions=[choice("r1", "r2", "b")])
    assert pair_group(g, policy) == []


def test_safety_tagged_prompt_goes_to_review(policy) -> None:  # type: ignore[no-untyped-def]
    tags = {"harmful": True, "hazards": ["weapons"], "tactic": None}
    g = group(
        [resp("r1", BAD), resp("r2", GOOD)],
        actions=[choice("r1", "r2", "b", user=u) for u in ("u1", "u2", "u3")],
        tags=tags,
    )
    [d] = pair_group(g, policy)
    assert d.status == "review" and "safety_tagged: prompt tagged weapons" in d.route_reasons
    assert d.tags == tags


def test_pair_ids_are_stable_and_order_free(policy) -> None:  # type: ignore[no-untyped-def]
    g1 = group([resp("r1", BAD), resp("r2", GOOD)], actions=[choice("r1", "r2", "b")])
    g2 = group([resp("r2", GOOD), resp("r1", BAD)], actions=[choice("r2", "r1", "a")])
    assert pair_group(g1, policy)[0].pair_id == pair_group(g2, policy)[0].pair_id


@pytest.mark.parametrize(
    ("chosen", "rejected", "expected"),
    [
        (GOOD, BAD, []),
        ("", BAD, ["empty_chosen"]),
        ("ok", BAD, ["chosen_too_short"]),
        (GOOD, "I can't help with that request, sorry.", ["rejected_is_refusal"]),
        (
            "I cannot help with that. You should know that this is wrong and please reconsider your actions.",
            BAD,
            ["chosen_refusal_lectures", "chosen_refusal_no_alternative"],
        ),
        (
            "I can't help track someone without their knowledge, but I can help you plan a conversation "
            "with your neighbour instead. What is the actual problem?",
            BAD,
            [],
        ),
    ],
)
def test_checks(chosen: str, rejected: str, expected: list[str]) -> None:
    assert run_checks(PROMPT, chosen, rejected) == expected


def test_checks_flag_an_empty_prompt() -> None:
    assert run_checks([{"role": "user", "content": "  "}], GOOD, BAD) == ["empty_prompt"]


def test_refusal_detection_handles_curly_apostrophes_and_ignores_late_caveats() -> None:
    assert is_refusal("I\u2019m sorry, but I can\u2019t do that.")
    assert not is_refusal("Sure! " + "Here is how to sort a list. " * 12 + "I can't promise it is fastest.")


def test_an_edit_alone_is_accepted_at_the_bar(policy) -> None:  # type: ignore[no-untyped-def]
    # combine(logit(0.95)) is 0.94999...: the bar is compared with a tolerance, so an edit (0.95) is accepted
    edit = ActionView("edit", "ed1", "u1", t(9), "r1", edited_text=GOOD, editor="user")
    [d] = pair_group(group([resp("r1", BAD)], actions=[edit]), policy)
    assert d.strength == pytest.approx(0.95) and d.status == "accepted", d.route_reasons


def test_evidence_on_near_identical_answers_combines_across_users(policy) -> None:  # type: ignore[no-untyped-def]
    good2 = GOOD.replace("copy of the list.", "copy of the list!")  # a resample that differs in punctuation
    bad2 = BAD.replace("instead.", "instead!")
    responses = [
        resp("r1", GOOD, "u1", "c1", 0),
        resp("r2", BAD, "u1", "c1", 1),
        resp("r3", good2, "u2", "c2", 2),
        resp("r4", bad2, "u2", "c2", 3),
    ]
    actions = [choice("r1", "r2", "a", "u1", 10), choice("r4", "r3", "b", "u2", 11)]
    drafts = pair_group(group(responses, actions=actions), policy)
    [d] = [x for x in drafts if x.status != "discarded"]
    # two users' picks (0.92 each) combine on one pair: 0.992 >= 0.95, accepted without review
    assert d.chosen == GOOD and d.strength > 0.99 and d.status == "accepted"
    assert len(d.meta["merged_near_identical"]) == 1 and len(d.signals) == 2
    off = load_policy(None, similarity={"merge_near_identical": False})
    assert all(x.status != "accepted" for x in pair_group(group(responses, actions=actions), off))


def test_near_identical_clusters_keep_their_first_answer() -> None:
    from prefloop.curator.pairing.signals import answer_clusters

    texts = {"h1": GOOD, "h2": BAD, "h3": GOOD.upper(), "h4": OTHER}
    assert answer_clusters(texts, 0.9) == {"h1": "h1", "h2": "h2", "h3": "h1", "h4": "h4"}


def test_a_reviewer_verified_history_raises_or_lowers_a_users_weight(policy) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from prefloop.curator.pairing.signals import with_history

    g = group([resp("r1", GOOD), resp("r2", BAD)], actions=[choice("r1", "r2", "a")])
    [plain] = pair_group(g, policy)
    assert plain.strength == pytest.approx(0.92) and plain.status == "review"
    [trusted] = pair_group(replace(g, user_history={"u1": (30, 0)}), policy)
    # (30 + 10 * 0.92) / 40 = 0.98: one choice from a user reviewers confirmed 30 times is accepted
    assert trusted.strength == pytest.approx(0.98) and trusted.status == "accepted"
    assert trusted.signals[0]["detail"]["history"] == [30, 0]
    [doubted] = pair_group(replace(g, user_history={"u1": (2, 8)}), policy)
    assert doubted.strength == pytest.approx((2 + 9.2) / 20) and doubted.status == "review"
    off = load_policy(None, history={"enabled": False})
    assert pair_group(replace(g, user_history={"u1": (30, 0)}), off)[0].strength == pytest.approx(0.92)
    assert with_history(0.92, 0, 0, 10, 0.99) == 0.92 and with_history(0.92, 10**6, 0, 10, 0.99) == 0.99
