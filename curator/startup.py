"""Waiting for dependencies at start-up (``--wait SECONDS`` on the long-running commands).

A role started next to its database and broker (compose, a fresh cluster) may come up first. Kubernetes
restarts a failed pod with a back-off, but podman-compose does not wait for ``service_healthy`` and a plain
restart loop is noisy, so the roles can wait themselves: retry the same check with a growing pause, logging
what they wait for, and give up with the last error once the time is spent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["wait_for_dependency", "wait_option"]

log = logging.getLogger(__name__)

T = TypeVar("T")


def wait_for_dependency(
    check: Callable[[], T],
    *,
    timeout: float,
    what: str,
    retry_on: tuple[type[BaseException], ...],
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """``check()``'s result once it stops raising one of ``retry_on``; the last such error after ``timeout``
    seconds (``0``: one try, no waiting)."""
    deadline = clock() + timeout
    delay = 0.5
    while True:
        try:
            return check()
        except retry_on as exc:
            left = deadline - clock()
            if left <= 0:
                raise
            log.warning("waiting for %s (%s: %s); %.0f s left", what, type(exc).__name__, exc, left)
            sleep(min(delay, left))
            delay = min(delay * 2, 5.0)


def wait_option(what: str) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """The ``--wait SECONDS`` option of a command that needs ``what`` at start."""
    import click

    return click.option(
        "--wait",
        "wait_s",
        type=click.FloatRange(0),
        default=0.0,
        show_default=True,
        help=f"Seconds to wait for {what} at start (compose starts every service at once); 0 = fail at once.",
    )
