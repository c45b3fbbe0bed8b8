"""The replay clock: the demo's traffic is stamped as if it happened in one fixed month, so every run builds
the same month's release.

Capture stamps ``occurred_at`` with ``datetime.now(UTC)``; :func:`replay_clock` swaps the ``datetime`` name of
the given modules for a subclass whose ``now()`` runs from the start of ``month`` (at real speed) while the
demo runs, and restores it afterwards. Nothing else about the events changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo
from types import ModuleType

__all__ = ["replay_clock", "shifted_datetime"]


def shifted_datetime(start: datetime) -> type[datetime]:
    """A ``datetime`` subclass whose ``now()`` is ``start`` plus the real time elapsed since this call."""
    offset: timedelta = start - datetime.now(UTC)

    class ReplayDatetime(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> ReplayDatetime:
            return cls.fromtimestamp((datetime.now(UTC) + offset).timestamp(), tz)

    return ReplayDatetime


@contextmanager
def replay_clock(start: datetime, modules: Sequence[ModuleType]) -> Iterator[type[datetime]]:
    """Within the block, ``module.datetime.now()`` of each of ``modules`` runs from ``start``."""
    clock = shifted_datetime(start)
    saved = [(m, m.datetime) for m in modules if hasattr(m, "datetime")]
    for module, _ in saved:
        module.datetime = clock  # type: ignore[attr-defined]
    try:
        yield clock
    finally:
        for module, original in saved:
            module.datetime = original  # type: ignore[attr-defined]
