"""`prefloop doctor`."""

from __future__ import annotations

import click

from prefloop.curator.cli import exits
from prefloop.curator.cli.output import echo_json
from prefloop.curator.doctor import run_checks
from prefloop.curator.settings import Settings

__all__ = ["doctor"]


@click.command()
@click.option("--json", "as_json", is_flag=True, help='Print one JSON object: {"ok", "checks": [...]}.')
@click.pass_obj
def doctor(settings: Settings, as_json: bool) -> None:
    """Check each configured part; exit 1 when any is not usable."""
    checks = run_checks(settings)
    ok = all(c.ok for c in checks)
    if as_json:
        echo_json({"ok": ok, "checks": [c.to_dict() for c in checks]})
    else:
        for check in checks:
            click.echo(check.line())
    if not ok:
        raise click.exceptions.Exit(exits.CHECK_FAILED)
