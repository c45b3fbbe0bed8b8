"""A long text of many names and no sentence break (one user message can be one) must cost the scrubber work in
proportion to its length: the policy asked about each name's sentence once per name, and each question walked the
whole sentence, so 15 KB of names took minutes and 100 KB hours — the curator stalled on one pair."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prefloop.curator.scrub.engine import Scrubber


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    scrubber = Scrubber()
    scrubber.scrub_text("Jane Doe lives at 12 Elm Street")  # loads the model and the lists
    return scrubber


@contextmanager
def _python_calls() -> Iterator[list[int]]:
    """Python frames entered (calls and generator steps): a measure of work that does not depend on the machine."""
    count = [0]

    def profile(frame: object, event: str, arg: object) -> None:
        if event == "call":
            count[0] += 1

    sys.setprofile(profile)
    try:
        yield count
    finally:
        sys.setprofile(None)


@pytest.mark.parametrize(
    "sentence",
    [
        "Jane met Tom and Anna called Maria,",  # given names, verbs between them: every one a private person
        "Mein Bruder Hello Kitty van Jena naar",  # capitalised words of several languages
    ],
)
def test_work_grows_with_the_length_of_a_text_of_names_not_faster(scrubber: Scrubber, sentence: str) -> None:
    work = []
    for repeats in (40, 160):
        text = " ".join([sentence] * repeats)
        with _python_calls() as calls:
            result = scrubber.scrub_text(text)
        work.append(calls[0])
        assert "Maria" not in result.text or "Kitty" in sentence
    # four times the text: about four times the work (the old policy: 16 to 64 times)
    assert work[1] < 6 * work[0], work


@given(
    st.lists(
        st.sampled_from(
            [
                "every",
                "Every",
                "the",
                "a",
                "an",
                "no",
                "its",
                "ever",
                "y",
                "x",
                " ",
                "\t",
                "\n",
                ".",
                "-",
                "’",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_a_greeting_s_determiner_is_looked_for_near_the_greeting_with_the_same_answer(text: str) -> None:
    """The check behind "a Hello Kitty cake" searched the text from its start for each greeting (a pass over a long
    text per greeting); searched from the determiner's longest reach, it answers the same at every position."""
    from prefloop.curator.scrub.recognizers.cues import _INSIDE_PHRASE, _after_determiner

    for position in range(len(text) + 1):
        assert _after_determiner(text, position) == bool(_INSIDE_PHRASE.search(text, 0, position)), position
