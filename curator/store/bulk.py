"""Bulk statements that work on both store backends (SQLite, PostgreSQL): ``IN`` lists sized for the dialect,
dialect INSERTs executed with a parameter list, and on PostgreSQL COPY (straight into a table, or through a
staging table with ``ON CONFLICT``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import JSON, any_, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

__all__ = [
    "batches",
    "chunks",
    "copy_insert",
    "copy_new",
    "copy_rows",
    "driver_cursor",
    "execute_many",
    "in_values",
    "insert_stmt",
    "is_pg",
]

_CHUNK = 500


def chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def is_pg(session: Session) -> bool:
    return bool(session.get_bind().dialect.name == "postgresql")


def batches(session: Session, items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    """``items`` in parts small enough for one statement's ``IN`` list: all at once on PostgreSQL (where
    :func:`in_values` binds one array), ``size`` at a time elsewhere (SQLite's bound-parameter limit)."""
    if is_pg(session):
        return [items] if items else []
    return chunks(items, size)


def in_values(session: Session, column: Any, values: Sequence[Any]) -> Any:
    """``column IN (values)``; on PostgreSQL ``column = ANY(:array)``, one bound array instead of one parameter
    per value (a constant statement: no per-call compiling and parsing of thousands of placeholders)."""
    if is_pg(session):
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


def insert_stmt(session: Session, model: Any) -> Any:
    """A dialect INSERT on the model's table (Core: executed with a parameter list, the statement is compiled
    once and sent in "insertmanyvalues" batches)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)


def execute_many(session: Session, stmt: Any, rows: Sequence[dict[str, Any]]) -> Any:
    return session.connection().execute(stmt, list(rows))


@contextmanager
def driver_cursor(session: Session, what: str) -> Iterator[Any]:
    """A raw psycopg cursor on the session's connection (for COPY). The driver raises its own errors: they are
    re-raised as SQLAlchemy's, as for any other statement (a lost server is an ``OperationalError``, which the
    Kafka source retries)."""
    dbapi = session.connection().connection.driver_connection
    try:
        with dbapi.cursor() as cur:  # type: ignore[union-attr]
            yield cur
    except DBAPIError:
        raise
    except Exception as exc:
        import psycopg

        if isinstance(exc, psycopg.Error):
            raise DBAPIError.instance(what, None, exc, psycopg.Error) from exc
        raise


def copy_rows(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """PostgreSQL: COPY ``rows`` (dicts with the same keys) into ``table`` (a Core table): what a plain INSERT of
    them stores (JSON columns as the ORM writes them, ``None`` as JSON ``null``), in one round trip."""
    if not rows:
        return
    columns = list(rows[0])
    json_cols = {c for c in columns if isinstance(table.c[c].type, JSON)}
    cols = ", ".join(f'"{c}"' for c in columns)
    statement = f'COPY "{table.name}" ({cols}) FROM STDIN'
    with driver_cursor(session, statement) as cur, cur.copy(statement) as copy:
        for r in rows:
            copy.write_row(tuple(json.dumps(r[c]) if c in json_cols else r[c] for c in columns))


def copy_insert(
    session: Session,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    conflict: str,
    action: str = "DO NOTHING",
) -> list[Any]:
    """PostgreSQL: COPY rows into a temporary staging table, then ``INSERT ... SELECT ... ORDER BY conflict
    ON CONFLICT (conflict) <action> RETURNING conflict``. Several times faster than multi-row INSERTs for large
    batches; the order is a stable lock order across consumers."""
    stage = f"_prefloop_stage_{table}"
    cols = ", ".join(f'"{c}"' for c in columns)
    # DO NOTHING skips a row that conflicts on any unique index (an event's id or its idempotency key)
    target = "" if action == "DO NOTHING" else f' ("{conflict}")'
    insert_sql = (
        f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM "{stage}" ORDER BY "{conflict}" '
        f'ON CONFLICT{target} {action} RETURNING "{conflict}"'
    )
    with driver_cursor(session, f"COPY {stage} then {insert_sql}") as cur:
        # one round trip (no parameters: simple protocol); the stage is empty unless this transaction already
        # used it, and DELETE of nothing is cheaper than TRUNCATE's new file
        cur.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" (LIKE "{table}" INCLUDING DEFAULTS) '
            f'ON COMMIT DELETE ROWS; DELETE FROM "{stage}"'
        )
        with cur.copy(f'COPY "{stage}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(insert_sql)
        return [r[0] for r in cur.fetchall()]


def copy_new(
    session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], conflict: str
) -> list[Any]:
    """PostgreSQL: what ``copy_insert(..., "DO NOTHING")`` does (insert the rows whose ``conflict`` key is not
    stored; return their keys), with half the writing when nothing conflicts, the usual case: look the keys up,
    then COPY the missing rows straight into the table (in key order, the staging path's lock order) inside a
    savepoint. If another transaction stored one of them meanwhile (a unique violation once it commits, or a
    deadlock), roll back to the savepoint and take the staging path, which waits for and skips such rows.
    A batch that repeats a key goes the staging path directly."""
    at = columns.index(conflict)
    ordered = sorted(rows, key=lambda r: r[at])
    keys = [r[at] for r in ordered]
    if len(set(keys)) != len(keys):
        return copy_insert(session, table, columns, ordered, conflict)
    import psycopg.errors

    cols = ", ".join(f'"{c}"' for c in columns)
    with driver_cursor(session, f'COPY "{table}" after a key lookup') as cur:
        cur.execute(f'SELECT "{conflict}" FROM "{table}" WHERE "{conflict}" = ANY(%s)', [keys])
        known = {r[0] for r in cur.fetchall()}
        fresh = [r for r in ordered if r[at] not in known]
        if not fresh:
            return []
        cur.execute("SAVEPOINT prefloop_copy")
        try:
            with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                for row in fresh:
                    copy.write_row(row)
        except (psycopg.errors.UniqueViolation, psycopg.errors.DeadlockDetected):
            cur.execute("ROLLBACK TO SAVEPOINT prefloop_copy")
        else:
            cur.execute("RELEASE SAVEPOINT prefloop_copy")
            return [r[at] for r in fresh]
    return copy_insert(session, table, columns, fresh, conflict)
