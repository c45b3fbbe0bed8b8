"""`prefloop coverage`: per-category share of accepted pairs against targets, backlog, disagreement.

Exits 1 when a category is outside its target range or empty, so a cron job or an alert rule can use it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from prefloop.curator.coverage import compute_coverage, fill_registry, format_coverage_text
from prefloop.curator.settings import Settings
from prefloop.curator.store import Store

__all__ = ["coverage"]


@click.command()
@click.option("--month", default=None, help="YYYY-MM: pairs formed in that month (default: all months).")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as one JSON object.")
@click.option(
    "--plot", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write a PNG chart."
)
@click.option(
    "--textfile",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the Prometheus gauges to this file (node_exporter textfile collector).",
)
@click.option(
    "--serve-metrics",
    type=int,
    default=None,
    metavar="PORT",
    help="Serve the gauges on http://0.0.0.0:PORT/metrics, refreshed every --interval seconds (runs until stopped).",
)
@click.option(
    "--interval", type=float, default=60.0, show_default=True, help="Refresh period for --serve-metrics."
)
@click.pass_obj
def coverage(
    settings: Settings,
    month: str | None,
    as_json: bool,
    plot: Path | None,
    textfile: Path | None,
    serve_metrics: int | None,
    interval: float,
) -> None:
    """On-call: does each harm category have the data it needs?"""
    from prometheus_client import CollectorRegistry, write_to_textfile

    store = Store(settings.database_url)
    try:
        store.require_current()
        cov = compute_coverage(store, month=month)
        if plot is not None:
            from prefloop.curator.coverage_plot import plot_coverage

            plot_coverage(cov.categories, plot, f"coverage {month or 'all months'}")
        if textfile is not None:
            write_to_textfile(str(textfile), fill_registry(cov, CollectorRegistry()))
        click.echo(
            json.dumps(cov.to_dict(), indent=2, sort_keys=True) if as_json else format_coverage_text(cov)
        )
        if serve_metrics is not None:
            _serve(store, month, serve_metrics, interval)
    finally:
        store.dispose()
    if not cov.ok:
        raise click.exceptions.Exit(1)


class _Latest:
    """A collector that re-reads coverage on every scrape no more often than ``interval``."""

    def __init__(self, store: Store, month: str | None, interval: float) -> None:
        self.store, self.month, self.interval = store, month, interval
        self._at = 0.0
        self._metrics: list[object] = []

    def collect(self) -> Any:
        from prometheus_client import CollectorRegistry

        if time.monotonic() - self._at >= self.interval or not self._metrics:
            registry = fill_registry(compute_coverage(self.store, month=self.month), CollectorRegistry())
            self._metrics = list(registry.collect())
            self._at = time.monotonic()
        return iter(self._metrics)


def _serve(store: Store, month: str | None, port: int, interval: float) -> None:
    from prometheus_client import CollectorRegistry, start_http_server

    registry = CollectorRegistry()
    registry.register(_Latest(store, month, interval))
    start_http_server(port, registry=registry)
    click.echo(f"serving coverage metrics on :{port}/metrics", err=True)
    while True:  # pragma: no cover - runs until the process is stopped
        time.sleep(3600)
