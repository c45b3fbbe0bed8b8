"""Simulated reviewers, the truth they vote by, the leak check, the replay clock and the workdir guard."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from prefloop.curator.demo.clock import replay_clock
from prefloop.curator.demo.errors import DemoError
from prefloop.curator.demo.leaks import find_leaks
from prefloop.curator.demo.review import Truth, reviewer_choice
from prefloop.curator.demo.run import MARKER, _fresh_workdir


def test_reviewers_vote_for_the_better_side_as_shown() -> None:
    rng = random.Random(0)
    # the better answer is the stored "chosen" side, shown as A: a right vote is "a"
    votes = Counter(reviewer_choice("chosen", "chosen", rng, 0.85)[0] for _ in range(4000))
    assert 0.82 < votes["a"] / 4000 < 0.88
    assert votes["b"] > votes["tie"] > 0 and votes["both_bad"] > 0
    # shown as B
    assert reviewer_choice("chosen", "rejected", random.Random(1), 1.0)[0] == "b"
    assert reviewer_choice("rejected", "rejected", random.Random(1), 1.0)[0] == "a"
    choice, reason = reviewer_choice("chosen", "chosen", random.Random(2), 1.0)
    assert choice == "a"
    assert reason in ("correctness", "grounding", "format", "safety", "usefulness")


def test_truth_finds_the_preferred_side_even_after_scrubbing() -> None:
    truth = Truth(["Call Maria Gonzalez at the office tomorrow, she knows the answer."], ["No idea, sorry."])
    assert truth("Call Maria Gonzalez at the office tomorrow, she knows the answer.", "x") == "chosen"
    assert truth("No idea, sorry.", "something else") == "rejected"
    assert truth("other", "Call [PERSON_1] at the office tomorrow, she knows the answer.") == "rejected"


def test_leak_check_looks_in_slack_and_every_release_file(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "jsonl").mkdir()
    (tmp_path / "jsonl" / "train.jsonl").write_text(json.dumps({"prompt": "hi [PERSON_1]"}) + "\n")
    (tmp_path / "README.md").write_text("card")
    pq.write_table(pa.table({"chosen": ["call 415-555-0132"]}), tmp_path / "data" / "test.parquet")
    report = find_leaks(
        ["Maria Gonzalez", "415-555-0132", "maria@gmail.com"],
        ['{"text": "from MARIA GONZALEZ"}'],
        tmp_path,
    )
    assert not report.clean
    assert sorted(report.found) == [
        (str(tmp_path / "data" / "test.parquet"), "415-555-0132"),
        ("slack", "Maria Gonzalez"),
    ]
    assert report.release_files == 3 and report.slack_calls == 1 and report.checked_values == 3
    assert find_leaks(["nobody@gmail.com"], ["{}"], tmp_path).clean


def test_replay_clock_runs_from_the_start_of_the_month() -> None:
    start = datetime(2026, 10, 1, tzinfo=UTC)
    clock = replay_clock(start)
    first, second = clock(), clock()
    assert start <= first <= second < datetime(2026, 10, 1, 0, 1, tzinfo=UTC)
    assert first.utcoffset() is not None and first.utcoffset().total_seconds() == 0
    with pytest.raises(ValueError, match="timezone-aware"):
        replay_clock(datetime(2026, 10, 1))


def test_workdir_is_emptied_only_if_a_demo_made_it(tmp_path: Path) -> None:
    work = tmp_path / "demo"
    _fresh_workdir(work)
    (work / "old.db").write_text("x")
    _fresh_workdir(work)
    assert sorted(p.name for p in work.iterdir()) == [MARKER]
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("x")
    with pytest.raises(DemoError, match="refusing to empty") as err:
        _fresh_workdir(precious)
    assert err.value.value == str(precious) and (precious / "thesis.tex").exists()
