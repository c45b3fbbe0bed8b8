"""`prefloop release build|pin-eval`, `forget`, `scheduler run-once` through click (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from prefloop.curator.cli.releases import forget, release, scheduler
from prefloop.curator.settings import Settings
from prefloop.curator.store import Store
from tests.unit.release_factories import add_pairs


def _settings(store: Store, tmp_path: Path) -> Settings:
    return Settings.load({}, database_url=store.url, release_dir=str(tmp_path / "releases"))


def test_build_forget_rebuild(store: Store, tmp_path: Path) -> None:
    add_pairs(store, 8)
    settings = _settings(store, tmp_path)
    runner = CliRunner()
    built = runner.invoke(release, ["build", "--month", "2026-10", "--no-progress"], obj=settings)
    assert built.exit_code == 0, built.output
    assert "built prefloop-preferences-2026-10 (16 pairs" in built.output
    assert "too few for DPO" in built.output  # the warning (stderr is mixed in by CliRunner)
    erased = runner.invoke(forget, ["--user", "user-1", "--yes"], obj=settings)
    assert erased.exit_code == 0 and "2 pairs" in erased.output
    again = runner.invoke(release, ["build", "--month", "2026-10", "--no-progress"], obj=settings)
    assert again.exit_code == 0 and "2026-10-r2 (14 pairs" in again.output
    manifest = json.loads((tmp_path / "releases" / "2026-10-r2" / "manifest.json").read_text())
    assert manifest["previous"] == "prefloop-preferences-2026-10"


def test_gate_failure_exits_nonzero_with_report_and_override_is_recorded(
    store: Store, tmp_path: Path
) -> None:
    add_pairs(store, 3, checks=["chosen_too_short"])
    settings = _settings(store, tmp_path)
    runner = CliRunner()
    failed = runner.invoke(release, ["build", "--month", "2026-10", "--no-progress"], obj=settings)
    assert failed.exit_code != 0
    assert '"auto_accepted_with_checks"' in failed.output and not (tmp_path / "releases" / "2026-10").exists()
    ok = runner.invoke(
        release, ["build", "--month", "2026-10", "--no-progress", "--override", "checks"], obj=settings
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads((tmp_path / "releases" / "2026-10" / "manifest.json").read_text())["overrides"] == [
        "checks"
    ]


def test_scheduler_run_once_is_idempotent(store: Store, tmp_path: Path) -> None:
    add_pairs(store, 4, month="2026-09")
    settings = _settings(store, tmp_path)
    runner = CliRunner()
    first = runner.invoke(scheduler, ["run-once", "--month", "2026-09"], obj=settings)
    assert first.exit_code == 0 and json.loads(first.output)["built"] is True
    second = runner.invoke(scheduler, ["run-once", "--month", "2026-09"], obj=settings)
    assert json.loads(second.output)["status"] == "skipped"
    pinned = runner.invoke(release, ["pin-eval", "--month", "2026-09"], obj=settings)
    assert pinned.exit_code == 0 and "into the frozen evaluation set" in pinned.output
