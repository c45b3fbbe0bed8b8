"""kafka-python clients that leave nothing running when they fail to start.

kafka-python 3.0's ``KafkaConsumer`` and ``KafkaAdminClient`` start their I/O thread before they first reach the
broker. When that fails (broker down, wrong port, refused login) the constructor raises and the thread keeps
running: one more thread per attempt, for the life of the process, and a process that forks later (a worker
pool) can deadlock in the child. :func:`new_admin` and :func:`new_consumer` build the same clients and stop what
a failed constructor started before re-raising its error.
"""

from __future__ import annotations

import contextlib
from typing import Any

__all__ = ["new_admin", "new_consumer"]

#: how long to wait for a failed client's I/O thread to end
_STOP_TIMEOUT_MS = 5_000


def new_admin(**config: Any) -> Any:
    """A ``KafkaAdminClient(**config)``; if it cannot start, its I/O thread is stopped before the error is raised."""
    from kafka import KafkaAdminClient

    return _build(KafkaAdminClient, (), config)


def new_consumer(*topics: str, **config: Any) -> Any:
    """A ``KafkaConsumer(*topics, **config)``; if it cannot start, its I/O thread is stopped before the error
    is raised."""
    from kafka import KafkaConsumer

    return _build(KafkaConsumer, topics, config)


def _build(cls: Any, args: tuple[Any, ...], config: dict[str, Any]) -> Any:
    client = cls.__new__(cls)
    try:
        client.__init__(*args, **config)
    except BaseException:
        _stop_io(client)
        raise
    return client


def _stop_io(client: Any) -> None:
    inner, net = getattr(client, "_client", None), getattr(client, "_net", None)
    if inner is not None:
        with contextlib.suppress(Exception):
            inner.close()
    if net is not None:
        with contextlib.suppress(Exception):
            net.stop(timeout_ms=_STOP_TIMEOUT_MS)
