"""What the encoder fine-tune reads and how its grouped hold-out is dealt (issue 15, session 10)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prefloop.curator.tagging.corpus import DEFAULT_CORPUS_DIR, Example
from prefloop.curator.tagging.crossfit import BASE_SOURCE
from prefloop.curator.tagging.finetune_data import (
    EVAL_GROUPS,
    calibration_rows,
    group_of,
    head_tail,
    subsample,
)

CLS, SEP = 101, 102


@given(st.integers(min_value=0, max_value=300), st.integers(min_value=3, max_value=130))
def test_head_tail_keeps_the_markers_the_beginning_and_the_end(body: int, max_tokens: int) -> None:
    ids = [CLS, *range(1000, 1000 + body), SEP]
    cut = head_tail(ids, max_tokens)
    assert len(cut) == min(len(ids), max_tokens)
    assert cut[0] == CLS and cut[-1] == SEP
    inner = cut[1:-1]
    # a prefix of the body followed by a suffix of it, the two halves within one piece of each other
    n_head = next((k for k in range(1, len(inner)) if inner[k] != inner[k - 1] + 1), len(inner))
    head, tail = inner[:n_head], inner[n_head:]
    assert head == list(range(1000, 1000 + len(head)))
    assert tail == list(range(1000 + body - len(tail), 1000 + body))
    if len(ids) > max_tokens:
        assert len(head) - len(tail) in (0, 1)


def test_head_tail_leaves_a_short_input_alone_and_keeps_an_injection_at_the_end() -> None:
    assert head_tail([CLS, 5, 6, SEP], 64) == [CLS, 5, 6, SEP]
    pasted = [CLS, *([7] * 200), 9, 9, 9, SEP]  # 9: the instruction planted at the end of a pasted text
    cut = head_tail(pasted, 16)
    assert cut[-4:] == [9, 9, 9, SEP] and cut[:8] == [CLS, *([7] * 7)] and len(cut) == 16


def test_head_tail_refuses_a_length_with_no_room_for_text() -> None:
    with pytest.raises(ValueError, match="max_tokens"):
        head_tail([CLS, 5, SEP], 2)


def _rows(source: str, n: int, start: int = 0) -> list[Example]:
    return [Example((f"prompt {source} {i}",), None, (), f"{source}/x") for i in range(start, start + n)]


def test_subsample_caps_each_public_source_and_the_authored_rows_apart() -> None:
    examples = _rows("a", 30) + _rows("b", 4) + _rows(BASE_SOURCE, 50)
    picked = subsample(examples, per_source=10, authored=20)
    sources = [examples[i].source.split("/")[0] for i in picked]
    assert sources.count("a") == 10 and sources.count("b") == 4 and sources.count(BASE_SOURCE) == 20
    assert picked == sorted(picked) and picked == subsample(examples, per_source=10, authored=20)


def test_subsample_of_a_source_does_not_move_when_other_rows_are_added() -> None:
    base = _rows("a", 40)
    before = {base[i].key for i in subsample(base, per_source=12)}
    grown = _rows("b", 25) + base + _rows("c", 3)
    after = {grown[i].key for i in subsample(grown, per_source=12) if grown[i].source.startswith("a/")}
    assert after == before
    assert {base[i].key for i in subsample(base, per_source=12, seed=1)} != before


def test_every_public_source_of_the_corpus_is_held_out_in_exactly_one_group() -> None:
    public = {p.name for p in (DEFAULT_CORPUS_DIR / "sources").iterdir() if p.is_dir()}
    listed = [s for g in EVAL_GROUPS for s in g]
    assert sorted(listed) == sorted(public) and len(listed) == len(set(listed))
    assert all(group_of(s) is not None for s in public)
    assert group_of(BASE_SOURCE) is None


@given(st.lists(st.sampled_from([None, 0, 1, 2]), max_size=50), st.sampled_from([0, 1, 2]))
def test_thresholds_of_a_group_are_calibrated_on_the_other_groups_rows_only(
    groups: list[int | None], held: int
) -> None:
    rows = calibration_rows(groups, held)
    assert rows == [i for i, g in enumerate(groups) if g not in (None, held)]
