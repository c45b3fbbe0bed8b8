"""Name lists, country names and the cross-span linking rules (no spaCy model needed)."""

from __future__ import annotations

import pytest

from prefloop.curator.scrub.linking import link_spans
from prefloop.curator.scrub.placeholders import normalize_value, resolve_overlaps
from prefloop.curator.scrub.recognizers import CountryRecognizer, NameListRecognizer
from prefloop.curator.scrub.types import PiiSpan


@pytest.fixture(scope="module")
def names() -> NameListRecognizer:
    recognizer = NameListRecognizer()
    recognizer.load()
    return recognizer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Don't go to town, Paul! Ask Georgina first.", ["Paul", "Georgina"]),
        ("The invoice went to Nina Patel yesterday.", ["Nina Patel"]),
        ("Jordan: who are you?\nMary: a friend.", ["Jordan", "Mary"]),
        ("Will this work? Mark it done, May is fine, Grace period ends.", []),
        ("Write a poem about the Jordan river.", []),
        ("New Features For Kevin In This Release", []),
        ("Meet me on Madison Avenue.", []),
        ("she named him joshua", ["joshua"]),
        ("producer matthew pušaver explained", ["matthew pušaver"]),
        ("```python\nuser = 'Kevin'\n```", []),
    ],
)
def test_name_list_table(names: NameListRecognizer, text: str, expected: list[str]) -> None:
    assert [text[s.start : s.end] for s in names.analyze(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm originally from Botswana.", ["Botswana"]),
        ("moved from antigua and barbuda last year", ["antigua and barbuda"]),
        ("Send it to Saint Kitts and Nevis 05986", ["Saint Kitts and Nevis"]),
        ("who is coming to chad with me?", []),
        ("I love turkey sandwiches and the Jordan river.", []),
    ],
)
def test_country_table(text: str, expected: list[str]) -> None:
    recognizer = CountryRecognizer()
    assert [text[s.start : s.end] for s in recognizer.analyze(text)] == expected


def span(text: str, value: str, entity_type: str, score: float = 0.7) -> PiiSpan:
    start = text.index(value)
    return PiiSpan(entity_type, start, start + len(value), score, "test")


def test_linking_propagates_names_and_list_members() -> None:
    text = "Ernest Takuda sang. Later Takuda left. They had 4: Jan, Kristi, Stephen and Julie."
    found = [
        span(text, "Ernest Takuda", "PERSON"),
        span(text, "Jan", "PERSON"),
        span(text, "Stephen", "PERSON"),
        span(text, "Kristi", "LOCATION", 0.6),
    ]
    resolved = resolve_overlaps(found + link_spans(text, found))
    assert [(s.type, text[s.start : s.end]) for s in resolved] == [
        ("PERSON", "Ernest Takuda"),
        ("PERSON", "Takuda"),
        ("PERSON", "Jan"),
        ("PERSON", "Kristi"),
        ("PERSON", "Stephen"),
        ("PERSON", "Julie"),
    ]


def test_linking_names_the_addressee_of_an_address_block() -> None:
    text = "> Jane Roe\n> Acme Ltd.\n> 73 Wilgenblik 87\n> Soest"
    address = span(text, "73 Wilgenblik 87\n> Soest", "STREET_ADDRESS", 0.8)
    extra = link_spans(text, [address])
    assert [(s.type, text[s.start : s.end]) for s in extra] == [("PERSON", "Jane Roe")]


def test_resolution_prefers_score_then_length() -> None:
    text = "12 Elm Street, Springfield"
    spans = [span(text, "Springfield", "LOCATION", 0.6), span(text, text, "STREET_ADDRESS", 0.8)]
    assert resolve_overlaps(spans) == [spans[1]]
    assert resolve_overlaps(spans, min_score=0.9) == []


def test_normalized_values_ignore_formatting_but_not_content() -> None:
    assert normalize_value("PHONE_NUMBER", "+1 (415) 555-2671") == normalize_value(
        "PHONE_NUMBER", "+1 415 555 2671"
    )
    assert normalize_value("PERSON", "Jane  ROE") == normalize_value("PERSON", "jane roe")
    assert normalize_value("PERSON", "Jane Roe") != normalize_value("PERSON", "Jane Doe")
