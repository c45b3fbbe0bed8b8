"""Label scores from the nearest labelled sentence vectors (issue 15, session 11)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from prefloop.curator.tagging.neighbours import knn_scores, unit_rows

finite = st.floats(min_value=-10, max_value=10, allow_nan=False, width=32)
#: zero, or far enough from it that a row's length is a normal float32
coordinate = st.one_of(st.just(0.0), st.floats(0.125, 10, width=32), st.floats(-10, -0.125, width=32))


def test_a_query_equal_to_a_bank_row_with_one_neighbour_gets_that_rows_targets() -> None:
    bank = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    targets = np.array([[1, 0], [0, 1], [1, 1]])
    got = knn_scores(bank * 3.0, bank, targets, k=1)
    np.testing.assert_array_equal(got, targets.astype(np.float32))


def test_the_nearer_neighbour_weighs_more_and_a_cold_softmax_follows_it_alone() -> None:
    bank = np.array([[1.0, 0.0], [0.6, 0.8]])  # cosines with the query: 0.98 and 0.75
    targets = np.array([[1], [0]])
    query = np.array([[0.98, 0.199]])
    warm = knn_scores(query, bank, targets, k=2, temperature=10.0)[0, 0]
    cold = knn_scores(query, bank, targets, k=2, temperature=0.01)[0, 0]
    assert 0.5 < warm < 0.52  # nearly an even vote, but the nearer (positive) row weighs a little more
    assert cold == pytest.approx(1.0, abs=1e-6)


def test_a_hard_negative_beside_the_query_pulls_its_score_down() -> None:
    # "answer only in JSON from now on" sits next to a harmless frame, not next to the injections
    injections = np.array([[0.0, 1.0, 0.1], [0.1, 1.0, 0.0], [0.0, 0.9, 0.2]])
    query = np.array([[1.0, 0.3, 0.0]])
    without = knn_scores(query, injections, np.ones((3, 1)), k=3)
    with_negative = knn_scores(
        query, np.vstack([injections, [[1.0, 0.25, 0.0]]]), np.array([[1], [1], [1], [0]]), k=3
    )
    assert without[0, 0] == pytest.approx(1.0)
    assert with_negative[0, 0] < 0.05


def test_k_beyond_the_bank_reads_the_whole_bank_and_empty_inputs_give_empty_or_zero_scores() -> None:
    bank = np.eye(2)
    targets = np.array([[1, 0], [0, 0]])
    assert knn_scores(np.ones((1, 2)), bank, targets, k=50).shape == (1, 2)
    assert knn_scores(np.zeros((0, 2)), bank, targets).shape == (0, 2)
    np.testing.assert_array_equal(
        knn_scores(np.ones((2, 2)), np.zeros((0, 2)), np.zeros((0, 2))), np.zeros((2, 2))
    )


def test_bad_arguments_are_refused() -> None:
    bank, targets = np.eye(2), np.eye(2)
    with pytest.raises(ValueError, match="k must"):
        knn_scores(bank, bank, targets, k=0)
    with pytest.raises(ValueError, match="temperature"):
        knn_scores(bank, bank, targets, temperature=0.0)
    with pytest.raises(ValueError, match="one row per bank row"):
        knn_scores(bank, bank, targets[:1])


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float32, st.tuples(st.integers(1, 12), st.just(4)), elements=finite),
    arrays(np.float32, st.tuples(st.integers(1, 30), st.just(4)), elements=finite),
    st.integers(1, 40),
    st.floats(min_value=0.001, max_value=5.0),
    st.data(),
)
def test_scores_are_shares_in_the_unit_interval_and_ignore_vector_length(
    queries: np.ndarray, bank: np.ndarray, k: int, temperature: float, data: st.DataObject
) -> None:
    targets = data.draw(arrays(np.int8, (len(bank), 3), elements=st.integers(0, 1)))
    got = knn_scores(queries, bank, targets, k, temperature)
    assert got.shape == (len(queries), 3)
    assert np.all((got >= 0.0) & (got <= 1.0))
    # a label every bank row carries scores 1, one no row carries scores 0
    ones = knn_scores(queries, bank, np.ones((len(bank), 1)), k, temperature)
    np.testing.assert_allclose(ones, 1.0, atol=1e-5)
    # scaling a query or the bank by a positive factor changes nothing (cosine similarity)
    np.testing.assert_allclose(knn_scores(queries * 7.0, bank * 0.5, targets, k, temperature), got, atol=1e-5)


@given(arrays(np.float32, st.tuples(st.integers(0, 6), st.integers(1, 5)), elements=coordinate))
def test_unit_rows_have_length_one_or_stay_zero(x: np.ndarray) -> None:
    norms = np.linalg.norm(unit_rows(x), axis=1)
    for row, after in zip(x, norms, strict=True):
        assert after == pytest.approx(1.0 if row.any() else 0.0, abs=1e-5)


def test_a_query_too_short_to_have_a_direction_scores_as_a_zero_vector_at_any_scale() -> None:
    # found by the property above on Python 3.13: a subnormal length squares to zero, so the row kept its tiny
    # values unscaled and its ranking changed with its scale
    bank = np.array([[-1, -1, -1, -1], [-1, -1, 0, -1], [-1, -1, -1, -1]], dtype=np.float32)
    targets = np.array([[1], [0], [1]])
    tiny = np.array([[0.0, 0.0, -1e-45, 0.0]], dtype=np.float32)
    np.testing.assert_array_equal(unit_rows(tiny), np.zeros((1, 4), dtype=np.float32))
    np.testing.assert_allclose(
        knn_scores(tiny * 7.0, bank, targets, k=2), knn_scores(np.zeros((1, 4)), bank, targets, k=2)
    )
    np.testing.assert_allclose(
        knn_scores(tiny, bank, targets, k=2), knn_scores(np.zeros((1, 4)), bank, targets, k=2)
    )
