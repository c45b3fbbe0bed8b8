"""`prefloop db upgrade` and `prefloop doctor` through the real console entry point."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli import run_prefloop


def _prefloop(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_prefloop(*args, env=env, cwd=cwd)


@pytest.fixture()
def base_env(tmp_path: Path) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFLOOP_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    env["PREFLOOP_DATABASE_URL"] = f"sqlite:///{tmp_path}/cli.db"
    return env


def test_db_upgrade_migrates_an_empty_sqlite_and_doctor_reports_each_part(
    base_env: dict[str, str], tmp_path: Path
) -> None:
    before = _prefloop("doctor", env=base_env, cwd=tmp_path)
    assert before.returncode == 1
    assert "FAIL  database" in before.stdout and "prefloop db upgrade" in before.stdout

    up = _prefloop("db", "upgrade", env=base_env, cwd=tmp_path)
    assert up.returncode == 0, up.stderr
    assert ": empty -> [" in up.stdout

    after = _prefloop("doctor", env=base_env, cwd=tmp_path)
    lines = after.stdout.splitlines()
    assert after.returncode == 0, after.stdout
    assert [line.split()[1] for line in lines] == ["database", "kafka", "spacy", "tagger"]
    assert all(line.startswith("ok") for line in lines)
    assert "encoder all-MiniLM-L6-v2-onnx-int8" in lines[3]


def test_doctor_says_when_kafka_is_unreachable(base_env: dict[str, str], tmp_path: Path) -> None:
    base_env["PREFLOOP_KAFKA_BOOTSTRAP"] = "127.0.0.1:1"  # nothing listens on port 1
    result = _prefloop("doctor", env=base_env, cwd=tmp_path)
    assert result.returncode == 1
    kafka_line = next(line for line in result.stdout.splitlines() if line.split()[1] == "kafka")
    assert (
        kafka_line.startswith("FAIL")
        and "127.0.0.1:1" in kafka_line
        and "deploy/local/kafka start" in kafka_line
    )


def test_unknown_setting_fails_at_start_with_its_name(base_env: dict[str, str], tmp_path: Path) -> None:
    base_env["PREFLOOP_KAKFA_BOOTSTRAP"] = "x"
    result = _prefloop("doctor", env=base_env, cwd=tmp_path)
    assert result.returncode == 2
    assert "PREFLOOP_KAKFA_BOOTSTRAP" in result.stderr
    assert "Traceback" not in result.stderr


def test_doctor_reports_a_missing_spacy_model(base_env: dict[str, str], tmp_path: Path) -> None:
    base_env["PREFLOOP_SPACY_MODEL"] = "no_such_model_pkg"
    result = _prefloop("doctor", env=base_env, cwd=tmp_path)
    line = next(line for line in result.stdout.splitlines() if line.split()[1] == "spacy")
    assert line.startswith("FAIL") and "no_such_model_pkg" in line and "pip install" in line


def test_doctor_reports_a_tagger_model_folder_without_a_model(
    base_env: dict[str, str], tmp_path: Path
) -> None:
    base_env["PREFLOOP_TAGGER_MODEL"] = str(tmp_path / "no-model")
    result = _prefloop("doctor", env=base_env, cwd=tmp_path)
    line = next(line for line in result.stdout.splitlines() if line.split()[1] == "tagger")
    assert result.returncode == 1 and line.startswith("FAIL") and "prefloop tagger train" in line
