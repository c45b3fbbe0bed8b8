"""Whole names: a PERSON span grows over hyphens, particles and following surnames (``Anne-Marie van der Berg``).

The recognizers often find part of a name: the model stops at a hyphen or a particle, a name list knows the first
name only. Leaving the rest visible names the person all the same (``[PERSON_1] van Dalen``), so after the
recognizers each PERSON span is extended:

* backwards over ``Word-`` (``Karl-`` of ``Karl-Heinz``);
* forwards over ``-Word``, over particles followed by a capitalised word (``van der Berg``, ``de la Cruz``,
  ``bin Salman``, ``al-Rashid``) and over one following capitalised surname (``García Vilaró``) when it is a known
  surname and not an ordinary word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from prefloop.curator.scrub.placeholders import resolve_overlaps
from prefloop.curator.scrub.recognizers.wordlists import COMMON_WORDS, NOT_PII
from prefloop.curator.scrub.types import PiiSpan
from prefloop.curator.scrub.vocab import fold, surnames

__all__ = ["PARTICLES", "extend_names"]

#: Particles of surnames in the languages the scrubber sees most (lower case; ``Van`` and ``De`` also count).
PARTICLES = frozenset(
    """
    van vander vanden der den de del della dei degli di da das dos do du la le les lo ter ten te von vom zu zur
    bin binti bint ibn ben bar al el af av y e st. st ap ab mac mc o' d' l' dit
    """.split()  # noqa: SIM905
)
_CAP = r"[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’]*"
_HYPHEN_AFTER = re.compile(rf"-{_CAP}")
_HYPHEN_BEFORE = re.compile(rf"{_CAP}-$")
_PARTICLE_RUN = re.compile(
    r"[ \t]+((?:(?:[Vv]an|[Vv]ander|[Vv]anden|[Dd]er|[Dd]en|[Dd]e|[Dd]el|[Dd]ella|[Dd]ei|[Dd]i|[Dd]a|[Dd]as|[Dd]os|"
    r"[Dd]o|[Dd]u|[Ll]a|[Ll]e|[Tt]er|[Tt]en|[Vv]on|[Vv]om|[Zz]u|[Zz]ur|[Bb]in|binti|bint|[Ii]bn|ben|bar|[Aa]f|[Aa]v|y|"
    r"St\.)[ \t]+)+|(?:al|el|Al|El)-)" + _CAP
)
_NEXT_WORD = re.compile(rf"[ \t]+({_CAP})")


def extend_names(text: str, spans: Sequence[PiiSpan]) -> list[PiiSpan]:
    """``spans`` with every PERSON span grown over the rest of its name (see the module docstring)."""
    if not any(s.type == "PERSON" for s in spans):
        return list(spans)
    result: list[PiiSpan] = []
    ordered = sorted(spans, key=lambda s: s.start)
    for index, span in enumerate(ordered):
        if span.type != "PERSON":
            result.append(span)
            continue
        limit = next((s.start for s in ordered[index + 1 :] if s.type != "PERSON"), len(text))
        floor = next((s.end for s in reversed(result) if s.type != "PERSON"), 0)
        start, end = _grow(text, span.start, span.end, floor, limit)
        result.append(PiiSpan(span.type, start, end, span.score, span.recognizer))
    return resolve_overlaps(result)  # a grown name swallows the part of it found on its own


def _grow(text: str, start: int, end: int, floor: int, limit: int) -> tuple[int, int]:
    while True:
        before = _HYPHEN_BEFORE.search(text, max(floor, start - 30), start)
        if before is None:
            break
        start = before.start()
    grown = True
    surname_added = False
    while grown:
        grown = False
        for pattern in (_HYPHEN_AFTER, _PARTICLE_RUN):
            match = pattern.match(text, end)
            if match and match.end() <= limit:
                end, grown = match.end(), True
        if grown:
            continue
        following = _NEXT_WORD.match(text, end)
        if (
            not surname_added
            and following
            and following.end() <= limit
            and _surname(following.group(1))
            and "\n" not in text[end : following.start(1)]
        ):
            end, grown, surname_added = following.end(), True, True
    return start, end


def _surname(word: str) -> bool:
    if word in NOT_PII or word.lower() in COMMON_WORDS or len(word) < 3:
        return False
    return fold(word) in surnames() and not word.isupper()
