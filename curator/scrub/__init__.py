"""PII scrubbing: find personal data and secrets in text, replace them with consistent placeholders.

``Scrubber`` is the entry point; recognizers are pluggable (``prefloop.curator.scrub.recognizers``, or YAML through
``Scrubber.from_yaml``).
"""

from __future__ import annotations

from prefloop.curator.scrub.engine import SCRUB_VERSION, Scrubber
from prefloop.curator.scrub.errors import ModelLoadError, RecognizerConfigError, ScrubError, ScrubInputError
from prefloop.curator.scrub.recognizers import PatternRecognizer, Recognizer, default_recognizers
from prefloop.curator.scrub.types import ENTITY_TYPES, PiiSpan, ScrubbedPair, ScrubResult

__all__ = [
    "ENTITY_TYPES",
    "SCRUB_VERSION",
    "ModelLoadError",
    "PatternRecognizer",
    "PiiSpan",
    "Recognizer",
    "RecognizerConfigError",
    "ScrubError",
    "ScrubInputError",
    "ScrubResult",
    "ScrubbedPair",
    "Scrubber",
    "default_recognizers",
]
