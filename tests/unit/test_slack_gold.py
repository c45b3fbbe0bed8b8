"""Gold items: reading the team's file, storing them apart from real pairs, scoring reviewers."""

from __future__ import annotations

from pathlib import Path

import pytest

from prefloop.curator.store import Store
from prefloop.curator.store.models import Pair, Vote
from prefloop.slackbot.gold import GoldError, add_gold, flagged, gold_scores, read_gold_file
from prefloop.slackbot.quorum import QuorumPolicy


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
