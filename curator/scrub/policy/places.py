"""Whether a candidate place is tied to a private person (docs/privacy.md, "Places of private people")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from prefloop.curator.scrub.policy.public import public_paragraph
from prefloop.curator.scrub.policy.text import paragraph, sentence, sentence_before
from prefloop.curator.scrub.policy.words import PERSON_TIE, PLACE_PREPOSITION, SUBJECT_PRONOUN, weak
from prefloop.curator.scrub.types import PiiSpan

#: A place named as a favourite, not as where someone is ("my favourite place in Rome").
_FAVOURITE_BEFORE = re.compile(
    r"\b(?:favou?rite|best-loved)\s+[\w-]+\s+(?:in|of)\s+(?:the\s+)?$", re.IGNORECASE
)
#: A polity or a period after the word: history, not a place ("the capital of the Habsburg empire").
_POLITY_AFTER = re.compile(
    r"\s+(?:empire|dynasty|kingdom|monarchy|era|period|army|navy|war|wars|revolution|republic)\b",
    re.IGNORECASE,
)


def place_tied_to_person(text: str, span: PiiSpan, spans: Sequence[PiiSpan]) -> bool:
    before = sentence_before(text, span.start)
    if not PLACE_PREPOSITION.search(before):
        return False
    if _FAVOURITE_BEFORE.search(before) or _POLITY_AFTER.match(text, span.end):
        return False
    sentence_start = span.start - len(before)
    person_before = any(
        s.type == "PERSON" and not weak(s) and sentence_start <= s.start < span.start for s in spans
    )
    if PERSON_TIE.search(before):
        return True
    if not person_before:
        return False
    para_start, para_end = paragraph(text, span.start, span.end)
    return not public_paragraph(text, para_start, para_end)  # a historical figure's places stay


def tied_to_private_person(
    text: str, span: PiiSpan, people: Sequence[PiiSpan], private_context: bool
) -> bool:
    """A private person (one the policy keeps masked) or, in a text about someone's own affairs, a subject pronoun
    before a preposition and the place, in its sentence; not in a sentence about a public role."""
    before = sentence_before(text, span.start)
    if not PLACE_PREPOSITION.search(before):
        return False
    sentence_start = span.start - len(before)
    if not any(sentence_start <= p.start < span.start for p in people) and not (
        private_context and SUBJECT_PRONOUN.search(before)
    ):
        return False
    return not public_paragraph(text, *sentence(text, span.start, span.end))
