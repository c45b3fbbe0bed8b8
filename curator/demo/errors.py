"""The demo's error: what went wrong, what to do, and the offending value."""

from __future__ import annotations

from prefloop.schemas.errors import PrefloopError

__all__ = ["DemoError"]


class DemoError(PrefloopError):
    """A demo stage could not run. ``value`` is what was wrong (a path, a count, a stage name)."""

    def __init__(self, message: str, value: object = None) -> None:
        self.value = value
        super().__init__(message)
