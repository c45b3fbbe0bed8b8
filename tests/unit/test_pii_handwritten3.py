"""PII evaluation set 6 (hand-written, a third author): frozen, its marks give back exactly the values written, its
sizes, labels and languages are those its README states, its IBANs and card numbers carry valid check digits, and
the benchmark runs it under the name ``handwritten3``."""

from __future__ import annotations

import hashlib
from collections import Counter

from benchmarks import pii
from benchmarks.pii_sets import HANDWRITTEN3, HANDWRITTEN_TAGS, KEEP, NOT_SCORED, Case, load_handwritten
from tests.unit.pii_set_checks import (
    assert_marks_round_trip,
    assert_scored_by_shape_and_language,
    has_private,
)
from tests.unit.test_pii_handwritten import _iban_valid, _luhn_valid

#: sha256 of the frozen evaluation set 6, as the commit that added it (the freeze) holds it, committed before the
#: scrubber was ever run on it; a change needs a new set.
EVAL_HANDWRITTEN3_SHA256 = "df3e184e7250db54ae6149295599f575c017c3d02b0878d510b980015c5b278f"
#: The README's counts: every mark of the set by type.
README_MARKS = {
    "PERSON": 343,
    "LOCATION": 91,
    "STREET_ADDRESS": 86,
    "PHONE_NUMBER": 66,
    "EMAIL_ADDRESS": 57,
    "DATE_OF_BIRTH": 27,
    "SECRET": 21,
    "IP_ADDRESS": 12,
    "IBAN_CODE": 10,
    "URL": 7,
    "CREDIT_CARD": 5,
    "US_SSN": 3,
    KEEP: 273,
    NOT_SCORED: 57,
}
README_LANGUAGES = {
    "en": 170, "de": 13, "fr": 12, "es": 12, "it": 9, "pt": 8, "nl": 8, "pl": 7,
    "tr": 6, "sv": 6, "da": 3, "no": 3, "fi": 3, "cs": 2, "ro": 1, "hu": 1,
}  # fmt: skip


def _set6() -> list[Case]:
    return load_handwritten(path=HANDWRITTEN3, source="handwritten3")


def test_evaluation_set_6_is_frozen() -> None:
    assert hashlib.sha256(HANDWRITTEN3.read_bytes()).hexdigest() == EVAL_HANDWRITTEN3_SHA256


def test_each_mark_of_set_6_becomes_a_span_over_its_own_value() -> None:
    assert len(assert_marks_round_trip(HANDWRITTEN3, "handwritten3")) == 264


def test_set_6_holds_what_its_readme_states() -> None:
    cases = _set6()
    private = [c for c in cases if has_private(c)]
    clean = [c for c in cases if not has_private(c)]
    assert (len(cases), len(private), len(clean)) == (264, 174, 90)
    # the texts with nothing private are exactly the ordinary_* shapes
    assert {c.shape.startswith("ordinary_") for c in clean} == {True}
    assert not any(c.shape.startswith("ordinary_") for c in private)
    marks = Counter(kind for c in cases for kind, _, _ in c.gold)
    assert dict(marks) == README_MARKS and set(README_MARKS) == set(HANDWRITTEN_TAGS.values())
    assert sum(n for kind, n in marks.items() if kind not in (KEEP, NOT_SCORED)) == 728
    assert Counter(c.lang.split("-")[0] for c in cases) == README_LANGUAGES
    assert README_LANGUAGES["en"] / len(cases) < 0.65  # about 60 % English


def test_set_6_ibans_and_card_numbers_carry_valid_check_digits() -> None:
    cases = _set6()
    ibans = [c.text[s:e] for c in cases for k, s, e in c.gold if k == "IBAN_CODE"]
    cards = [c.text[s:e] for c in cases for k, s, e in c.gold if k == "CREDIT_CARD"]
    assert len(ibans) == 10 and all(map(_iban_valid, ibans)), ibans
    assert len(cards) == 5 and all(map(_luhn_valid, cards)), cards
    # nine countries' IBANs, and four card schemes by their leading digits (Visa, Mastercard, Amex, Discover)
    assert len({iban[:2] for iban in ibans}) == 9 and {card[0] for card in cards} == {"3", "4", "5", "6"}


def test_the_benchmark_scores_set_6_by_shape_and_language() -> None:
    cases = _set6()
    assert pii.load_sets(quick=True)["handwritten3"] == cases  # whole, even with --quick
    assert_scored_by_shape_and_language(cases, "handwritten3")
