"""Errors the review bot raises on purpose (all under :class:`prefloop.schemas.errors.PrefloopError`).

::

    PrefloopError
    └── SlackbotError              the review bot cannot do what was asked
        ├── RubricError            the rubric YAML is missing or malformed
        ├── PolicyError            the quorum policy YAML is missing or malformed
        └── SlackNotConfigured     no bot token / signing secret (and no emulator asked for);
                                   also a ConfigError, so the CLI exits 2 (configuration)
"""

from __future__ import annotations

from pathlib import Path

from prefloop.schemas.errors import ConfigError, PrefloopError

__all__ = ["PolicyError", "RubricError", "SlackNotConfigured", "SlackbotError"]


class SlackbotError(PrefloopError):
    """The review bot cannot do what was asked."""


class RubricError(SlackbotError):
    """The rubric file is missing or malformed. ``path`` is the file."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        self.path = path
        super().__init__(message)


class PolicyError(SlackbotError):
    """The quorum policy file is missing or malformed. ``path`` is the file, ``field`` the offending key."""

    def __init__(self, message: str, path: Path | None = None, field: str | None = None) -> None:
        self.path = path
        self.field = field
        super().__init__(message)


class SlackNotConfigured(SlackbotError, ConfigError):
    """A Slack setting the command needs is not set. ``name`` is the environment variable."""

    def __init__(self, message: str, name: str) -> None:
        ConfigError.__init__(self, message, name=name)
