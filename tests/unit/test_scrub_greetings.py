"""A greeting is no person (issue 14): "Hi, I am Jane Doe" kept its "Hi" only when no private name followed.

With a private name in the sentence, a capitalised word the model proposed as a person and that stands before a
verb was masked as the name's co-actor — the greeting opening the message included ("[PERSON_1], I am [PERSON_2]").
English greetings are interjections like "Hey" and "Oh" were: never a name alone. The name itself stays masked.
The texts are written for this file (real spaCy model).
"""

from __future__ import annotations

import pytest

from prefloop.curator.scrub import Scrubber


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return Scrubber()


@pytest.mark.parametrize(
    ("text", "greeting", "name"),
    [
        ("Hi, I am Jane Doe from Leeds and I need help with a cover letter.", "Hi,", "Doe"),
        ("Hello, I am Tomasz Klimek, can you check my CV?", "Hello,", "Klimek"),
        ("Hiya, Marguerite Olawale asked me to forward this.", "Hiya,", "Olawale"),
        ("Howdy, I'm Bartholomew Achterberg and my landlord keeps my deposit.", "Howdy,", "Achterberg"),
    ],
)
def test_the_greeting_stays_and_the_name_goes(
    scrubber: Scrubber, text: str, greeting: str, name: str
) -> None:
    out = scrubber.scrub_text(text).text
    assert out.startswith(greeting), out
    assert name not in out


def test_a_greeting_with_no_private_name_is_untouched(scrubber: Scrubber) -> None:
    text = "Hi, how do I sort a list of tuples by the second item?"
    assert scrubber.scrub_text(text).text == text
