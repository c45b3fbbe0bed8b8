"""PII evaluation set 4 (hand-written): frozen, every mark parses to the exact value, sizes as documented."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.pii_sets import (
    HANDWRITTEN,
    HANDWRITTEN_TAGS,
    KEEP,
    NOT_SCORED,
    handwritten_records,
    load_handwritten,
)

#: sha256 of the frozen evaluation set 4, written by hand before any tuning on it; a change needs a new set.
EVAL_HANDWRITTEN_SHA256 = "507d2b3ae1c6d47da7f04db78244d938be0905d88d0b234517930c193b7206fa"
_MARK = re.compile(r"⟦([A-Z]+)\|([^⟦⟧]*)⟧")
_TYPE_TAG = {kind: tag for tag, kind in HANDWRITTEN_TAGS.items()}


def _private(kind: str) -> bool:
    return kind not in (KEEP, NOT_SCORED)


def test_evaluation_set_4_is_frozen() -> None:
    assert hashlib.sha256(HANDWRITTEN.read_bytes()).hexdigest() == EVAL_HANDWRITTEN_SHA256


def test_every_span_round_trips_to_the_marked_value() -> None:
    records = handwritten_records()
    cases = load_handwritten()
    assert len(cases) == len(records)
    for (line, _, _, marked), case in zip(records, cases, strict=True):
        values = _MARK.findall(marked)
        assert [(HANDWRITTEN_TAGS[tag], value) for tag, value in values] == [
            (kind, case.text[start:end]) for kind, start, end in case.gold
        ], line
        # the marks put back at the computed offsets give the record exactly as written
        rebuilt, position = [], 0
        for kind, start, end in case.gold:
            rebuilt += [case.text[position:start], f"⟦{_TYPE_TAG[kind]}|{case.text[start:end]}⟧"]
            position = end
        assert "".join([*rebuilt, case.text[position:]]) == marked, line
        assert "⟦" not in case.text and "⟧" not in case.text and "@@@" not in case.text, line
        for kind, start, end in case.gold:
            value = case.text[start:end]
            assert value and value == value.strip(), (line, kind, value)
        assert all(a[2] <= b[1] for a, b in zip(case.gold, case.gold[1:], strict=False)), (
            line
        )  # ordered, no overlap


def test_sizes_labels_and_languages() -> None:
    cases = load_handwritten()
    private = [c for c in cases if any(_private(kind) for kind, _, _ in c.gold)]
    clean = [c for c in cases if not any(_private(kind) for kind, _, _ in c.gold)]
    values = Counter(kind for c in cases for kind, _, _ in c.gold if _private(kind))
    assert len(private) >= 250 and sum(values.values()) >= 700
    assert len(clean) >= 150 and all(c.shape.startswith("ordinary_") for c in clean)
    assert all(not c.shape.startswith("ordinary_") for c in private)
    assert set(HANDWRITTEN_TAGS.values()) - {NOT_SCORED} <= set(values) | {KEEP}
    assert sum(kind == KEEP for c in cases for kind, _, _ in c.gold) >= 150
    languages = {c.lang.split("-")[0] for c in cases}
    assert {"en", "de", "fr", "es", "it", "pt", "nl"} <= languages and len(languages) >= 15


def _iban_valid(value: str) -> bool:
    compact = value.replace(" ", "")
    digits = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def _luhn_valid(value: str) -> bool:
    total = 0
    for index, digit in enumerate(int(ch) for ch in reversed(re.sub(r"\D", "", value))):
        total += digit if index % 2 == 0 else (digit * 2 - 9 if digit > 4 else digit * 2)
    return total % 10 == 0


@pytest.mark.parametrize(("kind", "valid"), [("IBAN_CODE", _iban_valid), ("CREDIT_CARD", _luhn_valid)])
def test_numbers_with_check_digits_are_well_formed(kind: str, valid: Callable[[str], bool]) -> None:
    values = [c.text[s:e] for c in load_handwritten() for k, s, e in c.gold if k == kind]
    assert values and all(valid(v) for v in values)


def test_a_broken_mark_names_its_line(tmp_path: Path) -> None:
    source = tmp_path / "set.txt"
    source.write_text("# comment\n@@@ en chat\nhi ⟦Q|Ann⟧\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"set\.txt:2: unknown tag 'Q'"):
        load_handwritten(path=source)
    source.write_text("@@@ en chat\nhi ⟦P|Ann\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"set\.txt:1: a mark is not closed"):
        load_handwritten(path=source)
    source.write_text("@@@ en\nhi\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"set\.txt:1: a header is"):
        load_handwritten(path=source)
