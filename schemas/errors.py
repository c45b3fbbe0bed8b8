"""The error tree every prefloop package raises from.

::

    PrefloopError
    ├── SchemaError                  an event or record does not match its contract
    │   └── EventValidationError     ... with one entry per offending field (path + reason)
    ├── ConfigError                  a setting is unknown or invalid (raised at start-up)
    ├── CaptureError                 capture refused or could not keep an event (capture package)
    ├── StoreError                   the database is unreachable or not migrated (curator package)
    │   └── DatabaseUnreachableError ... the database did not answer (also an UnreachableError)
    ├── UnreachableError             a service prefloop depends on (database, Kafka) did not answer
    └── ReleaseError                 a release gate failed or a release would be overwritten (curator package)

Each message says what was wrong and what to do about it; each exception carries the offending value as an
attribute so callers can act on it without parsing text.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CaptureError",
    "ConfigError",
    "DatabaseUnreachableError",
    "EventValidationError",
    "FieldError",
    "PrefloopError",
    "ReleaseError",
    "SchemaError",
    "StoreError",
    "UnreachableError",
]


class PrefloopError(Exception):
    """Root of every error prefloop raises on purpose."""


class SchemaError(PrefloopError):
    """An event or record does not match its contract."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: ``path`` is dotted (``context.2.content``), ``reason`` is human-readable."""

    path: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.path, "reason": self.reason}


class EventValidationError(SchemaError):
    """An event failed validation. ``errors`` lists every offending field; ``code`` classifies the failure.

    Codes: ``not_json``, ``not_utf8``, ``not_object``, ``too_large``, ``too_deep`` (nesting over
    :data:`prefloop.schemas.limits.MAX_JSON_DEPTH`), ``unknown_type``, ``unsupported_version``, ``invalid``;
    a consumer also dead-letters with ``undecodable`` (any other decoding failure) and ``unstorable`` (the
    store refused the event).
    """

    def __init__(self, code: str, errors: list[FieldError], raw: object = None) -> None:
        self.code = code
        self.errors = errors
        self.raw = raw
        detail = "; ".join(f"{e.path}: {e.reason}" if e.path else e.reason for e in errors)
        super().__init__(f"invalid event ({code}): {detail}")

    def to_dict(self) -> dict[str, object]:
        return {"error": self.code, "fields": [e.to_dict() for e in self.errors]}


class ConfigError(PrefloopError):
    """A setting is unknown or has an invalid value. ``name`` is the setting, ``value`` what was given."""

    def __init__(self, message: str, name: str | None = None, value: object = None) -> None:
        self.name = name
        self.value = value
        super().__init__(message)


class CaptureError(PrefloopError):
    """Capture could not accept an event (e.g. the on-disk spool is over its budget)."""


class StoreError(PrefloopError):
    """The database is unreachable, not migrated, or refused a write."""


class UnreachableError(PrefloopError):
    """A service prefloop depends on (the database, Kafka) did not answer: start it or fix its address.

    ``service`` names it (``"database"``, ``"kafka"``); ``address`` is where it was looked for, without any
    password."""

    def __init__(self, message: str, service: str, address: str) -> None:
        self.service = service
        self.address = address
        super().__init__(message)


class DatabaseUnreachableError(StoreError, UnreachableError):
    """The database did not answer (a store error that is also an unreachable dependency)."""

    def __init__(self, message: str, address: str) -> None:
        UnreachableError.__init__(self, message, "database", address)


class ReleaseError(PrefloopError):
    """A release could not be built: a gate failed, or it would overwrite an existing release."""
