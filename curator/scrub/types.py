"""Plain data the scrubber returns: entity type names, spans and scrub results."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ENTITY_TYPES",
    "PiiSpan",
    "ScrubResult",
    "ScrubbedPair",
]

#: Every entity type the scrubber can emit. Placeholders are ``[<TYPE>_<n>]``.
ENTITY_TYPES: tuple[str, ...] = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "US_SSN",
    "IBAN_CODE",
    "IP_ADDRESS",
    "STREET_ADDRESS",
    "LOCATION",
    "URL",
    "DATE_OF_BIRTH",
    "SECRET",
)


@dataclass(frozen=True)
class PiiSpan:
    """One detected value: ``text[start:end]`` is of ``type``, found by ``recognizer`` with ``score`` in [0, 1]."""

    type: str
    start: int
    end: int
    score: float
    recognizer: str

    def to_dict(self) -> dict[str, object]:
        """The public offset record written by ``prefloop scrub`` (no score, no value)."""
        return {"type": self.type, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class ScrubResult:
    """A text with every span replaced by its placeholder, and the spans (offsets into the original)."""

    text: str
    spans: list[PiiSpan] = field(default_factory=list)


@dataclass(frozen=True)
class ScrubbedPair:
    """A preference pair after scrubbing; ``entities`` counts replaced spans per type over all its texts."""

    prompt: list[dict[str, str]]
    chosen: str
    rejected: str
    entities: dict[str, int] = field(default_factory=dict)
