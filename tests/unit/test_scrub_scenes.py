"""People of an everyday scene (issue 14, session 7): transcripts, co-actors of a private person, "X just has...".

Each row is a class the scrubber kept before: the speakers of a transcript labelled with names, a lone name acting
with a private person or on their contact details in the same sentence, and a first name as the subject of an
adverb and a verb. The opposite error is checked beside them: labels that name no one, and public figures with a
private person in a paragraph about a public role. The texts are written for this file (real spaCy model).
"""

from __future__ import annotations

import pytest

from prefloop.curator.scrub import Scrubber


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return Scrubber()


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # the speakers of a transcript whose labels are names
        ('Tovah: "Are you coming tonight?"\nMelinda: "Only if Brisk comes too."', ["Tovah", "Melinda"]),
        ("Dessa: can you send me the file\nRoger: sure, give me a minute\nDessa: thanks", ["Dessa", "Roger"]),
        # a lone name acting with a private person, or on their contact details, in the same sentence
        ('Ingeborg yelled at Becky: "Stop that!"', ["Ingeborg", "Becky"]),
        ("Margit had given Teodor her address: 41 Quarry Road, Dunmore.", ["Margit", "Teodor"]),
        # a first name as the subject of an adverb and a verb
        ("The list is long, but Georgina just has to pick one.", ["Georgina"]),
    ],
)
def test_the_people_of_an_everyday_scene_are_masked(scrubber: Scrubber, text: str, masked: list[str]) -> None:
    scrubbed = scrubber.scrub_text(text).text
    for name in masked:
        assert name not in scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "Pro: it is cheap.\nCon: it breaks often.",
        "Input: a list of numbers\nOutput: the sorted list\nNote: keep it stable",
        "Q: What is 2 + 2?\nA: 4",
        "Question: who wrote Hamlet?\nAnswer: Shakespeare wrote it around 1600.",
    ],
)
def test_labels_that_name_no_one_make_no_transcript(scrubber: Scrubber, text: str) -> None:
    assert scrubber.scrub_text(text).text == text


def test_a_public_figure_beside_a_private_person_in_a_public_paragraph_stays(scrubber: Scrubber) -> None:
    text = "My friend Anna met Obama when he won the election in 2008."
    scrubbed = scrubber.scrub_text(text).text
    assert "Anna" not in scrubbed
    assert "Obama" in scrubbed


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Orla spent 1998 as the assistant to Marta Kowalczyk at a bakery in town.", "Marta Kowalczyk"),
        ("In 2015 the patient Ilse Brandauer was moved to another ward.", "Ilse Brandauer"),
    ],
)
def test_a_year_does_not_outweigh_a_private_role(scrubber: Scrubber, text: str, masked: str) -> None:
    assert masked not in scrubber.scrub_text(text).text


@pytest.mark.parametrize(
    "text",
    [
        "Stephen Hawking showed in 1974 that black holes radiate, now called Hawking radiation.",
        "Named after Amerigo Vespucci, the continent appeared on a 1507 map.",
    ],
)
def test_a_year_still_outweighs_a_weak_cue(scrubber: Scrubber, text: str) -> None:
    assert scrubber.scrub_text(text).text == text
