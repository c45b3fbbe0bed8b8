"""PII scrubbing: find personal data and secrets in text, replace them with consistent placeholders.

``Scrubber`` is the entry point; recognizers are pluggable (``prefloop.curator.scrub.recognizers``, or YAML through
``Scrubber.from_yaml``). What is masked and what is kept: docs/privacy.md. ``prefloop.curator.scrub.guard`` is the
last guard at the exits; it needs none of the rest, so this package loads its parts (and spaCy) only when used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prefloop.curator.scrub.engine import SCRUB_VERSION, Scrubber
    from prefloop.curator.scrub.errors import (
        ModelLoadError,
        RecognizerConfigError,
        ScrubError,
        ScrubInputError,
    )
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

_HOMES = {
    "SCRUB_VERSION": "engine",
    "Scrubber": "engine",
    "ModelLoadError": "errors",
    "RecognizerConfigError": "errors",
    "ScrubError": "errors",
    "ScrubInputError": "errors",
    "PatternRecognizer": "recognizers",
    "Recognizer": "recognizers",
    "default_recognizers": "recognizers",
    "ENTITY_TYPES": "types",
    "PiiSpan": "types",
    "ScrubbedPair": "types",
    "ScrubResult": "types",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
