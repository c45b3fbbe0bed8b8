"""Cross-span rules run after the recognizers, over one text's candidate spans.

* **Name propagation**: once ``Ernest Takuda`` is a person, a later ``Takuda`` (or ``Ernest``) is too.
* **Lists**: in ``Jan, Kristi, Stephen, Julie and Nina``, when most items are already people, all are.
* **Address blocks**: the short, capitalised lines right above a street address (``Jane Roe`` over
  ``12 Elm Street``) are the addressee's name.

Each rule adds candidates with a score high enough to win over a weaker, conflicting guess (the NER model often
calls a lone first name a place); overlaps are resolved afterwards as usual.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from prefloop.curator.scrub.ranges import containment
from prefloop.curator.scrub.recognizers.wordlists import NOT_PII
from prefloop.curator.scrub.types import PiiSpan

__all__ = ["link_across", "link_spans"]

PROPAGATED_SCORE = 0.72
LIST_SCORE = 0.73
BLOCK_NAME_SCORE = 0.66
_CAP_WORD = r"[A-ZÀ-ÖØ-ÞΑ-ΩА-Я][\w'’-]+"
_WORD = re.compile(r"[^\W\d_](?:[\w-]|['’](?!s\b))*")
_LIST = re.compile(rf"{_CAP_WORD}(?:,[ \t]+{_CAP_WORD}){{1,12}},?[ \t]+(?:and|&|or)[ \t]+{_CAP_WORD}")
_LIST_ITEM = re.compile(_CAP_WORD)
_LINE_PREFIX = re.compile(r"^[ \t>?|*•-]*")
_ORG_WORDS = re.compile(
    r"\b(?:Ltd|Inc|LLC|LLP|GmbH|AG|SA|Corp|Corporation|Company|Co|Group|Holdings|App|Technologies|Technology|"
    r"Resources|Services|Solutions|Systems|Partners|Bank|University|Department|Agency|Labs?|Foundation|Institute|"
    r"Association|Government|Incorporated|Industries|International|Media|Software|Energy)\b\.?"
)
_NAME_LINE = re.compile(rf"^(?:(?:Mr|Mrs|Ms|Dr|Prof|Miss)\.?[ \t]+)?{_CAP_WORD}(?:[ \t]+{_CAP_WORD}){{1,3}}$")


def link_spans(text: str, spans: Sequence[PiiSpan]) -> list[PiiSpan]:
    """Extra candidate spans implied by ``spans`` (see the module docstring)."""
    extra: list[PiiSpan] = []
    if any(s.type == "PERSON" for s in spans):
        extra.extend(_propagate_names(text, spans))
        extra.extend(_lists(text, spans))
    if any(s.type == "STREET_ADDRESS" for s in spans):
        extra.extend(_address_block_names(text, spans))
    return extra


def _propagate_names(text: str, spans: Sequence[PiiSpan]) -> list[PiiSpan]:
    names = {text[s.start : s.end] for s in spans if s.type == "PERSON"}
    parts = {part for name in names for part in name.split() if len(part) > 2 and part[0].isupper()}
    parts -= NOT_PII
    if not parts:
        return []
    inside_a_name = containment([(s.start, s.end) for s in spans if s.type == "PERSON"])
    return [
        PiiSpan("PERSON", m.start(), m.end(), PROPAGATED_SCORE, "link:name")
        for m in _WORD.finditer(text)
        if m.group() in parts and not inside_a_name(m.start(), m.end())
    ]


def _lists(text: str, spans: Sequence[PiiSpan]) -> list[PiiSpan]:
    """Items of a list of single words are all people when people outnumber places among them."""
    people = {(s.start, s.end) for s in spans if s.type == "PERSON"}
    places = {(s.start, s.end) for s in spans if s.type == "LOCATION"}
    extra: list[PiiSpan] = []
    for match in _LIST.finditer(text):
        items = [
            m for m in _LIST_ITEM.finditer(text, match.start(), match.end()) if m.group() not in ("And", "Or")
        ]
        known = sum((m.start(), m.end()) in people for m in items)
        placed = sum((m.start(), m.end()) in places for m in items)
        if known and known >= placed and known < len(items):
            extra.extend(
                PiiSpan("PERSON", m.start(), m.end(), LIST_SCORE, "link:list")
                for m in items
                if (m.start(), m.end()) not in people and m.group() not in NOT_PII
            )
    return extra


def _address_block_names(text: str, spans: Sequence[PiiSpan]) -> list[PiiSpan]:
    extra = []
    for address in (s for s in spans if s.type == "STREET_ADDRESS"):
        line_start = text.rfind("\n", 0, address.start) + 1
        if text[line_start : address.start].strip(" \t>?|*•-"):
            continue  # the address does not start its line: not a block
        position = line_start - 1
        for _ in range(3):
            if position <= 0:
                break
            previous_start = text.rfind("\n", 0, position) + 1
            line = text[previous_start:position]
            prefix = _LINE_PREFIX.match(line)
            offset = prefix.end() if prefix else 0
            content = line[offset:].rstrip()
            position = previous_start - 1
            if not content:
                continue
            if (
                _NAME_LINE.match(content)
                and not _ORG_WORDS.search(content)
                and content.split()[0] not in NOT_PII
            ):
                start = previous_start + offset
                extra.append(
                    PiiSpan("PERSON", start, start + len(content), BLOCK_NAME_SCORE, "link:address_block")
                )
    return extra


def link_across(texts: Sequence[str], analyzed: Sequence[Sequence[PiiSpan]]) -> list[list[PiiSpan]]:
    """Names found in one text of a group (a pair's prompt, context and answers) masked in all of them, whatever
    their case or diacritics (``Sarah Connolly`` in the prompt: ``SARAH`` and ``Connolly`` in the answer)."""
    from prefloop.curator.scrub.placeholders import resolve_overlaps
    from prefloop.curator.scrub.vocab import fold

    parts = {
        fold(part)
        for text, spans in zip(texts, analyzed, strict=True)
        for s in spans
        if s.type == "PERSON"
        for part in text[s.start : s.end].split()
        if len(part) > 2 and part[0].isupper() and part not in NOT_PII
    }
    if not parts:
        return [list(spans) for spans in analyzed]
    result = []
    for text, spans in zip(texts, analyzed, strict=True):
        extra = [
            PiiSpan("PERSON", m.start(), m.end(), PROPAGATED_SCORE, "link:pair")
            for m in _WORD.finditer(text)
            if m.group()[0].isupper()
            and fold(m.group()) in parts
            and not any(s.start <= m.start() and m.end() <= s.end for s in spans)
        ]
        result.append(resolve_overlaps([*spans, *_join_adjacent(text, extra)]) if extra else list(spans))
    return result


def _join_adjacent(text: str, spans: Sequence[PiiSpan]) -> list[PiiSpan]:
    """``SARAH`` ``CONNOLLY`` found apart, one space between them: one name."""
    joined: list[PiiSpan] = []
    for span in sorted(spans, key=lambda s: s.start):
        if joined and text[joined[-1].end : span.start] in (" ", "\t"):
            last = joined.pop()
            span = PiiSpan(last.type, last.start, span.end, last.score, last.recognizer)
        joined.append(span)
    return joined
