"""The command line's one error path: each failure is one line saying what to set or run, and a distinct exit
code (0 ok, 1 check failed, 2 usage or configuration, 3 dependency unreachable); a traceback only with --debug.

Run as a user runs it: the real console entry point in a subprocess. "Down" is a closed port on 127.0.0.1
(nothing listens there), never a shared service stopped; an unwritable SQLite path is one under a regular file,
which even root cannot create.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from prefloop.curator.store import upgrade

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-never-shown-7731"


def _heads() -> list[str]:
    """The migration head(s) this code expects."""
    from prefloop.curator.store import Store

    return sorted(Store("sqlite://").expected_heads())


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prefloop(
    *args: str, env: dict[str, str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prefloop.curator.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a failure prints on stderr (and nothing that looks like a traceback)."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and PASSWORD not in result.stderr + result.stdout
    assert lines[0].startswith("prefloop: ")
    return lines[0]


@pytest.fixture()
def env(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PREFLOOP_")}
    base["PYTHONPATH"] = str(ROOT)
    base["PREFLOOP_DATABASE_URL"] = f"sqlite:///{tmp_path}/cli.db"
    return base


@pytest.fixture()
def db_down(env: dict[str, str]) -> dict[str, str]:
    env["PREFLOOP_DATABASE_URL"] = f"postgres://prefloop:{PASSWORD}@127.0.0.1:{closed_port()}/prefloop"
    return env


@pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "current"], ["db", "current", "--json"]])
def test_database_commands_with_the_database_down_exit_3_with_one_line(
    command: list[str], db_down: dict[str, str], tmp_path: Path
) -> None:
    result = prefloop(*command, env=db_down, cwd=tmp_path)
    line = one_line(result)
    assert result.returncode == 3
    assert "did not answer" in line and "fix PREFLOOP_DATABASE_URL" in line
    assert (
        "postgresql+psycopg://prefloop:***@127.0.0.1" in line
    )  # postgres:// read as psycopg, password masked
    assert result.stdout == ""


def test_coverage_tells_database_down_from_out_of_range(db_down: dict[str, str], tmp_path: Path) -> None:
    down = prefloop("coverage", env=db_down, cwd=tmp_path)
    assert down.returncode == 3 and "did not answer" in one_line(down)
    db_down["PREFLOOP_DATABASE_URL"] = f"sqlite:///{tmp_path}/empty.db"
    upgrade(db_down["PREFLOOP_DATABASE_URL"])
    out_of_range = prefloop("coverage", "--json", env=db_down, cwd=tmp_path)
    assert out_of_range.returncode == 1
    assert json.loads(out_of_range.stdout)["ok"] is False


def test_curator_run_with_kafka_down_exits_3_before_loading_models(
    env: dict[str, str], tmp_path: Path
) -> None:
    upgrade(env["PREFLOOP_DATABASE_URL"])
    env["PREFLOOP_KAFKA_BOOTSTRAP"] = f"127.0.0.1:{closed_port()}"
    result = prefloop("curator", "run", "--once", env=env, cwd=tmp_path, timeout=60)
    line = one_line(result)
    assert result.returncode == 3
    assert env["PREFLOOP_KAFKA_BOOTSTRAP"] in line and "PREFLOOP_KAFKA_BOOTSTRAP" in line


def test_doctor_with_an_unwritable_sqlite_path_reports_a_failed_check(
    env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    env["PREFLOOP_DATABASE_URL"] = f"sqlite:///{tmp_path}/a-file/prefloop.db"
    result = prefloop("doctor", "--json", env=env, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    database = next(c for c in report["checks"] if c["part"] == "database")
    assert report["ok"] is False and database["ok"] is False
    assert "cannot be opened or created" in database["detail"] and "writable folder" in database["detail"]
    # the same path for a command that needs the store is a configuration error
    upgraded = prefloop("db", "upgrade", env=env, cwd=tmp_path)
    assert upgraded.returncode == 2 and "PREFLOOP_DATABASE_URL" in one_line(upgraded)


def test_debug_shows_the_traceback(db_down: dict[str, str], tmp_path: Path) -> None:
    result = prefloop("--debug", "db", "current", env=db_down, cwd=tmp_path)
    assert result.returncode == 3
    assert "Traceback" in result.stderr and "DatabaseUnreachableError" in result.stderr
    assert PASSWORD not in result.stderr


def test_an_invalid_database_url_is_never_echoed_with_its_password(
    env: dict[str, str], tmp_path: Path
) -> None:
    env["PREFLOOP_DATABASE_URL"] = f"mysql://prefloop:{PASSWORD}@db/prefloop"
    result = prefloop("db", "current", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "PREFLOOP_DATABASE_URL='mysql://prefloop:***@db/prefloop' is invalid" in one_line(result)


def test_an_unknown_setting_suggests_the_closest_name(env: dict[str, str], tmp_path: Path) -> None:
    env["PREFLOOP_SLACK_SIGNING_SECRT"] = PASSWORD
    result = prefloop("doctor", env=env, cwd=tmp_path)
    assert result.returncode == 2
    line = one_line(result)
    assert (
        "unknown setting PREFLOOP_SLACK_SIGNING_SECRT" in line
        and "did you mean PREFLOOP_SLACK_SIGNING_SECRET?" in line
    )
    assert "PREFLOOP_RELEASE_SEED" not in line  # no list of every name


def test_usage_errors_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    assert prefloop("no-such-command", env=env, cwd=tmp_path).returncode == 2
    assert prefloop("db", "current", "--bogus", env=env, cwd=tmp_path).returncode == 2


def test_settings_come_from_dotenv_and_FILE_variables_and_show_masked(
    env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        f"PREFLOOP_DATABASE_URL=postgres://u:{PASSWORD}@db:5432/prefloop\n", encoding="utf-8"
    )
    (tmp_path / "token").write_text(f"xoxb-{PASSWORD}\n", encoding="utf-8")
    del env["PREFLOOP_DATABASE_URL"]
    env["PREFLOOP_SLACK_BOT_TOKEN_FILE"] = str(tmp_path / "token")
    result = prefloop("settings", "--json", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["PREFLOOP_DATABASE_URL"] == "postgresql+psycopg://u:***@db:5432/prefloop"
    assert shown["PREFLOOP_SLACK_BOT_TOKEN"] == "**********"
    assert PASSWORD not in result.stdout


def test_alembic_is_quiet_unless_debug(env: dict[str, str], tmp_path: Path) -> None:
    quiet = prefloop("db", "upgrade", env=env, cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert quiet.stdout.strip().endswith(f"empty -> {_heads()}")
    env["PREFLOOP_DATABASE_URL"] = f"sqlite:///{tmp_path}/other.db"
    loud = prefloop("--debug", "db", "upgrade", env=env, cwd=tmp_path)
    assert "Running upgrade" in loud.stderr


def test_forget_of_an_unknown_user_says_so_and_fails(env: dict[str, str], tmp_path: Path) -> None:
    upgrade(env["PREFLOOP_DATABASE_URL"])
    result = prefloop("forget", "--user", "nobody-here", "--yes", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "holds no rows of user 'nobody-here'" in one_line(result)


def test_json_output_of_db_current_and_scheduler_status(env: dict[str, str], tmp_path: Path) -> None:
    before = prefloop("db", "current", "--json", env=env, cwd=tmp_path)
    assert before.returncode == 1
    assert json.loads(before.stdout) == {"current": [], "expected": _heads(), "ok": False}
    upgrade(env["PREFLOOP_DATABASE_URL"])
    status = prefloop("scheduler", "status", "--json", env=env, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout) == {"next_run": None, "runs": []}


def test_a_commands_help_shows_even_while_a_setting_is_wrong(env: dict[str, str], tmp_path: Path) -> None:
    env["PREFLOOP_DATABSE_URL"] = "x"
    result = prefloop("doctor", "--help", env=env, cwd=tmp_path)
    assert result.returncode == 0 and "Usage: prefloop doctor" in result.stdout
    assert prefloop("doctor", env=env, cwd=tmp_path).returncode == 2


@pytest.mark.parametrize(
    ("args", "debug"),
    [
        (["--debug", "db", "current"], True),
        (["--env-file", "x.env", "--debug", "doctor"], True),
        (["--env-file", "--debug", "doctor"], False),  # "--debug" is the file's name there
        (["ingest", "--debug"], False),  # an argument of the command, not the group's flag
    ],
)
def test_debug_is_read_among_the_groups_own_options(args: list[str], debug: bool) -> None:
    from prefloop.curator.cli import _debug_requested

    assert _debug_requested(args) is debug


def test_a_full_disk_is_one_line_saying_so(env: dict[str, str], tmp_path: Path) -> None:
    """/dev/full answers every write with ENOSPC, as a full disk does: one line naming it, exit 1, no traceback."""
    assert prefloop("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    result = prefloop("coverage", "--plot", "/dev/full", env=env, cwd=tmp_path)
    line = one_line(result)
    assert result.returncode == 1
    assert "no space left on the device" in line and "write elsewhere" in line
    assert "unexpected" not in line
