"""Reading what capture wrote to a spool directory (embedded mode), for tests that serve a real app."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefloop.capture.publisher.spool import list_segments, list_writers


def spool_events(spool: Path, kind: str | None = None) -> list[dict[str, Any]]:
    """Every event in ``spool`` (all writers, in segment order), or those of type ``kind``."""
    out = []
    for writer in list_writers(spool):
        for _, path in list_segments(writer):
            out.extend(json.loads(x) for x in path.read_bytes().split(b"\n") if x)
    return [e for e in out if kind is None or e["type"] == kind]


def wait_for_events(
    read: Callable[[str], list[dict[str, Any]]], kind: str, count: int, timeout: float = 10.0
) -> list[dict[str, Any]]:
    """``read(kind)`` until it returns ``count`` events or ``timeout`` s pass; the last result."""
    deadline = time.monotonic() + timeout
    while True:
        got = read(kind)
        if len(got) >= count or time.monotonic() > deadline:
            return got
        time.sleep(0.05)
