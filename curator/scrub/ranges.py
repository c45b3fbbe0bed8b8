"""Questions about many character ranges of one text, answered without comparing every pair (a text of thousands
of names must not cost millions of comparisons)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate

__all__ = ["containment", "union"]


def union(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """``ranges`` merged where they overlap or touch, in order."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1]:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged


def containment(ranges: Sequence[tuple[int, int]]) -> Callable[[int, int], bool]:
    """Whether ``[start, end)`` lies inside one of ``ranges`` (each ``(low, high)``, ``low <= start`` and ``end <=
    high``): of the ranges that start at or before ``start``, the one reaching furthest — a running maximum over the
    ranges sorted by start, found by bisection."""
    ordered = sorted(ranges)
    lows = [low for low, _ in ordered]
    reach = list(accumulate((high for _, high in ordered), max))

    def inside(start: int, end: int) -> bool:
        index = bisect_right(lows, start)
        return index > 0 and reach[index - 1] >= end

    return inside
