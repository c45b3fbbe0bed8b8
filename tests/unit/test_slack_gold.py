"""Gold items: reading the team's file, storing them apart from real pairs, scoring reviewers, and exporting the
frozen evaluation set as gold items (through the real CLI, on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from prefloop.curator.cli.releases import release
from prefloop.curator.settings import Settings
from prefloop.curator.store import Store
from prefloop.curator.store.models import GoldItem, Pair, ReleasedPrompt, Vote
from prefloop.slackbot.cli import slackbot
from prefloop.slackbot.gold import GoldError, add_gold, flagged, gold_scores, read_gold_file
from prefloop.slackbot.quorum import QuorumPolicy
from tests.unit.release_factories import add_pairs


def test_gold_file_lines_are_checked_with_their_line_number(tmp_path: Path) -> None:
    good = '{"prompt": "Q?", "chosen": "right answer", "rejected": "wrong answer", "category": "cyber"}'
    path = tmp_path / "gold.jsonl"
    path.write_text(good + "\n\n" + '{"prompt": "Q?", "chosen": "x"}\n')
    with pytest.raises(GoldError) as err:
        read_gold_file(path)
    assert err.value.line == 3 and "non-empty chosen and rejected" in str(err.value)
    path.write_text(good.replace('"category"', '"answer": "maybe", "category"') + "\n")
    with pytest.raises(GoldError, match="answer must be one of"):
        read_gold_file(path)
    path.write_text("not json\n")
    with pytest.raises(GoldError, match="line 1 is not JSON"):
        read_gold_file(path)


def test_gold_pairs_are_stored_apart_and_scored_per_category(store: Store) -> None:
    items = [
        {"prompt": f"Q{i}?", "chosen": f"good {i}", "rejected": f"bad {i}", "category": cat}
        for i, cat in enumerate(("cyber", "none", "cyber"))
    ]
    ids = add_gold(store, items)
    assert len(ids) == 3 and add_gold(store, items) == []  # idempotent
    with store.session() as s:
        assert {s.get(Pair, pid).status for pid in ids} == {"gold"}  # type: ignore[union-attr]
        for pid, (user, choice) in zip(ids, (("U1", "a"), ("U1", "b"), ("U1", "a")), strict=True):
            s.add(
                Vote(
                    pair_id=pid,
                    reviewer=user,
                    choice=choice,
                    a_is="chosen",
                    rubric_version="r",
                    role="reviewer",
                )
            )
        s.flush()
        scores = gold_scores(s)
    u1 = scores["U1"]
    assert (u1.items, u1.right) == (3, 2) and u1.by_category == {"cyber": [2, 2], "none": [1, 0]}
    assert flagged(scores, QuorumPolicy(gold_min_items=3, gold_min_accuracy=0.7)) == {"U1"}
    assert flagged(scores, QuorumPolicy(gold_min_items=3, gold_min_accuracy=0.6)) == set()
    assert flagged(scores, QuorumPolicy(gold_min_items=4, gold_min_accuracy=0.7)) == set()


def test_the_frozen_eval_set_exports_to_gold_items_that_gold_add_stores(store: Store, tmp_path: Path) -> None:
    add_pairs(store, 12)
    settings = Settings.load(
        {}, database_url=store.url, release_dir=str(tmp_path / "releases"), release_test_share=0.5
    )
    runner = CliRunner()
    out = tmp_path / "gold" / "eval.jsonl"
    unpinned = runner.invoke(slackbot, ["gold", "export", str(out)], obj=settings)
    assert unpinned.exit_code != 0 and "release pin-eval --month" in unpinned.output and not out.exists()
    built = runner.invoke(release, ["build", "--month", "2026-10", "--no-progress"], obj=settings)
    assert built.exit_code == 0, built.output
    assert runner.invoke(release, ["pin-eval", "--month", "2026-10"], obj=settings).exit_code == 0
    with store.session() as s:
        test_keys = set(s.scalars(select(ReleasedPrompt.group_key).where(ReleasedPrompt.split == "test")))
        pairs = sorted(s.scalars(select(Pair).where(Pair.group_key.in_(test_keys))), key=lambda p: p.pair_id)
        assert test_keys and len(pairs) >= 4
        pairs[0].review = {"outcome": "chosen", "votes": []}  # reviewers decided this one
        pairs[1].status = "discarded"  # no longer accepted: no known answer
        expected = {p.pair_id: p for p in pairs[:1] + pairs[2:]}
        expected_texts = {(p.chosen, p.rejected, p.tags["hazards"][0]) for p in expected.values()}
        reviewed = (pairs[0].chosen, pairs[0].rejected)

    exported = runner.invoke(slackbot, ["gold", "export", str(out)], obj=settings)
    assert exported.exit_code == 0, exported.output
    assert f"wrote {len(expected)} gold item(s) from {len(test_keys)} pinned" in exported.output
    assert "(1 pair(s) left out)" in exported.output
    items = read_gold_file(out)  # the format `gold add` reads
    assert {(i["chosen"], i["rejected"], i["category"]) for i in items} == expected_texts
    assert {i["answer"] for i in items} == {"chosen"} and {i["source"] for i in items} == {"eval:2026-10"}
    raw = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["chosen"], r["rejected"]) for r in raw if r["basis"] == "review"] == [reviewed]

    added = runner.invoke(slackbot, ["gold", "add", str(out)], obj=settings)
    assert added.exit_code == 0 and f"added {len(expected)} gold item(s)" in added.output
    assert "added 0 gold" in runner.invoke(slackbot, ["gold", "add", str(out)], obj=settings).output
    with store.session() as s:
        gold = list(s.scalars(select(Pair).where(Pair.status == "gold")))
        assert {(p.chosen, p.rejected) for p in gold} == {(c, r) for c, r, _ in expected_texts}
        assert not {p.group_key for p in gold} & test_keys  # stored apart: never shipped again as data
        answers = {g.pair_id: (g.answer, g.source) for g in s.scalars(select(GoldItem))}
        assert set(answers.values()) == {("chosen", "eval:2026-10")}

    only = runner.invoke(slackbot, ["gold", "export", str(out), "--reviewed-only"], obj=settings)
    assert only.exit_code == 0 and [(i["chosen"], i["rejected"]) for i in read_gold_file(out)] == [reviewed]
    samples = []
    for _ in range(2):
        assert (
            runner.invoke(slackbot, ["gold", "export", str(out), "--limit", "2"], obj=settings).exit_code == 0
        )
        samples.append([i["chosen"] for i in read_gold_file(out)])
    assert samples[0] == samples[1] and len(samples[0]) == 2  # a fixed sample
    other = runner.invoke(slackbot, ["gold", "export", str(out), "--month", "2026-11"], obj=settings)
    assert other.exit_code != 0 and "no frozen evaluation prompts in the store (2026-11)" in other.output


@pytest.mark.integration
def test_two_concurrent_gold_votes_of_one_reviewer_count_together(postgres_url: str) -> None:
    """PostgreSQL runs a reviewer's votes on two gold posts at once: the later one waits for the earlier and sees it,
    so a reviewer wrong twice is flagged however close together the votes come."""
    import threading

    from prefloop.curator.store.models import AuditEntry, ReviewPost
    from prefloop.slackbot.rubric import load_rubric
    from prefloop.slackbot.service import ReviewService

    store = Store(postgres_url)
    try:
        policy = QuorumPolicy(gold_min_items=2, gold_min_accuracy=0.7, gold_policy="exclude")
        service = ReviewService(store, load_rubric(), policy, "#review")
        items = [
            {"prompt": f"Question {i}?", "chosen": f"A right answer {i}.", "rejected": f"A wrong answer {i}."}
            for i in range(2)
        ]
        first, second = add_gold(store, items)
        with store.session() as s:
            for pid in (first, second):
                s.add(ReviewPost(pair_id=pid, a_is="chosen", state="posted", rubric_version="r", reminders=0))
        # the first wrong vote's transaction is still open (it checked the reviewer's standing: 1 item) ...
        with store.session() as s:
            s.add(
                Vote(
                    pair_id=first,
                    reviewer="U3",
                    choice="b",
                    a_is="chosen",
                    rubric_version="r",
                    role="reviewer",
                )
            )
            s.flush()
            service._check_gold(s, "U3")
            # ... when the second arrives
            voter = threading.Thread(target=service.cast_vote, args=(second, "U3", "b", None))
            voter.start()
            voter.join(timeout=1.0)
            assert voter.is_alive()  # waits for the first vote's transaction
        voter.join(timeout=30)
        with store.session() as s:
            flags = list(s.scalars(select(AuditEntry.detail).where(AuditEntry.action == "gold_flagged")))
        assert [(f["items"], f["right"]) for f in flags] == [(2, 0)]
    finally:
        store.dispose()
