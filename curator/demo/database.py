"""``prefloop demo --kafka`` runs on PostgreSQL: a database of its own, created afresh on every run."""

from __future__ import annotations

from sqlalchemy.engine import make_url

__all__ = ["fresh_database"]


def fresh_database(server_url: str, name: str) -> str:
    """Drop and re-create database ``name`` on the server of ``server_url``; return its SQLAlchemy URL.

    Only ``name`` is touched: the database ``server_url`` names is used for the connection and left alone.
    """
    import psycopg
    from psycopg import sql

    u = make_url(server_url)
    with psycopg.connect(
        host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database, autocommit=True
    ) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return u.set(database=name).render_as_string(hide_password=False)
