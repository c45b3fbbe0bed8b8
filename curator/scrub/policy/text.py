"""Where a candidate stands in its text: its sentence and paragraph, the word before it."""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from prefloop.curator.scrub.policy.words import RELATION
from prefloop.curator.scrub.vocab import titles

SENTENCE_BREAK = re.compile(r"[.!?](?=\s)|\n")
PARAGRAPH = re.compile(r"\n\s*\n")


def sentence_before(text: str, start: int) -> str:
    window = text[max(0, start - 160) : start]
    breaks = list(SENTENCE_BREAK.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


def sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence holding ``text[start:end]``."""
    return start - len(sentence_before(text, start)), sentence_end(text, end)


def sentence_end(text: str, position: int) -> int:
    """Where the sentence going on at ``position`` ends: the next sentence break (or the text's end)."""
    breaks = _sentence_breaks(text)
    index = bisect_left(breaks, position)
    return breaks[index] if index < len(breaks) else len(text)


@lru_cache(maxsize=256)
def _sentence_breaks(text: str) -> list[int]:
    """Where each sentence break of ``text`` starts: found once per text, not searched for once per name (a text of
    thousands of names and no break was scanned to its end for each of them)."""
    return [m.start() for m in SENTENCE_BREAK.finditer(text)]


def paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    para_start = max((m.end() for m in PARAGRAPH.finditer(text, 0, start)), default=0)
    following = PARAGRAPH.search(text, end)
    return para_start, following.start() if following else len(text)


def gap(a: int, b: int, c: int, d: int) -> int:
    """Characters between the ranges [a, b) and [c, d) (0 when they touch or overlap)."""
    return max(0, c - b, a - d)


def title_before(before: str) -> bool:
    return word_before(before) in titles()


def word_before(before: str) -> str:
    """The last word of ``before`` (lower case), before an optional dot and spaces."""
    match = LAST_WORD.search(before)
    return match.group(1).lower() if match else ""


LAST_WORD = re.compile(r"([^\W\d_]+)\.?\s+$")


def relation_before(before: str) -> bool:
    return bool(re.search(RELATION + r"\s*,?\s*$", before, re.IGNORECASE))


def opens_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'“‘(*->")
    return not before or before[-1] in ".!?\n:"
