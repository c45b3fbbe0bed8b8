"""Everyday private life in chat (issue 14, session 9): the evidence a private person leaves in one line.

Each group has its opposite error beside it: public figures, their works and places, and ordinary requests stay as
they are. The texts are written for this file (real spaCy model); none comes from an evaluation set.
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
        # everyday senses of public-role words: "won't", "book a table", "a queen room", a representative of a
        # customer service, an order history; a calendar date is no year of history
        ("Rosalind won't answer my texts, what should I do?", "Rosalind"),
        ("Can you book a table for me and Theodora Quist on Friday?", "Quist"),
        ("The queen room is booked under Ingrid Halvorsen for two nights.", "Halvorsen"),
        ("The customer service representative said Gunilla Marsh will text me today.", "Marsh"),
        ("Remind Cordelia Vance about her appointment on 14 March 2027.", "Vance"),
        ("Ambrose Kettering keeps asking me about his order history.", "Kettering"),
    ],
)
def test_everyday_senses_of_public_role_words_keep_no_one_public(
    scrubber: Scrubber, text: str, name: str
) -> None:
    assert name not in scrubber.scrub_text(text).text


@pytest.mark.parametrize(
    ("text", "masked", "kept"),
    [
        # a cue-found name is outweighed only by a public-role word of its own sentence...
        ("My name is Valdis Ozola. I loved the film you suggested last week.", "Ozola", ""),
        # ...that no other name stands nearer to
        ("My name is Cordelia Fenwick and my favourite singer is Kylie Minogue.", "Fenwick", "Kylie Minogue"),
        ("Tell Theodora Quist that Barack Obama was the president I voted for.", "Quist", "Barack Obama"),
    ],
)
def test_a_public_role_word_belongs_to_its_own_sentence_and_nearest_name(
    scrubber: Scrubber, text: str, masked: str, kept: str
) -> None:
    scrubbed = scrubber.scrub_text(text).text
    assert masked not in scrubbed
    assert kept in scrubbed


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Coffee with Annelise Brandt at 10, then the dentist.", "Brandt"),
        ("Can you remind me to pick up Solveig Marsh from nursery at 4?", "Marsh"),
        ("Tamsin Achebe is my flatmate and she never cleans.", "Achebe"),
        ("Ottilie Fairbanks is coming over for dinner, any vegetarian ideas?", "Fairbanks"),
        ("Write a short poem for Ambrose Kettering, he turns 40 tomorrow.", "Kettering"),
        ("Any ideas for Gunilla Brask's baby shower?", "Brask"),
        ("Is there still a reservation for Leopold Amsel at 8?", "Amsel"),
        ("A parcel addressed to Hedwig Sauer was left at my door.", "Sauer"),
        # given names of other languages, capitalised, with a dealing of their own
        ("Oksana keeps borrowing my charger without asking.", "Oksana"),
        ("Jaroslava and I split the taxi fare, how much do I owe?", "Jaroslava"),
    ],
)
def test_a_name_in_the_writer_s_own_plans_and_occasions_is_masked(
    scrubber: Scrubber, text: str, name: str
) -> None:
    assert name not in scrubber.scrub_text(text).text


@pytest.mark.parametrize(
    "text",
    [
        "Write a poem about Emily Dickinson's garden.",
        "How did Barack Obama and Michelle Obama meet?",
        "Angela Merkel won the election in 2005 and served as chancellor.",
        "I loved the book by Ian McEwan that you recommended.",
        "Tell me about the history of Gustav Mahler's symphonies.",
        "Did the king of Norway visit Bergen in 1995?",
        "We drove to Florence and then to Siena.",
        "Can you book a table at a good sushi place in Osaka?",
    ],
)
def test_public_figures_and_ordinary_requests_stay(scrubber: Scrubber, text: str) -> None:
    assert scrubber.scrub_text(text).text == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my sister-in-law gudrun is visiting next week, what should we cook", "gudrun"),
        ("ugh bożena still owes me 40 zloty from the trip", "bożena"),
        ("coffee with itziar tomorrow, where should we go", "itziar"),
        ("i'm flying back to lisbon on friday, what should i pack", "lisbon"),
        ("my brother and i are driving from leeds to porto", "leeds"),
        ("my brother and i are driving from leeds to porto", "porto"),
    ],
)
def test_an_all_lower_case_text_gives_names_and_places_the_same_evidence(
    scrubber: Scrubber, text: str, value: str
) -> None:
    assert value not in scrubber.scrub_text(text).text


@pytest.mark.parametrize(
    "text",
    [
        "how do i cook rice with garlic and butter",
        "i'm heading to bed, goodnight",
        "what's the best way to travel to japan",
        "we're flying out to see the northern lights",
        "can you explain how the drive from the moon to mars would work",
    ],
)
def test_an_all_lower_case_ordinary_text_stays(scrubber: Scrubber, text: str) -> None:
    assert scrubber.scrub_text(text).text == text


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # the private person of the sentence travels there
        ("Oksana is flying back to Tarnów on Sunday, can you check the weather?", "Tarnów"),
        # in a text about someone's own affairs, "she" is the private person
        ("My aunt called. She is travelling to Kołobrzeg next week.", "Kołobrzeg"),
        ("Our childminder says she's moving to Wetzikon in spring.", "Wetzikon"),
        # where someone studies, works or has a home is as much theirs as where they live
        ("My daughter studies in Groningen now, can you suggest a care package?", "Groningen"),
        ("Our home in Dinan needs a new roof before winter.", "Dinan"),
    ],
)
def test_a_place_a_private_person_goes_to_is_masked(scrubber: Scrubber, text: str, place: str) -> None:
    assert place not in scrubber.scrub_text(text).text


@pytest.mark.parametrize(
    "text",
    [
        "Kevin Hart is flying to Lisbon for his show.",
        "She flew to Lisbon and gave a speech by the river, the biography says.",
        "Paris is home to the Louvre and the Musée d'Orsay.",
        "The company works in Finance and Healthcare across Europe.",
    ],
)
def test_a_public_figure_s_travels_stay(scrubber: Scrubber, text: str) -> None:
    assert scrubber.scrub_text(text).text == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # a date of birth however the date is written, with a format hint, "the ... of", a written-out month or the
        # label of another language
        ("Date of birth (DD/MM/YYYY): 03/12/1985", "03/12/1985"),
        ("She was born on the 3rd of March 1985 in a small town.", "3rd of March 1985"),
        ("DOB 1985/03/12, blood type A+", "1985/03/12"),
        ("Geburtsdatum: 12. März 1985", "12. März 1985"),
        ("fecha de nacimiento: 3 de marzo de 1985", "3 de marzo de 1985"),
        # where the writer's relations live, where someone was raised, where one's flight goes
        ("My parents in Ambleside keep asking when we visit.", "Ambleside"),
        ("I was raised in Tromsø and still miss the snow.", "Tromsø"),
        ("My flight to Bergamo leaves at six, what should I pack?", "Bergamo"),
    ],
)
def test_dates_of_birth_and_places_of_one_s_own_life_are_masked(
    scrubber: Scrubber, text: str, value: str
) -> None:
    assert value not in scrubber.scrub_text(text).text


@pytest.mark.parametrize(
    "text",
    [
        "The album was released on 12 March 2020.",
        "NATO was founded on 4 April 1949 in Washington.",
        "The train to Hogwarts leaves from King's Cross.",
        "The flight to Tokyo takes about twelve hours from London.",
    ],
)
def test_other_dates_and_public_routes_stay(scrubber: Scrubber, text: str) -> None:
    assert scrubber.scrub_text(text).text == text
