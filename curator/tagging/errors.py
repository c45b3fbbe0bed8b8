"""Errors of the tagging package.

::

    PrefloopError
    └── TaggingError              base of everything this package raises on purpose
        ├── TaxonomyError         the taxonomy YAML is missing, malformed or inconsistent
        ├── CorpusError           the training corpus is missing or has an unknown label
        ├── ModelError            the trained model is missing or does not match the taxonomy
        └── InputError            a conversation or a JSONL line cannot be tagged (carries the line number)
"""

from __future__ import annotations

from prefloop.schemas.errors import PrefloopError

__all__ = ["CorpusError", "InputError", "ModelError", "TaggingError", "TaxonomyError"]


class TaggingError(PrefloopError):
    """Base of the tagging errors; ``value`` is the offending value."""

    def __init__(self, message: str, value: object = None) -> None:
        super().__init__(message)
        self.value = value


class TaxonomyError(TaggingError):
    """The taxonomy file is missing, malformed or inconsistent."""


class CorpusError(TaggingError):
    """The training corpus is missing, empty or uses a label the taxonomy does not know."""


class ModelError(TaggingError):
    """The trained model is missing, unreadable or was trained for other labels."""


class InputError(TaggingError):
    """A conversation cannot be tagged. ``line`` is the 1-based JSONL line number when reading a file."""

    def __init__(self, message: str, value: object = None, line: int | None = None) -> None:
        super().__init__(message, value)
        self.line = line
