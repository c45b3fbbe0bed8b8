"""Shared fixtures: real services (Kafka, PostgreSQL) and a store on each backend.

The services are started by `make test` through `deploy/local/*`; a fixture also starts them itself (the
scripts are idempotent), so running one integration test by hand works the same way.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent

# Property-based tests drive real services (HTTP apps, Kafka, PostgreSQL): no per-example deadline (a broker
# round trip is not a slow example), and fixtures that outlive examples are the point, not a mistake.
settings.register_profile(
    "prefloop",
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("PREFLOOP_HYPOTHESIS_PROFILE", "prefloop"))


def _test_broker_port() -> str:
    bootstrap = os.environ.get("PREFLOOP_TEST_KAFKA")
    return bootstrap.rsplit(":", 1)[1] if bootstrap else os.environ.get("PREFLOOP_KAFKA_PORT", "19092")


def pytest_configure(config: pytest.Config) -> None:
    # kafka-python 3.0.12 (the newest) drops a socket without closing it when a client is closed while one of its
    # connections is still being made: the connect coroutine is closed at its await and nothing closes the socket
    # it created (kafka/net/inet.py). The garbage collector closes it later, and under "error" that warning
    # fails whichever test is running then. Only sockets to the test broker's port are let through; any other
    # unclosed socket still fails the run.
    port = _test_broker_port()
    config.addinivalue_line(
        "filterwarnings", rf"ignore:unclosed <socket\.socket .*raddr=\('[^']+', {port}\)>:ResourceWarning"
    )


def _deploy(service: str, *args: str) -> str:
    script = ROOT / "deploy" / "local" / service
    proc = subprocess.run([str(script), *args], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"deploy/local/{service} {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """host:port of the real local broker (started if it is not running)."""
    env = os.environ.get("PREFLOOP_TEST_KAFKA")
    if env:
        return env
    _deploy("kafka", "start")
    return f"127.0.0.1:{os.environ.get('PREFLOOP_KAFKA_PORT', '19092')}"


@pytest.fixture()
def kafka_topic(kafka_bootstrap: str) -> Iterator[str]:
    """A fresh topic with 3 partitions for one test, deleted afterwards."""
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic

    name = f"test-{uuid.uuid4().hex[:12]}"
    # no client stays open during the test: a test may stop the broker, and a client left reconnecting
    # meanwhile is not the test's subject (nor its log lines and sockets)
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="prefloop-tests")
    try:
        admin.create_topics([NewTopic(name, num_partitions=3, replication_factor=1)])
    finally:
        admin.close()
    try:
        yield name
    finally:
        admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="prefloop-tests")
        try:
            admin.delete_topics([name])
        finally:
            admin.close()


@pytest.fixture()
def dlq_topic(kafka_bootstrap: str, kafka_topic: str) -> Iterator[str]:
    """The dead-letter topic name for ``kafka_topic`` (the curator creates it), deleted afterwards."""
    from kafka import KafkaAdminClient

    name = f"{kafka_topic}.dlq"
    yield name
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="prefloop-tests")
    try:
        if name in admin.list_topics():
            admin.delete_topics([name])
    finally:
        admin.close()


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """SQLAlchemy URL of the real local PostgreSQL (started if it is not running)."""
    env = os.environ.get("PREFLOOP_TEST_POSTGRES_URL")
    if env:
        return env
    _deploy("postgres", "start")
    return _deploy("postgres", "url").strip()


@pytest.fixture(scope="session")
def postgres_template(postgres_admin_url: str) -> Iterator[str]:
    """A migrated template database; each test's database is a cheap copy of it."""
    from prefloop.curator.store import Store

    name = f"prefloop_tpl_{uuid.uuid4().hex[:8]}"
    _create_database(postgres_admin_url, name)
    url = _with_database(postgres_admin_url, name)
    store = Store(url)
    store.upgrade()
    store.dispose()
    yield name
    _drop_database(postgres_admin_url, name)


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _admin_exec(admin_url: str, sql: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(admin_url)
    with psycopg.connect(
        host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database, autocommit=True
    ) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _create_database(admin_url: str, name: str, template: str | None = None) -> None:
    _admin_exec(admin_url, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def _drop_database(admin_url: str, name: str) -> None:
    """Drop a throw-away database. FORCE ends our own sessions on it, but the test role may not end a
    server-side session of another role (an autovacuum worker still on it): wait for that one and retry; if
    it lingers, leave the database to the throw-away cluster rather than fail the test that used it."""
    import psycopg

    for attempt in range(10):
        try:
            _admin_exec(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse) as exc:
            if attempt == 9:
                print(f"left database {name} behind: {exc}", file=sys.stderr)
                return
            time.sleep(0.5)


@pytest.fixture()
def postgres_url(postgres_admin_url: str, postgres_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test."""
    name = f"prefloop_t_{uuid.uuid4().hex[:10]}"
    _create_database(postgres_admin_url, name, template=postgres_template)
    yield _with_database(postgres_admin_url, name)
    _drop_database(postgres_admin_url, name)


@pytest.fixture()
def sqlite_url(tmp_path: Path) -> str:
    """A fresh, migrated SQLite database file for one test."""
    from prefloop.curator.store import upgrade

    url = f"sqlite:///{tmp_path / 'prefloop.db'}"
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def store_url(request: pytest.FixtureRequest) -> str:
    """The same test on SQLite (embedded default) and on the real PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture()
def store(store_url: str) -> Iterator[object]:
    from prefloop.curator.store import Store

    s = Store(store_url)
    yield s
    s.dispose()
