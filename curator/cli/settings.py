"""`prefloop settings`: every setting, its variable and its value as loaded (secrets masked)."""

from __future__ import annotations

import json

import click

from prefloop.curator.settings import ENV_PREFIX, Settings

__all__ = ["settings"]


def _shown(value: object) -> object:
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)  # a secret's str() is its masked form


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: variable -> value.")
@click.pass_obj
def settings(settings: Settings, as_json: bool) -> None:
    """List every PREFLOOP_* setting with the value this process loaded (secrets masked).

    Any setting can also be read from a file: PREFLOOP_<NAME>_FILE=/run/secrets/... (a mounted secret)."""
    values = {
        ENV_PREFIX + name.upper(): _shown(getattr(settings, name)) for name in type(settings).model_fields
    }
    if as_json:
        click.echo(json.dumps(values, sort_keys=True))
        return
    width = max(len(name) for name in values)
    for name, value in values.items():
        click.echo(f"{name:<{width}}  {'' if value is None else value}")
