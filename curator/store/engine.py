"""Engines, sessions and migrations for the store (SQLite embedded default, PostgreSQL in production)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pydantic import SecretStr
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from prefloop.curator import messages as msg
from prefloop.curator.database_url import redact_url
from prefloop.schemas.errors import ConfigError, DatabaseUnreachableError, PrefloopError, StoreError

__all__ = [
    "MIGRATIONS_DIR",
    "PING_AFTER_IDLE_SECONDS",
    "POOL_CONNECTIONS",
    "Store",
    "alembic_config",
    "connected",
    "connection_error",
    "make_engine",
    "plain_url",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

#: A pooled PostgreSQL connection that sat in the pool longer than this is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 1.0
#: PostgreSQL connections an engine's pool opens at most, all of them kept once opened (no overflow).
POOL_CONNECTIONS = 15


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def plain_url(url: str | SecretStr) -> str:
    """The URL to connect with, whether given as text or as the settings' secret."""
    return url.get_secret_value() if isinstance(url, SecretStr) else url


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection on checkout only when it sat in the pool more than ``idle_seconds``; a failed
    ping makes the pool replace it (and try again), as ``pool_pre_ping`` does.

    A connection handed back and out again within the window was just used: pinging it would add a round trip
    to every transaction (one of ~10 of a Slack vote's, each a wait to get the interpreter lock back), for a
    server restart that a connection idle that briefly rarely misses (and the restart's disconnect error
    invalidates the whole pool anyway)."""

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since <= idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(f"ping failed: {type(exc).__name__}") from exc
        if not alive:
            raise DisconnectionError("ping failed")

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


def make_engine(url: str | SecretStr, **kwargs: Any) -> Engine:
    """An engine for ``url``. A SQLite file's folder is created; a PostgreSQL connection that was idle in the
    pool more than :data:`PING_AFTER_IDLE_SECONDS` is pinged before use, so a restarted server is reconnected
    to instead of failing the next transaction (``pool_pre_ping=True`` pings before every use instead)."""
    url = plain_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            try:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise _sqlite_unusable(parsed.database, exc.strerror or str(exc)) from exc
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Was pool_size 5 + max_overflow 10: the same 15 at most, but a connection past the fifth was closed when
    # handed back, so under a burst (a Slack vote's transactions, 9 open at once) about one click in nine paid
    # for a new server process and its handshake. Now they stay; the most recently used is handed out first,
    # so the others idle (and are pinged) when the load drops.
    kwargs.setdefault("pool_size", POOL_CONNECTIONS)
    kwargs.setdefault("max_overflow", 0)
    kwargs.setdefault("pool_use_lifo", True)
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine, PING_AFTER_IDLE_SECONDS)
    return engine


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _sqlite_unusable(path: str, reason: str) -> ConfigError:
    return ConfigError(msg.SQLITE_UNUSABLE.format(path=path, reason=reason), name="PREFLOOP_DATABASE_URL")


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def connection_error(exc: SQLAlchemyError, url: str) -> PrefloopError:
    """What a failure to connect to ``url`` means for the user: a SQLite file that cannot be opened is a
    configuration error; any other server that does not answer is unreachable."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_unusable(parsed.database or ":memory:", _first_line(exc))
    shown = redact_url(url)
    return DatabaseUnreachableError(
        msg.DB_UNREACHABLE.format(url=shown, reason=_first_line(exc)), address=shown
    )


@contextmanager
def connected(engine: Engine, url: str) -> Iterator[Connection]:
    """A connection from ``engine``; failing to get one raises :func:`connection_error`'s error."""
    try:
        conn = engine.connect()
    except SQLAlchemyError as exc:
        raise connection_error(exc, url) from exc
    with conn:
        yield conn


def upgrade(url: str, revision: str = "head", *, sql: bool = False) -> None:
    """Migrate the database at ``url`` to ``revision`` (default: the head). ``sql``: print the statements
    instead (alembic's offline mode: no connection; ``revision`` may be ``from:to``)."""
    if not sql:
        engine = make_engine(url)
        try:
            with connected(engine, url):
                pass
        finally:
            engine.dispose()
    try:
        command.upgrade(alembic_config(url), revision, sql=sql)
    except SQLAlchemyError as exc:
        raise StoreError(
            msg.DB_MIGRATION_FAILED.format(url=redact_url(url), reason=_first_line(exc))
        ) from exc


class Store:
    """The engine plus a session factory. One per process, passed to whatever needs the database."""

    def __init__(self, url: str | SecretStr, **engine_kwargs: Any) -> None:
        self.url = plain_url(url)
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on error."""
        with self.sessions.begin() as session:
            yield session

    def upgrade(self) -> None:
        upgrade(self.url)

    def current_heads(self) -> set[str]:
        with connected(self.engine, self.url) as conn:
            return set(MigrationContext.configure(conn).get_current_heads())

    def expected_heads(self) -> set[str]:
        return set(ScriptDirectory.from_config(alembic_config(self.url)).get_heads())

    def is_current(self) -> bool:
        return self.current_heads() == self.expected_heads()

    def require_current(self) -> None:
        """Raise unless the database is reachable (:class:`DatabaseUnreachableError`, or :class:`ConfigError`
        for a SQLite file that cannot be opened) and fully migrated (:class:`StoreError`)."""
        current = self.current_heads()
        expected = self.expected_heads()
        if current != expected:
            raise StoreError(
                msg.DB_NOT_MIGRATED.format(current=sorted(current) or "nothing", expected=sorted(expected))
            )

    def dispose(self) -> None:
        self.engine.dispose()
