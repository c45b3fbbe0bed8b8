"""End to end on the real PostgreSQL, through the installed `prefloop` console (lazy command registration,
settings from the environment, migrations): build, rebuild, erasure, coverage exit code, scheduler run-once."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from prefloop.curator.store import Store
from tests.cli import run_prefloop
from tests.unit.release_factories import add_pairs

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent.parent


def _prefloop(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_prefloop(*args, env=env, cwd=ROOT)


@pytest.mark.timeout(300)
def test_release_cycle_through_the_console(postgres_url: str, tmp_path: Path) -> None:
    store = Store(postgres_url)
    add_pairs(store, 10, month="2026-10")
    add_pairs(store, 10, month="2026-11", pairs_per_group=1, chosen="A later, different answer.")
    store.dispose()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PREFLOOP_")},
        "PREFLOOP_DATABASE_URL": postgres_url,
        "PREFLOOP_RELEASE_DIR": str(tmp_path / "releases"),
    }
    built = _prefloop(env, "release", "build", "--month", "2026-10", "--no-progress")
    assert built.returncode == 0, built.stderr
    assert "built prefloop-preferences-2026-10 (20 pairs" in built.stdout
    assert "release 2026-10" not in built.stderr  # --no-progress: no bar

    erased = _prefloop(env, "forget", "--user", "user-3", "--yes")
    assert erased.returncode == 0 and "3 pairs" in erased.stdout, erased.stderr

    once = _prefloop(env, "scheduler", "run-once", "--month", "2026-11")
    assert once.returncode == 0, once.stderr
    detail = json.loads(once.stdout)
    assert detail["built"] is True and detail["pairs"] == 9
    changelog = (tmp_path / "releases" / "2026-11" / "CHANGELOG.md").read_text()
    assert "since the previous release: 1, which removed 3 pairs" in changelog
    again = _prefloop(env, "scheduler", "run-once", "--month", "2026-11")
    assert json.loads(again.stdout)["status"] == "skipped"

    coverage = _prefloop(env, "coverage", "--month", "2026-11", "--json")
    assert coverage.returncode == 1  # the packaged taxonomy's categories are mostly empty here
    assert json.loads(coverage.stdout)["accepted"] == 9
