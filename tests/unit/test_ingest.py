"""Ingest through the pipeline on each store backend: idempotent writes, dead letters, derived state, pairs."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from prefloop.curator.ingest import RawRecord
from prefloop.curator.pairing import load_policy
from prefloop.curator.pipeline import Curator
from prefloop.curator.store.models import DeadLetter, EventRow, FeedbackState, Pair, PromptGroup, ResponseRow
from prefloop.schemas.errors import ConfigError
from tests.factories import EventFactory

GOOD = "Use xs.reverse() to reverse in place, or xs[::-1] to get a reversed copy of the list."
BAD = "Python lists cannot be reversed; convert the list to a string and read it backwards instead."


def raw(*events: dict[str, Any] | bytes) -> list[RawRecord]:
    return [
        RawRecord(e if isinstance(e, bytes) else json.dumps(e).encode(), source=f"test@{i}")
        for i, e in enumerate(events)
    ]


def count(store: Any, model: Any) -> int:
    with store.session() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


@dataclass
class FakeScrubbed:
    prompt: list[dict[str, str]]
    chosen: str
    rejected: str
    entities: dict[str, int] = field(default_factory=dict)


class UpperScrubber:
    """Stands in for prefloop.curator.scrub.Scrubber (an injected dependency, not the thing under test)."""

    VERSION = "fake-1"

    def __init__(self) -> None:
        self.calls = 0

    def scrub_pair(self, prompt: list[dict[str, str]], chosen: str, rejected: str) -> FakeScrubbed:
        self.calls += 1
        return FakeScrubbed(
            [{**m, "content": "[SCRUBBED]"} for m in prompt], chosen.upper(), rejected.upper(), {"PERSON": 1}
        )


@dataclass
class FakeTags:
    harmful: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "tactic": "direct" if self.harmful else None,
            "hazards": ["weapons"] if self.harmful else [],
            "scores": {},
        }


class KeywordTagger:
    VERSION = "kw-1"

    def __init__(self) -> None:
        self.calls = 0

    def tag_many(self, conversations: list[list[dict[str, str]]]) -> list[FakeTags]:
        self.calls += len(conversations)
        return [FakeTags("bomb" in messages[-1]["content"]) for messages in conversations]


@pytest.fixture()
def curator(store: Any) -> Curator:
    return Curator(store, load_policy(), require_scrub=False)


def ab_choice(
    f: EventFactory, conv: str, user: str, good_first: bool = True, prompt: str = "Reverse a list?"
) -> list[dict[str, Any]]:
    r1 = f.response(conv, user, prompt=prompt, text=GOOD if good_first else BAD)
    r2 = f.response(conv, user, prompt=prompt, text=BAD if good_first else GOOD)
    pick = "a" if good_first else "b"
    return [r1, r2, f.choice(r1["response_id"], r2["response_id"], pick, conv, user)]


def test_batch_seen_twice_is_stored_once(store: Any, curator: Curator) -> None:
    f = EventFactory()
    events = ab_choice(f, "c1", "u1") + ab_choice(f, "c2", "u2", good_first=False)
    first = curator.process(raw(*events))
    assert first.write.inserted == 6 and first.write.duplicates == 0
    again = curator.process(raw(*events, *events))
    assert again.write.inserted == 0 and again.write.duplicates == 6
    assert count(store, EventRow) == 6 and count(store, ResponseRow) == 4 and count(store, PromptGroup) == 1
    with store.session() as s:
        [pair] = s.execute(select(Pair)).scalars().all()
    assert pair.chosen == GOOD and pair.rejected == BAD
    assert pair.status == "accepted" and pair.strength > 0.95
    assert len(pair.signals) == 2 and pair.users == ["u1", "u2"]
    assert pair.meta["models"] == {"chosen": "model-x", "rejected": "model-x"}
    assert pair.meta["generation"]["chosen"]["temperature"] == 0.7
    assert pair.meta["prompt_source"] == "user" and pair.rubric_version == "rubric-1"
    assert pair.policy_version == "routing-1" and pair.fingerprint


def test_invalid_records_become_dead_letters_and_the_batch_continues(store: Any, curator: Curator) -> None:
    f = EventFactory()
    newer = f.response()
    newer["schema_version"] = 2
    wrong = f.feedback("r1")
    del wrong["rating"]
    good = f.response()
    result = curator.process(
        raw(b"not json{", newer, wrong, b"\xff\xfe", b"[1,2]", good), keep_dead_letters=True
    )
    assert [d.code for d in result.dead] == [
        "not_json",
        "unsupported_version",
        "invalid",
        "not_utf8",
        "not_object",
    ]
    assert "rating" in result.dead[2].reason
    assert result.write.inserted == 1
    assert count(store, DeadLetter) == 5
    with store.session() as s:
        row = s.execute(select(DeadLetter).where(DeadLetter.code == "not_json")).scalar_one()
    assert row.raw == b"not json{" and row.source == "test@0"


def test_latest_feedback_wins_and_retract_clears_it(store: Any, curator: Curator) -> None:
    f = EventFactory()
    r = f.response()
    down = f.feedback(r["response_id"], -1, reason="incorrect")
    up = f.feedback(r["response_id"], 1)
    retract = f.feedback(r["response_id"], None, retract=True)
    curator.process(raw(r, up))
    curator.process(raw(down))  # older than `up`: arrives late, must not win
    with store.session() as s:
        assert s.execute(select(FeedbackState.rating)).scalar_one() == 1
    curator.process(raw(retract))
    with store.session() as s:
        assert s.execute(select(FeedbackState.rating)).scalar_one() == 0


def test_next_turn_marks_the_answer_continued_and_pairs_the_regenerate(store: Any, curator: Curator) -> None:
    f = EventFactory()
    old = f.response("c1", "u1", prompt="Reverse a list?", text=BAD)
    regen = f.regenerate(old["response_id"])
    new = f.response("c1", "u1", prompt="Reverse a list?", text=GOOD, regenerates=old["response_id"])
    curator.process(raw(old, regen, new))
    with store.session() as s:
        [pair] = s.execute(select(Pair)).scalars().all()
        assert pair.kind == "regenerate_only" and pair.status == "review"
    nxt = f.response(
        "c1",
        "u1",
        context=[
            {"role": "user", "content": "Reverse a list?"},
            {"role": "assistant", "content": GOOD},
            {"role": "user", "content": "Thanks, and sorting?"},
        ],
        text="Use sorted(xs) for a sorted copy of the list, or xs.sort() to sort in place.",
    )
    curator.process(raw(nxt))
    with store.session() as s:
        assert s.get(ResponseRow, new["response_id"]).continued_by == nxt["response_id"]  # type: ignore[union-attr]
        [pair] = s.execute(select(Pair)).scalars().all()
    assert pair.kind == "regenerate_then_positive" and pair.chosen == GOOD
    assert pair.signals[0]["detail"]["then"] == ["continued"]


def test_scrubber_runs_only_for_pairs_that_reach_people(store: Any) -> None:
    scrubber = UpperScrubber()
    cur = Curator(store, load_policy(), scrubber=scrubber)
    f = EventFactory()
    r1, r2 = f.response(text=GOOD), f.response(text=BAD)
    r3, r4 = f.response(prompt="Other question?", text=GOOD), f.response(prompt="Other question?", text=BAD)
    cur.process(
        raw(
            r1,
            r2,
            f.choice(r1["response_id"], r2["response_id"], "a"),
            r3,
            r4,
            f.choice(r3["response_id"], r4["response_id"], "tie"),
        )
    )
    with store.session() as s:
        pairs = {p.status: p for p in s.execute(select(Pair)).scalars()}
    review, tie = pairs["review"], pairs["discarded"]
    assert review.scrubbed and review.chosen == GOOD.upper() and review.prompt[0]["content"] == "[SCRUBBED]"
    assert review.scrubber_version == "fake-1" and review.pii_counts == {"PERSON": 1}
    assert not tie.scrubbed and tie.meta["tie"] is True
    assert scrubber.calls == 1
    # new evidence on the same texts: re-routed, not re-scrubbed
    cur.process(raw(f.choice(r1["response_id"], r2["response_id"], "a", "c9", "u9")))
    with store.session() as s:
        assert s.get(Pair, review.pair_id).status == "accepted"  # type: ignore[union-attr]
    assert scrubber.calls == 1


def test_curator_refuses_to_run_without_a_scrubber(store: Any) -> None:
    with pytest.raises(ConfigError, match="scrubber"):
        Curator(store, load_policy())


def test_prompt_group_is_tagged_once_and_harmful_goes_to_review(store: Any) -> None:
    tagger = KeywordTagger()
    cur = Curator(store, load_policy(), tagger=tagger, require_scrub=False)
    f = EventFactory()
    events = []
    for u in ("u1", "u2", "u3"):
        events += ab_choice(f, f"c{u}", u, prompt="How do I build a bomb?")
    cur.process(raw(*events[:3]))
    cur.process(raw(*events[3:]))
    assert tagger.calls == 1
    with store.session() as s:
        [pair] = s.execute(select(Pair)).scalars().all()
        tags = s.execute(select(PromptGroup.tags)).scalar_one()
        assert tags["harmful"] is True and tags["tagger_version"] == "kw-1"  # release manifests report it
    assert pair.status == "review" and "safety_tagged: prompt tagged weapons" in pair.route_reasons


def test_groups_of_one_batch_are_tagged_together_each_with_its_own_tags(store: Any) -> None:
    tagger = KeywordTagger()
    cur = Curator(store, load_policy(), tagger=tagger, require_scrub=False)
    f = EventFactory()
    prompts = ["How do I build a bomb?", "Reverse a list?", "Where can I buy a bomb?", "Sort a dict?"]
    events = [e for i, p in enumerate(prompts) for e in ab_choice(f, f"c{i}", f"u{i}", prompt=p)]
    cur.process(raw(*events))
    assert tagger.calls == 4
    with store.session() as s:
        pairs = s.execute(select(Pair)).scalars().all()
        harmful = {
            p.prompt[-1]["content"]: "safety_tagged: prompt tagged weapons" in p.route_reasons for p in pairs
        }
    assert harmful == {p: "bomb" in p for p in prompts}


def test_resolved_review_is_never_overwritten(store: Any, curator: Curator) -> None:
    f = EventFactory()
    events = ab_choice(f, "c1", "u1")
    curator.process(raw(*events))
    with store.session() as s:
        pair = s.execute(select(Pair)).scalar_one()
        pair.review = {"outcome": "accepted", "votes": 3}
        pair.status = "accepted"
    curator.process(raw(f.choice(events[0]["response_id"], events[1]["response_id"], "b", "c7", "u7")))
    with store.session() as s:
        pair = s.execute(select(Pair)).scalar_one()
    assert pair.status == "accepted" and len(pair.signals) == 1 and pair.conflicts == 0


def test_pair_dirty_recovers_groups_left_unpaired(store: Any, curator: Curator) -> None:
    f = EventFactory()
    curator.ingest(raw(*ab_choice(f, "c1", "u1")))  # as if the process died before pairing
    assert count(store, Pair) == 0
    done = curator.pair_dirty()
    assert done.groups == 1 and count(store, Pair) == 1
    with store.session() as s:
        assert s.execute(select(PromptGroup.dirty)).scalar_one() is False


def test_same_texts_in_another_app_are_a_stable_duplicate(store: Any) -> None:
    # this pair happens to fall in the default audit sample (drawn from its id): the test is about duplicates
    curator = Curator(store, load_policy(audit={"rate": 0}), require_scrub=False)
    f1, f2 = EventFactory("app-one"), EventFactory("app-two")
    f2._ids = itertools.count(1000)  # response ids are global: keep the two apps' apart
    first = ab_choice(f1, "c1", "u1") + ab_choice(f1, "c2", "u2")
    second = ab_choice(f2, "c3", "u3") + ab_choice(f2, "c4", "u4")
    curator.process(raw(*first, *second))  # both new in one batch: the lower pair id owns the texts
    with store.session() as s:
        before = {p.pair_id: (p.status, p.checks) for p in s.execute(select(Pair)).scalars()}
    assert sorted(st for st, _ in before.values()) == ["accepted", "discarded"]
    dup = next(pid for pid, (st, _) in before.items() if st == "discarded")
    assert before[dup][1] == ["duplicate"]
    curator.process(raw(f1.choice(first[0]["response_id"], first[1]["response_id"], "a", "c5", "u5")))
    curator.process(raw(f2.choice(second[0]["response_id"], second[1]["response_id"], "a", "c6", "u6")))
    with store.session() as s:
        after = {p.pair_id: p for p in s.execute(select(Pair)).scalars()}
    assert after[dup].status == "discarded" and after[dup].meta["duplicate_of"] != dup
    assert after[after[dup].meta["duplicate_of"]].status == "accepted"
