"""Fail fast when a dependency is not there: a TCP connect to each bootstrap address before a Kafka client
spends its bootstrap timeout (30 s in kafka-python) finding out."""

from __future__ import annotations

import socket

from prefloop.curator.cli import messages as msg
from prefloop.schemas.errors import UnreachableError

__all__ = ["require_kafka"]


def _addresses(bootstrap: str) -> list[tuple[str, int]]:
    out = []
    for item in bootstrap.split(","):
        host, _, port = item.strip().rpartition(":")
        out.append((host.strip("[]") or "localhost", int(port) if port.isdigit() else 9092))
    return out


def require_kafka(bootstrap: str, timeout: float = 5.0) -> None:
    """Return once one bootstrap address accepts a TCP connection; else :class:`UnreachableError`."""
    reasons = []
    for host, port in _addresses(bootstrap):
        try:
            with socket.create_connection((host, port), timeout=timeout):
                return
        except OSError as exc:
            reasons.append(f"{host}:{port}: {exc.strerror or exc.__class__.__name__}")
    raise UnreachableError(
        msg.KAFKA_UNREACHABLE.format(bootstrap=bootstrap, reason="; ".join(reasons)), "kafka", bootstrap
    )
