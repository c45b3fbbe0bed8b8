"""`prefloop db upgrade|current`."""

from __future__ import annotations

import click

from prefloop.curator.settings import Settings
from prefloop.curator.startup import wait_for_dependency, wait_option
from prefloop.curator.store import Store

__all__ = ["db"]


@click.group()
def db() -> None:
    """Migrate or inspect the store (PREFLOOP_DATABASE_URL)."""


@db.command()
@wait_option("the database to accept connections")
@click.pass_obj
def upgrade(settings: Settings, wait_s: float) -> None:
    """Apply every migration the database does not have yet."""
    from sqlalchemy.exc import SQLAlchemyError

    store = Store(settings.database_url)
    before = wait_for_dependency(
        store.current_heads, timeout=wait_s, what="the database", retry_on=(SQLAlchemyError,)
    )
    store.upgrade()
    after = store.current_heads()
    click.echo(
        f"database {store.engine.url.render_as_string()}: {sorted(before) or 'empty'} -> {sorted(after)}"
    )
    store.dispose()


@db.command()
@click.pass_obj
def current(settings: Settings) -> None:
    """Show the database's migration state; exit 1 when it needs `prefloop db upgrade`."""
    store = Store(settings.database_url)
    heads, expected = store.current_heads(), store.expected_heads()
    click.echo(f"at {sorted(heads) or 'nothing'}; code expects {sorted(expected)}")
    store.dispose()
    if heads != expected:
        raise click.exceptions.Exit(1)
