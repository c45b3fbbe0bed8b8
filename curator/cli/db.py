"""`prefloop db upgrade [--sql]|current`."""

from __future__ import annotations

import click

from prefloop.curator.cli import exits
from prefloop.curator.cli.output import echo_json
from prefloop.curator.database_url import PSYCOPG_SCHEME
from prefloop.curator.settings import Settings
from prefloop.curator.startup import wait_for_dependency, wait_option
from prefloop.curator.store import Store
from prefloop.schemas.errors import DatabaseUnreachableError

__all__ = ["db"]

#: offline mode needs only the dialect: no server is contacted
_OFFLINE_POSTGRES_URL = f"{PSYCOPG_SCHEME}://dba@postgres/prefloop"


@click.group()
def db() -> None:
    """Migrate or inspect the store (PREFLOOP_DATABASE_URL)."""


@db.command()
@wait_option("the database to accept connections")
@click.option(
    "--sql",
    is_flag=True,
    help="Print the PostgreSQL statements instead of running them (for a DBA to review and apply); "
    "no database is contacted.",
)
@click.option(
    "--from",
    "from_revision",
    default=None,
    metavar="REVISION",
    help="With --sql: only the statements after this revision (what `prefloop db current` shows).",
)
@click.pass_obj
def upgrade(settings: Settings, wait_s: float, sql: bool, from_revision: str | None) -> None:
    """Apply every migration the database does not have yet."""
    from prefloop.curator.store import upgrade as run_upgrade

    if from_revision is not None and not sql:
        raise click.UsageError("--from goes with --sql (an online upgrade starts where the database is)")
    if sql:
        url = settings.database_url.get_secret_value()
        target = url if url.startswith("postgresql") else _OFFLINE_POSTGRES_URL
        run_upgrade(target, f"{from_revision}:head" if from_revision else "head", sql=True)
        return
    store = Store(settings.database_url)
    try:
        before = wait_for_dependency(
            store.current_heads, timeout=wait_s, what="the database", retry_on=(DatabaseUnreachableError,)
        )
        store.upgrade()
        after = store.current_heads()
    finally:
        store.dispose()
    click.echo(f"database {settings.database_url}: {sorted(before) or 'empty'} -> {sorted(after)}")


@db.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: current, expected, ok.")
@click.pass_obj
def current(settings: Settings, as_json: bool) -> None:
    """Show the database's migration state; exit 1 when it needs `prefloop db upgrade`."""
    store = Store(settings.database_url)
    try:
        heads, expected = store.current_heads(), store.expected_heads()
    finally:
        store.dispose()
    if as_json:
        echo_json({"current": sorted(heads), "expected": sorted(expected), "ok": heads == expected})
    else:
        click.echo(f"at {sorted(heads) or 'nothing'}; code expects {sorted(expected)}")
    if heads != expected:
        raise click.exceptions.Exit(exits.CHECK_FAILED)
