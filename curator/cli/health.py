"""`prefloop health`: the image's HEALTHCHECK. One image runs every role, so the check asks the process this
container runs (PID 1's command line) which role it is and probes that role's own ``/healthz``."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import click

from prefloop.curator.settings import Settings

__all__ = ["health", "probe_url", "role_argv"]


def role_argv(cmdline: bytes) -> list[str]:
    """The prefloop arguments in a NUL-separated command line (``prefloop curator run`` -> ``[curator, run]``)."""
    words = [w.decode("utf-8", "replace") for w in cmdline.split(b"\0") if w]
    for i, word in enumerate(words):
        if Path(word).name == "prefloop" or (word == "prefloop.curator.cli" and i and words[i - 1] == "-m"):
            return words[i + 1 :]
    return []


def _option(argv: list[str], name: str) -> str | None:
    for i, word in enumerate(argv):
        if word == name and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None


def probe_url(argv: list[str], settings: Settings) -> str | None:
    """The liveness URL of the role ``argv`` runs; ``None`` for a role without one (a one-off command, the
    bot in Socket Mode, a curator or scheduler without a metrics port)."""
    role = tuple(argv[:2])
    port: str | int | None
    if role == ("slackbot", "serve"):
        if "--socket-mode" in argv or (settings.slack_socket_mode and "--http" not in argv):
            return None
        port = _option(argv, "--port") or settings.slack_port
    elif role in (("curator", "run"), ("scheduler", "run")):
        port = _option(argv, "--metrics-port") or settings.metrics_port
    else:
        return None
    return None if port in (None, "0") else f"http://127.0.0.1:{port}/healthz"


@click.command()
@click.option("--url", default=None, help="Probe this URL instead of the one of the role PID 1 runs.")
@click.pass_obj
def health(settings: Settings, url: str | None) -> None:
    """Container health check: exit 0 when this container's role answers its /healthz, 1 otherwise."""
    if url is None:
        try:
            cmdline = Path("/proc/1/cmdline").read_bytes()
        except OSError:
            cmdline = b""
        url = probe_url(role_argv(cmdline), settings)
    if url is None:
        click.echo("healthy: this role has no probe (it is healthy while it runs)")
        return
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            click.echo(f"healthy: {url} answered {resp.status}")
    except urllib.error.HTTPError as exc:
        exc.close()
        click.echo(f"unhealthy: {url} answered {exc.code}", err=True)
        raise click.exceptions.Exit(1) from None
    except OSError as exc:
        click.echo(f"unhealthy: {url} did not answer ({exc})", err=True)
        raise click.exceptions.Exit(1) from None
