"""`prefloop doctor`."""

from __future__ import annotations

import click

from prefloop.curator.doctor import run_checks
from prefloop.curator.settings import Settings

__all__ = ["doctor"]


@click.command()
@click.pass_obj
def doctor(settings: Settings) -> None:
    """Check each configured part; exit 1 when any is not usable."""
    checks = run_checks(settings)
    for check in checks:
        click.echo(check.line())
    if not all(c.ok for c in checks):
        raise click.exceptions.Exit(1)
