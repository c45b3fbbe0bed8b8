"""Out-of-source calibration, the capped threshold choice and the embedding disk cache (issue 15)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prefloop.curator.tagging.corpus import Example
from prefloop.curator.tagging.crossfit import BASE_SOURCE, calibration_groups, out_of_source_scores
from prefloop.curator.tagging.embeddings import cache_path, embed_cached
from prefloop.curator.tagging.encoder import WIDTH
from prefloop.curator.tagging.head import Head
from prefloop.curator.tagging.training import best_under_cap, calibrate


@given(
    st.lists(st.sampled_from(["a", "b", "c", "d", "e", BASE_SOURCE]), min_size=1, max_size=60),
    st.integers(min_value=2, max_value=5),
)
def test_a_public_source_lands_whole_in_one_group_and_authored_rows_by_fold(
    sources: list[str], groups: int
) -> None:
    folds = list(range(len(sources)))
    assigned = calibration_groups(sources, folds, groups)
    for name in set(sources) - {BASE_SOURCE}:
        assert len({int(g) for g, s in zip(assigned, sources, strict=True) if s == name}) == 1
    for g, s, f in zip(assigned, sources, folds, strict=True):
        assert 0 <= g < groups
        if s == BASE_SOURCE:
            assert g == f % groups


def test_out_of_source_scores_never_come_from_a_head_that_saw_the_row() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 8)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    groups = np.repeat(np.arange(3), 40)

    def fit(xs: np.ndarray, ys: np.ndarray) -> Head:
        return Head.fit(xs, ys, ["harmful"], seed=0, hidden=8, epochs=3)

    base = out_of_source_scores(x, y, groups, fit)
    flipped = y.copy()
    flipped[groups == 1] = 1.0 - flipped[groups == 1]  # change group 1's labels only
    again = out_of_source_scores(x, flipped, groups, fit)
    assert np.array_equal(base[groups == 1], again[groups == 1])  # group 1 is scored without its own labels
    assert not np.array_equal(base[groups == 0], again[groups == 0])  # the others learnt from them


def test_capped_choice_takes_the_best_score_under_the_cap() -> None:
    fprs = {0.3: 0.10, 0.5: 0.02, 0.7: 0.01}
    scores = {0.3: 0.9, 0.5: 0.8, 0.7: 0.6}
    assert best_under_cap(list(fprs), scores.__getitem__, fprs.__getitem__, 0.025) == (0.5, True)


def test_when_no_threshold_meets_the_cap_the_most_conservative_one_is_taken_and_said() -> None:
    fprs = {0.3: 0.30, 0.5: 0.20, 0.7: 0.08, 0.9: 0.08}
    scores = {0.3: 0.9, 0.5: 0.8, 0.7: 0.5, 0.9: 0.4}
    # lowest FPR first (0.7 and 0.9 tie), then the better score: not best-F1 (0.3)
    assert best_under_cap(list(fprs), scores.__getitem__, fprs.__getitem__, 0.025) == (
        0.7,
        False,
    )


def _held(
    benign_scores: Sequence[float], harmful_scores: Sequence[float]
) -> tuple[list[Example], list[dict[str, float]]]:
    held, cats = [], []
    zero = {"violence": 0.5, "prompt_injection": 0.0, "edge_case": 0.0}
    zero |= {"social_engineering": 0.0, "gradual_escalation": 0.0}
    for i, s in enumerate(harmful_scores):
        held.append(Example((f"harm {i}",), "direct_request", ("violence",), "t"))
        cats.append({**zero, "harmful": s})
    for i, s in enumerate(benign_scores):
        held.append(Example((f"benign {i}",), None, (), "t"))
        cats.append({**zero, "harmful": s})
    return held, cats


def test_calibration_reports_a_missed_cap_and_keeps_false_positives_lowest() -> None:
    # benign prompts spread up to 0.99: even at the top of the bounds (0.95) 2 of 21 are flagged (> 2.5 %)
    benign = [0.3 + 0.035 * i for i in range(20)] + [0.99]
    held, cats = _held(benign, [0.6 + 0.01 * i for i in range(20)])
    cal = calibrate(held, cats, [{} for _ in held], ["violence"])
    assert cal.cap_met is False
    assert cal.ordinary_fpr == round(2 / 21, 4)  # the lowest rate any threshold gives, not best-F1's
    assert cal.thresholds["harmful"] > 0.93


def test_calibration_meets_the_cap_when_it_can() -> None:
    held, cats = _held([0.1 + 0.01 * i for i in range(40)], [0.6 + 0.01 * i for i in range(20)])
    cal = calibrate(held, cats, [{} for _ in held], ["violence"])
    assert cal.cap_met is True
    assert cal.ordinary_fpr <= 0.025 and 0.5 <= cal.thresholds["harmful"] <= 0.6


def test_injection_and_harmful_thresholds_share_one_false_positive_budget() -> None:
    # ordinary prompts score high on injection (0.5-0.6) and low on harm; injections score 0.7 on injection: the
    # injection threshold must stay above the ordinary prompts', whatever harmful F1 a lower one would buy
    held, cats = _held([0.1] * 40, [0.8] * 20)
    for c, ex in zip(cats, held, strict=True):
        c["prompt_injection"] = 0.55 if ex.tactic is None else 0.0
    for i in range(10):
        held.append(Example((f"inject {i}",), "prompt_injection", (), "t"))
        cats.append({**cats[0], "harmful": 0.1, "prompt_injection": 0.7})
    cal = calibrate(held, cats, [{} for _ in held], ["violence"])
    assert cal.cap_met is True and cal.ordinary_fpr == 0.0
    assert 0.55 < cal.thresholds["prompt_injection"] <= 0.7


class _Counting:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        return np.stack([np.full(WIDTH, float(len(t)), dtype=np.float32) for t in texts])


def test_embeddings_are_computed_once_per_text_and_reused_for_any_subset(tmp_path: Path) -> None:
    encode = _Counting()
    first = embed_cached(["a", "bb", "a", "ccc"], tmp_path, encode=encode)
    assert sorted(encode.seen) == ["a", "bb", "ccc"]  # each distinct text once
    assert first.shape == (4, WIDTH) and first.dtype == np.float32 and first[2, 0] == 1.0
    again = embed_cached(["ccc", "a"], tmp_path, encode=encode)
    assert len(encode.seen) == 3 and again[0, 0] == 3.0  # a subset: read from disk, in the asked order
    embed_cached(["ccc", "dddd"], tmp_path, encode=encode)
    assert encode.seen[3:] == ["dddd"]  # only the new text


def test_a_damaged_cache_file_is_rebuilt_not_trusted(tmp_path: Path) -> None:
    cache_path(tmp_path).write_bytes(b"not an npz file")
    encode = _Counting()
    out = embed_cached(["hello"], tmp_path, encode=encode)
    assert encode.seen == ["hello"] and out[0, 0] == 5.0


@pytest.mark.parametrize("texts", [[], ["x"]])
def test_cache_shapes_for_empty_and_single_inputs(tmp_path: Path, texts: list[str]) -> None:
    assert embed_cached(texts, tmp_path, encode=_Counting()).shape == (len(texts), WIDTH)
