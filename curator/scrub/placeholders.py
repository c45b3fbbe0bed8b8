"""Consistent placeholders: the same value gets the same ``[TYPE_n]`` in every text scrubbed together.

Numbers count up from 1 per type in order of first appearance, so they carry no information beyond "same or
different value within this group of texts" and nothing links two groups.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from prefloop.curator.scrub.types import PiiSpan

__all__ = ["PlaceholderMap", "normalize_value", "resolve_overlaps"]

_COMPACT_TYPES = frozenset({"PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE"})
_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")


def normalize_value(entity_type: str, value: str) -> str:
    """The identity of a value: digits/letters only for numbers, case- and space-folded otherwise."""
    if entity_type in _COMPACT_TYPES:
        return _NOT_ALNUM.sub("", value).upper()
    return _SPACES.sub(" ", value.strip()).casefold()


def resolve_overlaps(spans: Sequence[PiiSpan], min_score: float = 0.0) -> list[PiiSpan]:
    """Keep the best of overlapping spans (higher score, then longer, then earlier), sorted by position."""
    ranked = sorted(
        (s for s in spans if s.score >= min_score and s.end > s.start),
        key=lambda s: (-s.score, s.start - s.end, s.start),
    )
    kept: list[PiiSpan] = []
    for span in ranked:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    kept.sort(key=lambda s: s.start)
    return kept


class PlaceholderMap:
    """Assigns ``[TYPE_n]`` per distinct (type, normalized value) for one group of texts."""

    def __init__(self) -> None:
        self._by_value: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}

    def placeholder(self, entity_type: str, value: str) -> str:
        key = (entity_type, normalize_value(entity_type, value))
        found = self._by_value.get(key)
        if found is None:
            self._counts[entity_type] = self._counts.get(entity_type, 0) + 1
            found = f"[{entity_type}_{self._counts[entity_type]}]"
            self._by_value[key] = found
        return found

    def apply(self, text: str, spans: Sequence[PiiSpan]) -> str:
        """``text`` with each (non-overlapping, sorted) span replaced by its placeholder."""
        pieces = []
        position = 0
        for span in spans:
            pieces.append(text[position : span.start])
            pieces.append(self.placeholder(span.type, text[span.start : span.end]))
            position = span.end
        pieces.append(text[position:])
        return "".join(pieces)
