"""Signs of a public role: a public figure's name, a year of history, a country or region."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from functools import lru_cache

from prefloop.curator.scrub.policy.text import (
    gap,
    paragraph,
    relation_before,
    sentence,
    title_before,
)
from prefloop.curator.scrub.policy.words import (
    ADMIRED_BEFORE,
    CALENDAR_DATE,
    GREETING_BEFORE,
    PERSONAL_CUE_BEFORE,
    PUBLIC_CONTEXT,
    PUBLIC_USE_AFTER,
    PUBLIC_USE_BEFORE,
    YEAR,
)
from prefloop.curator.scrub.types import PiiSpan
from prefloop.curator.scrub.vocab import fold, public_places

#: How near a public-role word must stand to a name with a personal cue to make it a public figure's ("Tell Sarah
#: I loved the film" is no film of Sarah's; "President X", "X, the author" are).
PUBLIC_WORD_REACH = 15


def history_year(text: str, start: int, end: int) -> bool:
    """A year in ``text[start:end]`` that is not part of a calendar date of this century ("in 1965", "the 1990s",
    but not "on 12 March 2026" nor "2026-03-12")."""
    return _found_from(_history_year_from, _reach("year", text, end), text, start, end)


def _history_year_from(text: str, start: int, end: int) -> int | None:
    """Where the first year of history in ``text[start:end]`` starts (None: there is none)."""
    for year in YEAR.finditer(text, start, end):
        window_start = max(0, year.start() - 24)
        dates = CALENDAR_DATE.finditer(text, window_start, min(len(text), year.end() + 8))
        if not any(d.start() <= year.start() and year.end() <= d.end() for d in dates):
            return year.start()
    return None


def public_use(text: str, span: PiiSpan) -> bool:
    """The name is used as a public figure's is: someone has fans, concerts, songs or novels, or is quoted by work."""
    before = text[max(0, span.start - 40) : span.start]
    if relation_before(before):
        return False
    if len(text[span.start : span.end].split()) > 1 and ADMIRED_BEFORE.search(before):
        return True  # "obsessed with Simone Biles"; a first name alone ("obsessed with Sarah") may be anyone
    return bool(PUBLIC_USE_AFTER.match(text, span.end) or PUBLIC_USE_BEFORE.search(before))


def public_role(
    text: str, span: PiiSpan, contact: Sequence[PiiSpan], others: Sequence[tuple[int, int]] = ()
) -> bool:
    """A cue-found name in a public role, with no contact details, relation or greeting: in a paragraph about a public
    role ("Mr. Darcy" in a novel's summary, "— Albert Einstein" under a quote); after a personal cue ("my name is",
    "booked under"), only by a public-role word right beside it that no other name stands nearer to ("My name is
    Dana and I loved the film" keeps no one public)."""
    para_start, para_end = paragraph(text, span.start, span.end)
    if any(para_start <= c.start < para_end for c in contact):
        return False
    before = text[max(0, span.start - 40) : span.start]
    if relation_before(before) or GREETING_BEFORE.search(before.rstrip(" .").rsplit(" ", 1)[0] + " "):
        return False
    if not title_before(before) and PERSONAL_CUE_BEFORE.search(before):
        return public_word_of(text, span, sentence(text, span.start, span.end), others, PUBLIC_WORD_REACH)
    return public_context(text, para_start, para_end)  # a year alone does not outweigh a cue


def public_word_of(
    text: str,
    span: PiiSpan,
    scope: tuple[int, int],
    others: Sequence[tuple[int, int]],
    reach: int | None = None,
) -> bool:
    """A public-role word in ``text[scope]`` (within ``reach`` characters of the name, if given) that belongs to this
    name: no other candidate name is nearer to it ("... and my favourite singer is Kylie Minogue": the singer is
    Kylie Minogue)."""
    for word in PUBLIC_CONTEXT.finditer(text, *scope):
        mine = gap(span.start, span.end, *word.span())
        if reach is not None and mine > reach:
            continue
        if not any(
            gap(a, b, *word.span()) < mine
            for a, b in others
            if (b <= span.start or a >= span.end) and scope[0] <= a < scope[1]
        ):
            return True
    return False


def public_context(text: str, start: int, end: int) -> bool:
    """A public-role word in ``text[start:end]``."""
    return _found_from(_public_word_from, _reach("context", text, end), text, start, end)


def _public_word_from(text: str, start: int, end: int) -> int | None:
    match = PUBLIC_CONTEXT.search(text, start, end)
    return None if match is None else match.start()


class _Reach:
    """What is known of one text up to one end: every start up to ``found`` finds something before the end (a hit
    starts at ``found``), every start from ``none`` on finds nothing. Both patterns look behind a search's start and
    do not overlap themselves, so a start's answer holds for every earlier start (a hit) or later one (none)."""

    __slots__ = ("found", "none")

    def __init__(self) -> None:
        self.found = -1
        self.none = sys.maxsize


# The policy asks these of the same sentence once per candidate in it, each from its own start (a candidate's
# sentence starts at most 160 characters before it) up to the sentence's end: a text of thousands of names with no
# sentence break asked thousands of searches to its end. What one answer says of other starts is kept per end.
@lru_cache(maxsize=4096)
def _reach(kind: str, text: str, end: int) -> _Reach:
    return _Reach()


def _found_from(
    first_from: Callable[[str, int, int], int | None], reach: _Reach, text: str, start: int, end: int
) -> bool:
    if start <= reach.found:
        return True
    if start >= reach.none:
        return False
    hit = first_from(text, start, end)
    if hit is None:
        reach.none = min(reach.none, start)
        return False
    reach.found = max(reach.found, hit)
    return True


@lru_cache(maxsize=4096)
def public_paragraph(text: str, start: int, end: int) -> bool:
    """A public-role word or a year in ``text[start:end]``."""
    return public_context(text, start, end) or history_year(text, start, end)


def public_place(value: str) -> bool:
    folded = fold(value.strip(" .,;:"))
    for conjunction in (" and", " &", " or"):
        folded = folded.removesuffix(conjunction)  # the model's cut of "Bosnia and Herzegovina"
    if folded in public_places():
        return True
    head, _, last = folded.rpartition(" ")
    return last in ("state", "province", "region", "county", "land") and head in public_places()
