"""The alert rules and the Grafana dashboard in deploy/monitoring: valid for Prometheus (promtool), and every
metric they query is one the code really exports (read from the real registries, not from a list)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry

from prefloop.capture.metrics import CaptureMetrics
from prefloop.curator.coverage import compute_coverage, fill_registry
from prefloop.curator.metrics import CuratorMetrics
from prefloop.curator.store import Store
from prefloop.slackbot.ops import render_metrics

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
RULES = MONITORING / "alerts.yaml"
DASHBOARD = MONITORING / "grafana-dashboard.json"
NAME = re.compile(r"\bprefloop_[a-z0-9_]+")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "summary": ("_count", "_sum")}


def _series(registry: Any) -> Iterator[str]:
    for family in registry.collect():
        yield from (family.name + s for s in SUFFIXES.get(family.type, ("",)))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every series name prefloop exports: curator, capture, the bot's outbox, the coverage gauges."""
    names = set(_series(CuratorMetrics().registry)) | set(_series(CaptureMetrics().registry))
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('metrics') / 'm.db'}")
    store.upgrade()
    try:
        names |= set(_series(fill_registry(compute_coverage(store), CollectorRegistry())))
        names |= {
            line.split()[2]
            for line in render_metrics(store).decode().splitlines()
            if line.startswith("# TYPE")
        }
    finally:
        store.dispose()
    return names


def _rules() -> list[dict[str, Any]]:
    return [r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]


def test_promtool_accepts_the_rules() -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: make system-deps installs it (Debian package prometheus)"
    done = subprocess.run(
        [promtool, "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(_rules())} rules found" in done.stdout


def test_every_metric_the_rules_query_is_exported(exported: set[str]) -> None:
    assert {
        "prefloop_curator_consumer_lag",
        "prefloop_slack_outbox_messages",
        "prefloop_coverage_ok",
    } <= exported
    for rule in _rules():
        used = set(NAME.findall(rule["expr"]))
        assert used, rule["alert"]
        assert used <= exported, f"{rule['alert']} queries {sorted(used - exported)}, which nothing exports"


def test_the_rules_cover_what_the_guide_says_to_alert_on() -> None:
    exprs = " ".join(r["expr"] for r in _rules())
    for metric in (
        "prefloop_curator_consumer_lag",  # consumer lag
        "prefloop_capture_spool_pending_bytes",  # spool backlog
        "prefloop_curator_events_dead_lettered_total",  # dead letters
        'prefloop_slack_outbox_messages{status="failed"}',  # failed Slack messages
        "prefloop_coverage_ok",  # coverage out of range
    ):
        assert metric in exprs, metric
    guide = (ROOT / "docs" / "operations.md").read_text()
    for rule in _rules():
        assert rule["alert"] in guide, f"docs/operations.md does not explain {rule['alert']}"
        assert rule["annotations"]["summary"] and rule["labels"]["severity"] in (
            "critical",
            "warning",
            "info",
        )


def test_the_dashboard_queries_only_exported_metrics(exported: set[str]) -> None:
    dash = json.loads(DASHBOARD.read_text())
    panels = dash["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    cells = set()
    for p in panels:
        g = p["gridPos"]
        here = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
        assert not cells & here, f"panel {p['title']!r} overlaps another"
        cells |= here
        for target in p["targets"]:
            used = set(NAME.findall(target["expr"]))
            assert used and used <= exported, f"{p['title']}: {sorted(used - exported)}"
            assert target["datasource"]["uid"] == "${datasource}"
    assert [v["name"] for v in dash["templating"]["list"]] == ["datasource"]
