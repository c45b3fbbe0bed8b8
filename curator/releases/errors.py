"""Errors raised by releases (all derive from :class:`prefloop.schemas.errors.ReleaseError`)."""

from __future__ import annotations

from typing import Any

from prefloop.schemas.errors import ReleaseError

__all__ = ["GateFailedError", "ReleaseExistsError", "ReleaseInputError"]


class ReleaseInputError(ReleaseError):
    """A release argument is invalid (a month that is not ``YYYY-MM``, an unknown gate name, ...)."""

    def __init__(self, message: str, value: object = None) -> None:
        self.value = value
        super().__init__(message)


class ReleaseExistsError(ReleaseError):
    """The release directory already exists: releases are immutable, a rebuild takes the next revision."""

    def __init__(self, message: str, path: str) -> None:
        self.path = path
        super().__init__(message)


class GateFailedError(ReleaseError):
    """One or more gates failed; ``report`` holds every gate's result, ``failed`` the failing names."""

    def __init__(self, message: str, failed: list[str], report: dict[str, Any]) -> None:
        self.failed = failed
        self.report = report
        super().__init__(message)
