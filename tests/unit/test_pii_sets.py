"""The PII benchmark's sets: evaluation set 2 and preservation set 2 are frozen, labels sit on real text."""

from __future__ import annotations

import hashlib
from pathlib import Path

from benchmarks import pii_chat, pii_mimesis
from benchmarks.pii_sets import (
    KEEP,
    NOT_SCORED,
    load_chat,
    load_mimesis,
    load_ordinary,
    load_ordinary_prompts,
    load_presidio_research,
)

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "pii"
#: sha256 of the frozen evaluation set 2; changing the file needs a new set, not an edit.
EVAL_MIMESIS_SHA256 = "31579f0b910ad2e6712ecd277709ad0894bfcf173431a3eab8b705bda1585108"
#: sha256 of the frozen evaluation set 3 (chat: hand-written pools and templates), written before tuning on it.
EVAL_CHAT_SHA256 = "c77bf73091cbc840300aca9adfaabdbdd02c8ac339fd50229b7d1b72594b4aff"
#: sha256 of the frozen preservation set 2 (MT-bench, Vicuna-bench, XSTest), built before any tuning on it.
ORDINARY_PROMPTS_SHA256 = "70683d8c3c8d5671875248cd1d25af11ffb4cdbf0dfc20c56a9142554783a0a3"


def test_evaluation_set_2_is_frozen_and_regenerates_byte_for_byte(tmp_path: Path) -> None:
    frozen = (DATA / "eval_mimesis.jsonl").read_bytes()
    assert hashlib.sha256(frozen).hexdigest() == EVAL_MIMESIS_SHA256
    pii_mimesis.main(["--out", str(tmp_path / "again.jsonl")])
    assert (tmp_path / "again.jsonl").read_bytes() == frozen


def test_evaluation_set_3_is_frozen_and_regenerates_byte_for_byte(tmp_path: Path) -> None:
    frozen = (DATA / "eval_chat.jsonl").read_bytes()
    assert hashlib.sha256(frozen).hexdigest() == EVAL_CHAT_SHA256
    pii_chat.main(["--out", str(tmp_path / "again.jsonl")])
    assert (tmp_path / "again.jsonl").read_bytes() == frozen


def test_evaluation_set_3_labels_cover_values_of_every_kind() -> None:
    chat = load_chat()
    assert len(chat) == 550
    for case in chat:
        for kind, start, end in case.gold:
            assert 0 <= start < end <= len(case.text)
            value = case.text[start:end]
            assert value.strip() == value and value, (case.shape, kind)
    kinds = {kind for case in chat for kind, _, _ in case.gold}
    assert {
        KEEP,
        "PERSON",
        "STREET_ADDRESS",
        "LOCATION",
        "PHONE_NUMBER",
        "EMAIL_ADDRESS",
        "IBAN_CODE",
    } <= kinds
    clean = [case for case in chat if all(kind == KEEP for kind, _, _ in case.gold)]
    assert len(clean) == 80  # ordinary replies: public figures, places, products, organisations


def test_every_label_covers_a_non_blank_value_and_sets_have_their_sizes() -> None:
    mimesis = load_mimesis()
    research = load_presidio_research()
    assert len(mimesis) == 740 and len(research) == 2109
    for case in mimesis + research:
        for kind, start, end in case.gold:
            assert 0 <= start < end <= len(case.text)
            assert case.text[start:end].strip(), (case.shape, kind)
    kinds = {kind for case in mimesis for kind, _, _ in case.gold}
    assert {KEEP, "PERSON", "SECRET", "STREET_ADDRESS", "EMAIL_ADDRESS", "PHONE_NUMBER"} <= kinds
    relabelled = {kind for case in research for kind, _, _ in case.gold}
    assert {KEEP, NOT_SCORED, "DATE_OF_BIRTH"} <= relabelled


def test_preservation_set_has_no_labels() -> None:
    ordinary = load_ordinary()
    assert len(ordinary) == 698
    prompts = load_ordinary_prompts()
    assert len(prompts) == 482 and {c.shape for c in prompts} == {"mt_bench", "vicuna_bench", "xstest"}
    assert all(not case.gold and case.text.strip() for case in ordinary + prompts)


def test_preservation_set_2_is_frozen() -> None:
    frozen = (DATA / "ordinary_prompts.jsonl").read_bytes()
    assert hashlib.sha256(frozen).hexdigest() == ORDINARY_PROMPTS_SHA256
