"""`prefloop.curator.coverage`: shares against targets, backlog, disagreement, text, Prometheus gauges, CLI exit code."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from prefloop.curator.coverage import compute_coverage, fill_registry, format_coverage_text, load_taxonomy
from prefloop.curator.store import Store
from tests.unit.release_factories import SmallTaxonomy, add_pairs, add_votes

TAX = SmallTaxonomy()


def test_shares_backlog_and_disagreement(store: Store) -> None:
    add_pairs(store, 8)  # tactics 50/50, hazards 50/50: all inside 20-60% / 30-70%
    add_pairs(store, 3, prefix="queued", status="review")
    ids = add_pairs(store, 2, prefix="voted", pairs_per_group=1, review={"outcome": "a", "agreement": 0.5})
    add_votes(store, ids[0], ["a", "b"])  # group 0: direct_request / privacy, not unanimous
    add_votes(store, ids[1], ["a", "a"])  # group 1: prompt_injection / privacy, unanimous
    cov = compute_coverage(store, taxonomy=TAX)
    assert cov.accepted == 18 and cov.backlog == 6 and cov.ok
    by = {(c.axis, c.name): c for c in cov.categories}
    assert by["tactic", "direct_request"].count == 9 and by["tactic", "direct_request"].share == 0.5
    assert by["tactic", "direct_request"].backlog == 4 and by["tactic", "prompt_injection"].backlog == 2
    assert by["tactic", "direct_request"].disagreement == 1.0
    assert by["tactic", "prompt_injection"].disagreement == 0.0
    assert by["hazard", "privacy"].disagreement == 0.5 and by["hazard", "violence"].disagreement is None


def test_month_filter_and_failing_categories(store: Store) -> None:
    add_pairs(store, 4, month="2026-10")
    add_pairs(
        store, 3, month="2026-11", tags={"tactic": "direct_request", "hazards": ["privacy"], "scores": {}}
    )
    nov = compute_coverage(store, month="2026-11", taxonomy=TAX)
    assert nov.accepted == 6 and not nov.ok
    statuses = {(c.axis, c.name): c.status for c in nov.categories}
    assert statuses == {
        ("tactic", "direct_request"): "high",
        ("tactic", "prompt_injection"): "empty",
        ("hazard", "privacy"): "high",
        ("hazard", "violence"): "empty",
    }
    text = format_coverage_text(nov)
    assert "2026-11" in text and "NONE prompt_injection" in text and "outside the target range" in text
    assert compute_coverage(store, month="2026-10", taxonomy=TAX).ok


def test_prometheus_gauges(store: Store) -> None:
    add_pairs(store, 4)
    registry = fill_registry(compute_coverage(store, taxonomy=TAX), CollectorRegistry())
    text = generate_latest(registry).decode()
    assert 'prefloop_coverage_share{axis="tactic",category="direct_request"} 0.5' in text
    assert 'prefloop_coverage_ok{axis="hazard",category="violence"} 1.0' in text
    assert "prefloop_accepted_pairs 8.0" in text


def test_packaged_taxonomy_loads() -> None:
    tax = load_taxonomy()
    names = [t.name for t in tax.tactics]
    assert "direct_request" in names and all(len(t.target_share) == 2 for t in tax.hazards)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_cli_exits_nonzero_when_outside_range(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from click.testing import CliRunner

    from prefloop.curator.cli.coverage import coverage
    from prefloop.curator.settings import Settings

    add_pairs(store, 3, tags={"tactic": "direct_request", "hazards": [], "scores": {}})
    settings = Settings.load({}, database_url=store.url)
    out = tmp_path / "cov.png"
    prom = tmp_path / "cov.prom"
    result = CliRunner().invoke(
        coverage, ["--json", "--plot", str(out), "--textfile", str(prom)], obj=settings
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["ok"] is False and data["accepted"] == 6
    assert out.read_bytes()[:4] == b"\x89PNG" and "prefloop_coverage_share" in prom.read_text()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_served_metrics_refresh_after_the_interval(store: Store) -> None:
    from prefloop.curator.cli.coverage import _Latest

    add_pairs(store, 2)
    registry = CollectorRegistry()
    latest = _Latest(store, None, interval=0.0)
    registry.register(latest)
    assert "prefloop_accepted_pairs 4.0" in generate_latest(registry).decode()
    add_pairs(store, 1, prefix="more")
    assert "prefloop_accepted_pairs 6.0" in generate_latest(registry).decode()
    latest.interval = 3600.0
    add_pairs(store, 1, prefix="later")
    assert "prefloop_accepted_pairs 6.0" in generate_latest(registry).decode()  # cached within the interval
