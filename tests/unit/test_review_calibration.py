"""Strength calibration measured from review outcomes: which resolved pairs count (below the bar, the audit sample;
not pairs that met the bar and went to review for another reason, not gold, not side-less outcomes), per band
with its interval, and the report in `prefloop agreement` (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest

from prefloop.curator.cli import main
from prefloop.curator.pipeline.review_outcomes import review_calibration
from prefloop.curator.store import Store
from prefloop.curator.store.models import ReviewPost
from tests.unit.release_factories import add_pairs

WEAK = ["weak_signal: strength 0.920 < 0.950"]


def _resolve(store: Store, ids: list[str], outcomes: list[str | None]) -> None:
    with store.session() as s:
        for pid, outcome in zip(ids, outcomes, strict=True):
            state = "posted" if outcome is None else "resolved"
            s.add(ReviewPost(pair_id=pid, a_is="chosen", rubric_version="r1", state=state, outcome=outcome))


def _seed(store: Store) -> None:
    weak = add_pairs(store, 25, 1, prefix="weak", status="review", strength=0.92, route_reasons=WEAK)
    _resolve(store, weak, ["chosen"] * 18 + ["rejected"] * 7)  # 72 % confirmed at 0.92
    audit = ["audit: drawn for the audit sample", "strong_signal: strength 0.990 >= 0.950"]
    audited = add_pairs(store, 3, 1, prefix="audit", status="review", strength=0.99, route_reasons=audit)
    _resolve(store, audited, ["chosen"] * 3)
    # met the bar, reviewed for a conflict: a selected few, left out
    conflict = ["conflict: 1 signal(s) favour the rejected side"]
    conflicted = add_pairs(store, 4, 1, prefix="conf", status="review", strength=0.99, route_reasons=conflict)
    _resolve(store, conflicted, ["rejected"] * 4)
    # below the bar but no side named, still open, or a gold item: left out
    other = add_pairs(store, 4, 1, prefix="other", status="review", strength=0.62, route_reasons=WEAK)
    _resolve(store, other, ["both_bad", "tie", None, "chosen"])
    gold = add_pairs(store, 1, 1, prefix="gold", status="gold", strength=0.62, route_reasons=WEAK)
    _resolve(store, gold, ["rejected"])


def test_calibration_counts_the_fair_sample_of_each_band(store: Store) -> None:
    with store.session() as s:
        assert review_calibration(s)["bands"] == []
    _seed(store)
    with store.session() as s:
        cal = review_calibration(s)
    low, mid, high = cal["bands"]
    assert (low["band"], low["pairs"], low["right"]) == ("0.60-0.70", 1, 1)
    assert (mid["band"], mid["pairs"], mid["right"], mid["mean_strength"]) == ("0.90-0.95", 25, 18, 0.92)
    assert mid["direction"] == "over-confident" and mid["calibrated"] is False
    assert mid["miss_beyond_noise"] is False  # 0.82 is inside 18 of 25's 95 % interval
    assert mid["interval"] == [pytest.approx(0.5242, abs=1e-3), pytest.approx(0.8572, abs=1e-3)]
    assert (high["band"], high["pairs"], high["right"], high["calibrated"]) == ("0.95-1.00", 3, 3, None)
    assert (cal["judged_bands"], cal["calibrated_bands"], cal["over_confident_bands"]) == (1, 0, 1)


def test_agreement_reports_the_calibration(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PREFLOOP_DATABASE_URL", sqlite_url)
    store = Store(sqlite_url)
    _seed(store)
    store.dispose()
    assert main(["agreement", "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [(b["band"], b["pairs"], b["right"]) for b in report["calibration"]["bands"]] == [
        ("0.60-0.70", 1, 1),
        ("0.90-0.95", 25, 18),
        ("0.95-1.00", 3, 3),
    ]
    assert main(["agreement"]) == 0
    text = capsys.readouterr().out
    assert (
        "0.90-0.95: 18 of 25 confirmed (72%, 95% interval 52%-86%) at strength 0.92 - over-confident" in text
    )
    assert (
        "0.95-1.00: 3 of 3 confirmed (100%, 95% interval 44%-100%) at strength 0.99 - too few to judge"
        in text
    )
