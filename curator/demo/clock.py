"""The replay clock: the demo's traffic is stamped as if it happened in one fixed month, so every run builds
the same month's release.

Capture takes a ``clock`` (``FeedbackCapture(clock=...)``) that stamps ``occurred_at``; the demo passes
:func:`replay_clock`, which runs from the start of the month at real speed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

__all__ = ["replay_clock"]


def replay_clock(start: datetime) -> Callable[[], datetime]:
    """A clock that reads ``start`` now and advances with real (monotonic) time from here on."""
    if start.tzinfo is None:
        raise ValueError("replay_clock needs a timezone-aware start (UTC)")
    origin = time.monotonic()
    start = start.astimezone(UTC)

    def now() -> datetime:
        return start + timedelta(seconds=time.monotonic() - origin)

    return now
