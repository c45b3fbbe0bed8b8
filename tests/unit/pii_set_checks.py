"""Checks shared by the tests of the hand-written PII evaluation sets (sets 5 and 6): every mark gives back exactly
the value written, and the benchmark scores the set by shape and language."""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks import pii
from benchmarks.pii_sets import (
    HANDWRITTEN_TAGS,
    KEEP,
    NOT_SCORED,
    Case,
    handwritten_records,
    load_handwritten,
)

_VALUE = re.compile(r"⟦([A-Z]+)\|([^⟦⟧]*)⟧")


def has_private(case: Case) -> bool:
    return any(kind not in (KEEP, NOT_SCORED) for kind, _, _ in case.gold)


def assert_marks_round_trip(path: Path, source: str) -> list[Case]:
    """Each record's marks become spans over their own values, in order and disjoint; the set's cases."""
    records = handwritten_records(path)
    cases = load_handwritten(path=path, source=source)
    assert len(records) == len(cases)
    for (line, lang, shape, marked), case in zip(records, cases, strict=True):
        assert (case.lang, case.shape, case.source) == (lang, shape, source), line
        written = [(HANDWRITTEN_TAGS[tag], value) for tag, value in _VALUE.findall(marked)]
        assert [(kind, case.text[start:end]) for kind, start, end in case.gold] == written, line
        # removing the marks by hand gives the same text, and the spans are ordered and disjoint
        assert _VALUE.sub(lambda m: m.group(2), marked) == case.text, line
        ends = [0, *(x for _, start, end in case.gold for x in (start, end))]
        assert ends == sorted(ends), line
        assert all(case.text[s:e] == case.text[s:e].strip() != "" for _, s, e in case.gold), line
        assert not any(mark in case.text for mark in ("⟦", "⟧", "@@@")), line
    return cases


def assert_scored_by_shape_and_language(cases: list[Case], name: str) -> None:
    """The benchmark runs the set under ``name``; a system that finds nothing has recall 0, keeps every clean
    text, and gets figures for every shape and language."""
    assert name in pii.SETS
    figures = pii.summarize(cases, [[] for _ in cases])
    assert figures["recall"] == 0.0 and figures["clean_preserved"] == 1.0
    assert {c.shape for c in cases} == set(figures["by_shape"])
    assert {c.lang.split("-")[0] for c in cases} == set(figures["by_lang"])
