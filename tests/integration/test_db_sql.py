"""`prefloop db upgrade --sql`: the statements a DBA applies give the same schema as `prefloop db upgrade`.

Both run against the real PostgreSQL: one empty database migrated by the command, one by psql-style execution
of the printed SQL; their catalogues (columns, indexes, constraints) must be identical.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli import run_prefloop
from tests.conftest import _create_database, _drop_database, _with_database

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

_CATALOGUE = {
    "columns": """SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '')
                  FROM information_schema.columns WHERE table_schema = 'public'""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "constraints": """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                      WHERE connamespace = 'public'::regnamespace""",
}


def _prefloop(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFLOOP_")}
    env |= {"PYTHONPATH": str(ROOT), "PREFLOOP_DATABASE_URL": url}
    return run_prefloop(*args, env=env, cwd=cwd)


def _psycopg(url: str):  # type: ignore[no-untyped-def]
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return psycopg.connect(
        host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database, autocommit=True
    )


def _catalogue(url: str) -> dict[str, list[tuple[object, ...]]]:
    with _psycopg(url) as conn:
        return {name: sorted(conn.execute(sql).fetchall()) for name, sql in _CATALOGUE.items()}  # type: ignore[arg-type]


@pytest.fixture()
def empty_databases(postgres_admin_url: str) -> Iterator[tuple[str, str]]:
    names = [f"prefloop_sql_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    for name in names:
        _create_database(postgres_admin_url, name)
    try:
        yield _with_database(postgres_admin_url, names[0]), _with_database(postgres_admin_url, names[1])
    finally:
        for name in names:
            _drop_database(postgres_admin_url, name)


def test_the_printed_sql_builds_the_same_schema_as_the_online_upgrade(
    empty_databases: tuple[str, str], tmp_path: Path
) -> None:
    online, offline = empty_databases
    migrated = _prefloop("db", "upgrade", url=online, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr

    printed = _prefloop("db", "upgrade", "--sql", url=offline, cwd=tmp_path)
    assert printed.returncode == 0 and printed.stderr == "", printed.stderr
    assert printed.stdout.lstrip().startswith("BEGIN;") and printed.stdout.rstrip().endswith("COMMIT;")
    assert _catalogue(offline)["columns"] == []  # printing contacted nothing
    with _psycopg(offline) as conn:
        conn.execute(printed.stdout)  # type: ignore[arg-type]

    assert _catalogue(offline) == _catalogue(online)
    state = _prefloop("db", "current", "--json", url=offline, cwd=tmp_path)
    assert state.returncode == 0 and json.loads(state.stdout)["ok"] is True


def test_sql_from_a_revision_prints_only_what_follows_it(tmp_path: Path) -> None:
    # no database at all: a SQLite URL still prints PostgreSQL statements, and --from limits them
    url = f"sqlite:///{tmp_path / 'unused.db'}"
    whole = _prefloop("db", "upgrade", "--sql", url=url, cwd=tmp_path)
    tail = _prefloop("db", "upgrade", "--sql", "--from", "0004_releases_pinned_eval", url=url, cwd=tmp_path)
    assert whole.returncode == tail.returncode == 0
    assert "CREATE TABLE alembic_version" in whole.stdout and "JSONB" in whole.stdout
    assert "CREATE TABLE alembic_version" not in tail.stdout
    assert "UPDATE alembic_version SET version_num='0005_merge_heads'" in tail.stdout
    assert not (tmp_path / "unused.db").exists()
    misuse = _prefloop("db", "upgrade", "--from", "0004_releases_pinned_eval", url=url, cwd=tmp_path)
    assert misuse.returncode == 2
