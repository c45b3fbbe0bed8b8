"""PII evaluation set 5 (hand-written, a second author): frozen, its marks give back exactly the values
written, sizes and languages as its README says, and the benchmark runs it under the name ``handwritten2``."""

from __future__ import annotations

import hashlib
from collections import Counter

from benchmarks.pii_sets import HANDWRITTEN2, HANDWRITTEN_TAGS, KEEP, NOT_SCORED, Case, load_handwritten
from tests.unit.pii_set_checks import (
    assert_marks_round_trip,
    assert_scored_by_shape_and_language,
    has_private,
)
from tests.unit.test_pii_handwritten import _iban_valid, _luhn_valid

#: sha256 of the frozen evaluation set 5, committed before the scrubber was ever run on it; a change needs a new
#: set.
EVAL_HANDWRITTEN2_SHA256 = "d8376754fdf2fca1f73264f557245c74d00dc7272cf148576dbb8f5442381e5e"


def _set5() -> list[Case]:
    return load_handwritten(path=HANDWRITTEN2, source="handwritten2")


def test_evaluation_set_5_is_frozen() -> None:
    assert hashlib.sha256(HANDWRITTEN2.read_bytes()).hexdigest() == EVAL_HANDWRITTEN2_SHA256


def test_each_mark_becomes_a_span_over_its_own_value() -> None:
    assert len(assert_marks_round_trip(HANDWRITTEN2, "handwritten2")) >= 300


def test_sizes_labels_and_languages_match_the_readme() -> None:
    cases = _set5()
    private = [c for c in cases if has_private(c)]
    clean = [c for c in cases if not has_private(c)]
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
    assert_scored_by_shape_and_language(_set5(), "handwritten2")
