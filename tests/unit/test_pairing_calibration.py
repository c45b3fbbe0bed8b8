"""The calibration verdict of benchmarks.pairing_quality / pairing_suite: the strict per-band verdict, the
band's 95 % interval and whether a miss is beyond sampling noise, and bands pooled over runs."""

from __future__ import annotations

import pytest

from benchmarks.pairing_calibration import band_summary, calibration, pooled


def test_a_small_band_can_miss_within_noise_and_the_strict_verdict_still_says_miss() -> None:
    # 14 of 20 right at strength 0.55: 0.15 apart (a miss), but 0.65 is inside the 95 % interval of 14/20
    row = band_summary("0.50-0.60", 20, 14, 0.55 * 20)
    assert row["calibrated"] is False and row["direction"] == "under-confident"
    assert row["miss_beyond_noise"] is False
    assert row["interval"][0] < 0.65 < row["interval"][1]


def test_a_large_band_far_off_is_a_miss_beyond_noise() -> None:
    row = band_summary("0.90-0.95", 200, 140, 0.92 * 200)  # 0.70 right at 0.92
    assert row["calibrated"] is False and row["miss_beyond_noise"] is True
    assert row["direction"] == "over-confident"


def test_bands_under_twenty_pairs_are_reported_not_judged() -> None:
    row = band_summary("0.60-0.70", 19, 2, 0.65 * 19)
    assert row["calibrated"] is None and row["miss_beyond_noise"] is None


def test_pooling_adds_the_runs_bands_and_judges_them_again() -> None:
    run_a = calibration([(0.55, True)] * 15 + [(0.55, False)] * 5 + [(0.92, True)] * 30)
    run_b = calibration([(0.56, True)] * 9 + [(0.56, False)] * 11 + [(0.92, False)] * 2)
    assert [b["calibrated"] for b in run_a["bands"]] == [False, True]
    both = pooled([run_a, run_b])
    low, high = both["bands"]
    assert (low["pairs"], low["right"]) == (40, 24) and low["mean_strength"] == pytest.approx(0.555)
    assert low["calibrated"] is True  # 0.60 right at 0.555: the first run's miss was one half's luck
    assert (high["pairs"], high["right"]) == (32, 30) and both["judged_bands"] == 2
