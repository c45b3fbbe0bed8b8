"""How commands print: one JSON document for ``--json``, progress bars only where a person watches."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

__all__ = ["echo_json", "progress_wanted"]


def echo_json(document: Any) -> None:
    """``document`` as one line of JSON on stdout (dates and paths as strings)."""
    click.echo(json.dumps(document, sort_keys=True, default=str))


def progress_wanted(no_progress: bool = False) -> bool:
    """Draw a progress bar only on a terminal: redrawn lines (``\\r``) would litter a pipe or a log file."""
    return not no_progress and sys.stderr.isatty()
