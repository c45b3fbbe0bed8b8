"""PII evaluation set 5 (hand-written, a second author): frozen, its marks give back exactly the values
written, sizes and languages as its README says, and the benchmark runs it under the name ``handwritten2``."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from benchmarks import pii
from benchmarks.pii_sets import (
    HANDWRITTEN2,
    HANDWRITTEN_TAGS,
    KEEP,
    NOT_SCORED,
    Case,
    handwritten_records,
    load_handwritten,
)
from tests.unit.test_pii_handwritten import _iban_valid, _luhn_valid

#: sha256 of the frozen evaluation set 5, committed before the scrubber was ever run on it; a change needs a new
#: set.
EVAL_HANDWRITTEN2_SHA256 = "d8376754fdf2fca1f73264f557245c74d00dc7272cf148576dbb8f5442381e5e"
_VALUE = re.compile(r"⟦([A-Z]+)\|([^⟦⟧]*)⟧")


def _set5() -> list[Case]:
    return load_handwritten(path=HANDWRITTEN2, source="handwritten2")


def _has_private(case: Case) -> bool:
    return any(kind not in (KEEP, NOT_SCORED) for kind, _, _ in case.gold)


def test_evaluation_set_5_is_frozen() -> None:
    assert hashlib.sha256(HANDWRITTEN2.read_bytes()).hexdigest() == EVAL_HANDWRITTEN2_SHA256


def test_each_mark_becomes_a_span_over_its_own_value() -> None:
    records = handwritten_records(HANDWRITTEN2)
    cases = _set5()
    assert len(records) == len(cases) >= 300
    for (line, lang, shape, marked), case in zip(records, cases, strict=True):
        assert (case.lang, case.shape, case.source) == (lang, shape, "handwritten2"), line
        written = [(HANDWRITTEN_TAGS[tag], value) for tag, value in _VALUE.findall(marked)]
        assert [(kind, case.text[start:end]) for kind, start, end in case.gold] == written, line
        # removing the marks by hand gives the same text, and the spans are ordered and disjoint
        assert _VALUE.sub(lambda m: m.group(2), marked) == case.text, line
        ends = [0, *(x for _, start, end in case.gold for x in (start, end))]
        assert ends == sorted(ends), line
        assert all(case.text[s:e] == case.text[s:e].strip() != "" for _, s, e in case.gold), line
        assert not any(mark in case.text for mark in ("⟦", "⟧", "@@@")), line


def test_sizes_labels_and_languages_match_the_readme() -> None:
    cases = _set5()
    private = [c for c in cases if _has_private(c)]
    clean = [c for c in cases if not _has_private(c)]
    assert len(private) >= 180 and len(clean) >= 100
    # texts with nothing private are the ordinary_* shapes, and only they
    assert all(c.shape.startswith("ordinary_") for c in clean)
    assert not any(c.shape.startswith("ordinary_") for c in private)
    kinds = Counter(kind for c in cases for kind, _, _ in c.gold)
    assert set(HANDWRITTEN_TAGS.values()) <= set(kinds)
    assert kinds[KEEP] >= 200 and sum(n for k, n in kinds.items() if k not in (KEEP, NOT_SCORED)) >= 700
    languages = {c.lang.split("-")[0] for c in cases}
    assert {"en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "tr"} <= languages and len(languages) >= 12


def test_ibans_and_card_numbers_carry_valid_check_digits() -> None:
    cases = _set5()
    ibans = [c.text[s:e] for c in cases for k, s, e in c.gold if k == "IBAN_CODE"]
    cards = [c.text[s:e] for c in cases for k, s, e in c.gold if k == "CREDIT_CARD"]
    assert len(ibans) >= 15 and all(map(_iban_valid, ibans)), ibans
    assert len(cards) >= 5 and all(map(_luhn_valid, cards)), cards


def test_the_benchmark_scores_set_5_by_shape_and_language() -> None:
    cases = _set5()
    assert "handwritten2" in pii.SETS
    # a system that finds nothing: recall 0, every clean text kept, figures per shape and language present
    figures = pii.summarize(cases, [[] for _ in cases])
    assert figures["recall"] == 0.0 and figures["clean_preserved"] == 1.0
    assert {c.shape for c in cases} == set(figures["by_shape"])
    assert {c.lang.split("-")[0] for c in cases} == set(figures["by_lang"])
