"""Consistent placeholders: the same value gets the same ``[TYPE_n]`` in every text scrubbed together.

Numbers count up from 1 per type in order of first appearance, so they carry no information beyond "same or
different value within this group of texts" and nothing links two groups.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from prefloop.curator.scrub.types import PiiSpan
from prefloop.curator.scrub.vocab import fold, titles

__all__ = ["PlaceholderMap", "normalize_value", "resolve_overlaps"]

_COMPACT_TYPES = frozenset({"PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE"})
_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")
_WORDS = re.compile(r"[^\W\d_][\w'’]*")
_PARTICLES = frozenset(
    "van der den de del della di da das dos du la le ter ten von zu bin binti ibn al el af av y".split()  # noqa: SIM905
)


def normalize_value(entity_type: str, value: str) -> str:
    """The identity of a value: digits/letters only for numbers, case- and space-folded otherwise."""
    if entity_type in _COMPACT_TYPES:
        return _NOT_ALNUM.sub("", value).upper()
    if entity_type == "PERSON":
        return _SPACES.sub(" ", fold(value.strip()))
    return _SPACES.sub(" ", value.strip()).casefold()


def resolve_overlaps(spans: Sequence[PiiSpan], min_score: float = 0.0) -> list[PiiSpan]:
    """Merge overlapping spans into one covering their union (docs/privacy.md: a value partly found is still
    masked whole), typed by the best of them (higher score, then longer, then earlier); sorted by position."""
    candidates = sorted(
        (s for s in spans if s.score >= min_score and s.end > s.start), key=lambda s: (s.start, -s.end)
    )
    merged: list[PiiSpan] = []
    cluster: list[PiiSpan] = []
    cluster_end = -1
    for span in candidates:
        if cluster and span.start >= cluster_end:
            merged.append(_union(cluster))
            cluster = []
        cluster.append(span)
        cluster_end = max(cluster_end, span.end) if len(cluster) > 1 else span.end
    if cluster:
        merged.append(_union(cluster))
    return merged


def _union(cluster: Sequence[PiiSpan]) -> PiiSpan:
    best = min(cluster, key=lambda s: (-s.score, s.start - s.end, s.start))
    start, end = min(s.start for s in cluster), max(s.end for s in cluster)
    return best if (best.start, best.end) == (start, end) else replace(best, start=start, end=end)


class PlaceholderMap:
    """Assigns ``[TYPE_n]`` per distinct (type, normalized value) for one group of texts.

    People first go through ``register_people``: a partial form (first name alone, surname alone, title +
    surname, another case or diacritics) of a full name in the group gets the full name's placeholder.
    """

    def __init__(self) -> None:
        self._by_value: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}
        self._person_parts: dict[str, str] = {}

    def register_people(self, names: Sequence[str]) -> None:
        """Number the full names among ``names`` (longest first) and remember which name each part belongs to."""
        owners: dict[str, set[str]] = {}
        full = sorted({n for n in names if len(_name_parts(n)) > 1}, key=lambda n: (-len(_name_parts(n)), n))
        for name in full:
            key = " ".join(_name_parts(name))
            for part in _name_parts(name):
                owners.setdefault(part, set()).add(key)
        for part, keys in owners.items():
            if len(keys) == 1:  # a part shared by two different people names neither
                self._person_parts[part] = next(iter(keys))

    def placeholder(self, entity_type: str, value: str) -> str:
        normalized = normalize_value(entity_type, value)
        if entity_type == "PERSON":
            parts = _name_parts(value)
            owners = {self._person_parts.get(p) for p in parts}
            if parts and len(owners) == 1 and None not in owners:
                normalized = owners.pop() or normalized
            elif parts:
                normalized = " ".join(parts)
        key = (entity_type, normalized)
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


def _name_parts(name: str) -> list[str]:
    """The folded words of a name that identify (no titles, no particles, no initials)."""
    words = [fold(w.strip(".,'’")) for w in _WORDS.findall(name)]
    return [w for w in words if len(w) > 1 and w not in titles() and w not in _PARTICLES]
