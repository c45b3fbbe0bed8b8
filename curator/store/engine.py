"""Engines, sessions and migrations for the store (SQLite embedded default, PostgreSQL in production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from prefloop.schemas.errors import StoreError

__all__ = ["MIGRATIONS_DIR", "Store", "alembic_config", "make_engine", "upgrade"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``. A SQLite file's folder is created; PostgreSQL connections are pre-pinged so a
    restarted server is reconnected to instead of failing the next transaction."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 5)
    return create_engine(url, **kwargs)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` to ``revision`` (default: every head, so area branches all apply)."""
    try:
        command.upgrade(alembic_config(url), revision)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"could not migrate {make_url(url).render_as_string()}: {exc.__class__.__name__}: "
            f"{exc}. Is the database running and reachable?"
        ) from exc


class Store:
    """The engine plus a session factory. One per process, passed to whatever needs the database."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
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
        with self.engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())

    def expected_heads(self) -> set[str]:
        return set(ScriptDirectory.from_config(alembic_config(self.url)).get_heads())

    def is_current(self) -> bool:
        return self.current_heads() == self.expected_heads()

    def require_current(self) -> None:
        """Raise :class:`StoreError` unless the database is reachable and fully migrated."""
        try:
            current = self.current_heads()
        except SQLAlchemyError as exc:
            raise StoreError(
                f"database unreachable ({exc.__class__.__name__}); check PREFLOOP_DATABASE_URL "
                "and that the server is running"
            ) from exc
        expected = self.expected_heads()
        if current != expected:
            raise StoreError(
                f"database is not migrated (at {sorted(current) or 'nothing'}, code expects {sorted(expected)}): "
                "run `prefloop db upgrade`"
            )

    def dispose(self) -> None:
        self.engine.dispose()
