"""Errors raised by the scrubber.

::

    PrefloopError
    └── ScrubError                   the scrubber could not be set up or could not read its input
        ├── ModelLoadError           the spaCy model is not installed or failed to load
        ├── RecognizerConfigError    a recognizer definition (code or YAML) is invalid
        └── ScrubInputError          a JSON line is malformed or lacks the text field
"""

from __future__ import annotations

from prefloop.curator.scrub import messages
from prefloop.schemas.errors import PrefloopError

__all__ = ["ModelLoadError", "RecognizerConfigError", "ScrubError", "ScrubInputError"]


class ScrubError(PrefloopError):
    """The scrubber could not be set up or could not read its input."""


class ModelLoadError(ScrubError):
    """The spaCy model named ``model`` could not be loaded."""

    def __init__(self, model: str, cause: str) -> None:
        self.model = model
        super().__init__(messages.MODEL_LOAD_FAILED.format(model=model, cause=cause))


class RecognizerConfigError(ScrubError):
    """A recognizer definition is invalid; ``value`` is the offending entry."""

    def __init__(self, reason: str, value: object = None, source: str = "") -> None:
        self.reason = reason
        self.value = value
        self.source = source
        where = f" in {source}" if source else ""
        super().__init__(messages.RECOGNIZER_INVALID.format(where=where, reason=reason, value=value))


class ScrubInputError(ScrubError):
    """Line ``line_number`` of an input file could not be scrubbed; ``reason`` says why."""

    def __init__(self, line_number: int, reason: str, field: str) -> None:
        self.line_number = line_number
        self.reason = reason
        self.field = field
        super().__init__(messages.BAD_LINE.format(line=line_number, reason=reason, field=field))

    def __reduce__(self) -> tuple[type[ScrubInputError], tuple[int, str, str]]:
        # rebuilt from its attributes when sent back from a worker process
        return (type(self), (self.line_number, self.reason, self.field))
