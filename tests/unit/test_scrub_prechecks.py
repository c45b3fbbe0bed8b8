"""The cheaper searches of session 11 answer exactly as the case-insensitive patterns they stand for."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prefloop.curator.scrub.recognizers import street_lines as lines
from prefloop.curator.scrub.recognizers.base import CaseFreePrecheck, ascii_lowered
from prefloop.curator.scrub.recognizers.cues import PersonCueRecognizer
from prefloop.curator.scrub.recognizers.place_cues import LocationCueRecognizer
from prefloop.curator.scrub.recognizers.secrets import SecretsRecognizer

PRECHECKS = {
    "person_cue": PersonCueRecognizer.PRECHECK,
    "secrets": SecretsRecognizer.PRECHECK,
    "location_cue": LocationCueRecognizer.PRECHECK,
}

# pieces the patterns key on, in several cases, and the characters case folding treats specially
PIECES = [
    "Mr", "MRS", "dr.", "Name", "I'M", "this is", "Dear", "HI", "hello", "Regards", "Best", "key", "TOKEN",
    "Pass", "AKIA", "sk-", "eyJhbGciOi", "://", "Bearer", "live", "Moving", "born", "Trip", "home", "City",
    "12", "221B", "Baker", "Street", "st", "Ave", "Rue", "de", "la", "Paix", "Hauptstraße", "5", "PO Box 7",
    "Apt 4", "London", "SW1A 1AA", "Unit 3105 Box 5", "APO AE 09012", "USS", "Nimitz", "\n", "\n\n", ", ", " ",
    ": ", "—", "<", "@", "x.com", "Anna", "O'Neil", "van", "İ", "ı", "ſ", "K", "é", "ß", "Straße", "ÖSTERSKÄR",
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@pytest.mark.parametrize("name", sorted(PRECHECKS))
def test_each_costly_precheck_is_rewritten(name: str) -> None:
    assert CaseFreePrecheck(PRECHECKS[name]).lowered is not None
    assert lines._STREET_LINE_LOWERED is not None


@pytest.mark.parametrize("name", sorted(PRECHECKS))
@settings(max_examples=300, deadline=None)
@given(text=texts)
def test_precheck_answers_as_the_pattern(name: str, text: str) -> None:
    pattern = PRECHECKS[name]
    assert CaseFreePrecheck(pattern)(text) == (pattern.search(text) is not None)
    assert CaseFreePrecheck(pattern)(text.upper()) == (pattern.search(text.upper()) is not None)


def _street_lines_before(text: str) -> list[tuple[int, int, str | None]]:
    """2.5's search: the case-insensitive pattern at every start inside the windows."""
    found = []
    for window_start, window_end in lines._windows(text):
        position = window_start
        while match := lines._STREET_LINE.search(text, position, window_end):
            found.append((match.start(), match.end(), match.lastgroup))
            position = match.start() + 1
    return found


@settings(max_examples=400, deadline=None)
@given(text=texts)
def test_street_lines_are_found_as_before(text: str) -> None:
    now = [(m.start(), m.end(), m.lastgroup) for m in lines.street_lines(text) if m.re is lines._STREET_LINE]
    assert sorted(now) == sorted(_street_lines_before(text))


def test_ascii_lowered_refuses_what_it_cannot_rewrite() -> None:
    assert ascii_lowered(re.compile(r"\Wkey", re.IGNORECASE)) is None  # \w is not \W
    assert ascii_lowered(re.compile(r"(?-i:General)|key", re.IGNORECASE)) is None  # an inline flag
    assert ascii_lowered(re.compile(r"\x41", re.IGNORECASE)) is None
    assert ascii_lowered(re.compile("key")) is None  # case-sensitive: nothing to gain, nothing to change


def test_ascii_lowered_keeps_escapes_and_group_names() -> None:
    lowered = ascii_lowered(re.compile(r"(?P<Street>\d+ MAIN)\s\S?", re.IGNORECASE))
    assert lowered is None  # \S
    lowered = ascii_lowered(re.compile(r"(?P<num>\d+)[ \t]+(?P<street>MAIN|Elm)\b", re.IGNORECASE))
    assert lowered is not None
    match = lowered.search("at 12 main street".lower())
    assert match is not None and match.group("street") == "main"
