"""A person who deals with the writer (issue 14, session 8): "X and I", "I still owe X", "X never paid me back".

Owing, lending, texting, covering a shift, driving someone home: people have such dealings with people they
know, not with public figures, so a full name or surname in such a sentence is private even when nothing else in
the text is. The opposite error is checked beside it: admiring, reading, quoting or asking about a public figure
is no dealing, and a public-role paragraph still keeps its people. The texts are written for this file (real spaCy
model).
"""

from __future__ import annotations

import pytest

from prefloop.curator.scrub import Scrubber


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return Scrubber()


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Gregor Lindahl and I are splitting the petrol money, how do we work out the share?", "Lindahl"),
        ("I still owe Patrice Okonjo forty euros from the trip.", "Okonjo"),
        ("Wilhelmina Stroud never paid me back for the concert tickets, what should I say?", "Stroud"),
        ("We lent Dorota Jankowiak our van last week and it came back scratched.", "Jankowiak"),
        ("Can you suggest a reply? Benedikt Auer texted me at 2am again.", "Auer"),
        ("Me and Rosalind Achterberg are driving to the coast on Sunday.", "Achterberg"),
        # an acquaintance named by where they are from (a department, next door, the gym), not by an organisation
        ("Ottoline Graves from accounts wants the receipts by noon.", "Graves"),
    ],
)
def test_a_person_dealing_with_the_writer_is_masked(scrubber: Scrubber, text: str, name: str) -> None:
    assert name not in scrubber.scrub_text(text).text


@pytest.mark.parametrize(
    "text",
    [
        "I really admire Marie Curie, what should I read about her?",
        "I loved Haruki Murakami's last novel. Which one should I read next?",
        "What would Isaac Newton tell us about modern physics?",
        "Tim Cook from Apple presented the new phone.",
        "My favourite is Dolly Parton and I listen to her every day.",
        "Abraham Lincoln freed the slaves and led us through the Civil War, my teacher said.",
    ],
)
def test_reading_admiring_or_asking_about_a_public_figure_is_no_dealing(
    scrubber: Scrubber, text: str
) -> None:
    assert scrubber.scrub_text(text).text == text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a relation before or after the name, with a modifier, for family by marriage and people one hires
        ("Our new childminder Elowen Prys starts on Monday.", "Prys"),
        ("My sister-in-law Hedda will pick up the kids.", "Hedda"),
        ("Quintus Albery, my physiotherapist, wants me to rest.", "Albery"),
        # the senders of a pasted messenger export
        (
            "summarise please\n[02/05/2026, 09:12] Orla Kinsella: running late\n"
            "[02/05/2026, 09:14] Bertil Frykman: no worries",
            "Kinsella",
        ),
        ("12.03.26, 21:05 - Fenna Roos: wie komt er?\n12.03.26, 21:07 - Ilse Brands: ik!", "Roos"),
        # greetings of other languages
        ("Übersetze bitte: Liebe Gudrun, danke für alles!", "Gudrun"),
        ("Translate: Cześć Bożena, do zobaczenia jutro.", "Bożena"),
    ],
)
def test_people_named_by_their_relation_export_line_or_greeting_are_masked(
    scrubber: Scrubber, text: str, name: str
) -> None:
    assert name not in scrubber.scrub_text(text).text


@pytest.mark.parametrize(
    "text",
    [
        "[10:02] Server: started\n[10:03] Server: ready",
        "Hola Mundo: the first program in Spanish courses prints a greeting.",
        "My date of birth is missing from the form, who should I ask?",
    ],
)
def test_no_one_is_named_by_a_log_a_greeting_to_the_world_or_a_date(scrubber: Scrubber, text: str) -> None:
    assert scrubber.scrub_text(text).text == text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # in a text typed all in lower case, a known first name after a verb of contacting, with its surname
        ("pls tell gwendolyn the dinner is moved to 8", "gwendolyn"),
        ("can u ask rosalind achterberg if the van is free", "achterberg"),
        # the addressee of a personal message
        ("Write a thank-you card for Philippa Drummond, she fed our cats all summer.", "Drummond"),
    ],
)
def test_the_addressee_of_a_message_is_masked(scrubber: Scrubber, text: str, name: str) -> None:
    assert name not in scrubber.scrub_text(text).text


@pytest.mark.parametrize(
    ("text", "private", "public"),
    [
        # a public figure is used as one: fans, concerts, works by them, admired by full name
        (
            "My nephew Casimir is a huge Dolly Parton fan, which album should I get him?",
            "Casimir",
            "Dolly Parton",
        ),
        ("My aunt Henrietta wants a book by Haruki Murakami for her trip.", "Henrietta", "Haruki Murakami"),
        ("my son Ambrose is obsessed with Simone Biles, any posters?", "Ambrose", "Simone Biles"),
    ],
)
def test_a_public_figure_used_as_one_stays_beside_a_private_person(
    scrubber: Scrubber, text: str, private: str, public: str
) -> None:
    scrubbed = scrubber.scrub_text(text).text
    assert private not in scrubbed
    assert public in scrubbed
