"""The small parts at an address's end, in any language: units and floors ("apto 82", "2.º izq.", "3. OG rechts"),
which side of a landing, and where an address written inside other text closes (a bracket, an in-line separator).
:mod:`~prefloop.curator.scrub.recognizers.address` asks these of each segment after a street line."""

from __future__ import annotations

import re
from functools import cache

from prefloop.curator.scrub.vocab import fold, unit_words

__all__ = [
    "SIDE_WORDS",
    "closing",
    "floor_segment",
    "unit_before",
    "unit_before_dot",
    "unit_or_side_words",
    "unit_segment",
    "unit_word_set",
]

_UNIT_SEGMENT = re.compile(r"^(?P<word>[^\W\d_]{1,12})\.?:?[ \t]*(?:n[º°o]\.?[ \t]*)?[\w-]{1,6}\.?$")


def unit_segment(segment: str) -> bool:
    """A unit, floor or building part in any language libpostal lists ("int. 4", "apto 82", "lgh 1201", "D: 3")."""
    match = _UNIT_SEGMENT.match(segment)
    return bool(
        match and any(ch.isdigit() for ch in segment) and fold(match.group("word")) in unit_word_set()
    )


def unit_before(text: str, start: int, end: int) -> bool:
    """A unit word right before a dot ("int. 4", "Whg. 3"), or a floor's number before a unit or side word ("3. OG
    rechts", "3. tv."): an abbreviation or an ordinal, not a sentence end."""
    word = re.search(r"[^\W\d_]+$", text[start:end])
    if word and fold(word.group()) in unit_word_set() and re.match(r"\.[ \t]*[A-Z]?\d", text[end:]):
        return True
    after = _WORD_AFTER_DOT.match(text, end)
    return bool(
        re.search(r"(?<![\d.])\d{1,2}$", text[start:end])
        and after
        and fold(after.group(1)) in unit_or_side_words()
    )


_WORD_AFTER_DOT = re.compile(r"\.[ \t]+([^\W\d_]+)")

#: Unit and floor words libpostal's lists lack ("lok." Polish premises, "sc." Romanian staircase, "em." Hungarian
#: floor, "bl." block is listed), folded.
_EXTRA_UNIT_WORDS = frozenset({"lok", "lokal", "sc", "scara", "em", "emelet", "ajto", "etaj", "et"})

#: Which side of a landing a flat is on, in the languages that write it in an address ("2.º izq.", "1.º Dto.",
#: "3. OG rechts", "3. tv."), folded: left, right, middle, front.
SIDE_WORDS = frozenset(
    """
    izq izqda izda izquierda dcha dch drcha derecha der ctro centro esq esqda esquerdo esquerda dto dta direito
    direita frente fte links rechts mitte li re tv th mf venstre hojre sx dx
    """.split()  # noqa: SIM905
)


@cache
def unit_word_set() -> frozenset[str]:
    """libpostal's unit words of every language and the few it lacks, folded (made once: asked per segment)."""
    return unit_words() | _EXTRA_UNIT_WORDS | {"d", "m", "apt", "no"}


@cache
def unit_or_side_words() -> frozenset[str]:
    """:func:`unit_word_set` and :data:`SIDE_WORDS` together."""
    return unit_word_set() | SIDE_WORDS


_FLOOR_TOKEN = re.compile(r"^(?:\d{1,3}(?:\.?[º°ª]|\.|e|er|re|ème|o|a|st|nd|rd|th)?\.?|[IVX]{1,4}\.?)$")


def floor_segment(segment: str) -> bool:
    """A floor, door or side part of an address in any language: a number or ordinal and unit or side words only,
    at most four words ("4.º izda", "2e étage", "3. OG rechts", "3. tv", "B 14")."""
    words = segment.split()
    if not 1 < len(words) <= 4 or not any(ch.isdigit() for ch in segment):
        return False
    if sum(ch.isdigit() for ch in segment) > 4:
        return False  # "74 831 591 office": a phone number's digits, not a floor
    numbered = False
    for word in words:
        if _FLOOR_TOKEN.match(word):
            numbered = True
        elif fold(word.strip(".,")) not in unit_or_side_words() and not (len(word) == 1 and word.isupper()):
            return False
    return numbered


#: An in-line separator between the parts of a signature or a contact line: a middle dot, bar, bullet or dash
#: with spaces round it.
_SEPARATOR = re.compile(r"[ \t][·|•–—][ \t]")


def closing(segment: str) -> int | None:
    """Where ``segment`` closes a bracket it did not open, or meets an in-line separator; None if it does neither."""
    depth = 0
    for index, char in enumerate(segment):
        if char in "([":
            depth += 1
        elif char in ")]":
            if depth == 0:
                return index
            depth -= 1
    separator = _SEPARATOR.search(segment)
    return separator.start() if separator else None


def unit_before_dot(text: str, end: int) -> bool:
    word = re.search(r"[^\W\d_]+\Z", text[max(0, end - 12) : end])
    return bool(word and fold(word.group()) in unit_or_side_words())
