"""Private people named by given name and surname with no cue, in chat of many languages (issue 14, session 11).

Scrubber 2.6 takes a known given name and a capitalised surname as a person when the writer speaks in the first
person of another language in the same paragraph, and a surname the lists know after a capitalised word they lack
("Femke Jansen") as a name too. Each case that is masked now was left verbatim by 2.5; beside them, the opposite
error: public figures, products and places of the same languages, and English requests about public figures, stay
as they are. The texts are written for this file; none comes from an evaluation set or from
``benchmarks/data/pii_dev/``.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prefloop.curator.scrub import Scrubber
from prefloop.curator.scrub.policy.words import WRITER_IN_OTHER_LANGUAGES


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return Scrubber()


def _scrubbed(scrubber: Scrubber, text: str) -> str:
    return scrubber.scrub_text(text).text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Ottavia Brambilla non mi risponde più da una settimana, cosa le scrivo?", "Brambilla"),
        ("Hier soir, Clotilde Garnier m'a demandé de garder son chat.", "Garnier"),
        ("Gerrit Bakker heeft mijn fiets geleend en nooit teruggebracht.", "Bakker"),
        ("Sieglinde Krämer hat mich gefragt, ob ich am Samstag helfen kann.", "Krämer"),
        ("Conheci a Rosana Teixeira no trabalho e ela me convidou para jantar, eu vou?", "Teixeira"),
        ("Ayer Remedios Castañeda y yo discutimos por el alquiler.", "Castañeda"),
        ("Agnieszka Nowak pożyczyła ode mnie 200 złotych i nie oddała.", "Nowak"),
        ("Ingrid Lindholm har inte betalat tillbaka pengarna hon lånade av mig.", "Lindholm"),
        ("Mette Kjærgaard og jeg skal flytte sammen i marts.", "Kjærgaard"),
        ("Selin Aydın ile bu hafta sonu buluşuyoruz.", "Aydın"),
        # a given name the lists lack, before a surname they know
        ("Wiebe Jansen heeft mij gisteren gebeld over de huur.", "Wiebe"),
    ],
)
def test_a_full_name_where_the_writer_speaks_in_the_first_person_is_masked(
    scrubber: Scrubber, text: str, name: str
) -> None:
    assert name not in _scrubbed(scrubber, text)


@pytest.mark.parametrize(
    "text",
    [
        # public figures in the same languages, with and without the writer
        "Quali film ha diretto Federico Fellini negli anni sessanta?",
        "Ich habe gestern ein Buch über Angela Merkel gelesen, sie war Kanzlerin bis 2021.",
        "J'adore les chansons de Édith Piaf, tu peux m'en conseiller une ?",
        "Hoeveel goals maakte Johan Cruijff voor Ajax?",
        "¿Qué novelas escribió Gabriel García Márquez?",
        "Résume-moi la carrière de Zinédine Zidane en trois phrases.",
        # places and products beside the writer
        "Ik ga volgende maand met mijn vriendin naar Utrecht en Amsterdam.",
        "Mein Bruder hat einen Tesla Model Y gekauft, und ich will jetzt auch einen.",
        # English requests about public figures: English words are no writer of another language
        "Tell me about Angela Merkel, I want to know how she became chancellor.",
        "Can you compare Lionel Messi and Cristiano Ronaldo for me?",
    ],
)
def test_public_figures_products_and_places_stay(scrubber: Scrubber, text: str) -> None:
    assert _scrubbed(scrubber, text) == text


@pytest.mark.parametrize(
    ("text", "writer"),
    [
        ("Zapomniałam o jej urodzinach.", True),
        ("Hier hat er mir geschrieben.", True),
        ("Est-ce que tu peux m'aider ?", True),
        ("Résume-moi sa carrière.", False),  # the imperative asks the assistant
        ("Tell me about my mom, a friend of mine.", False),  # English
        ("Mia and Ben met Meg on Mon.", False),  # given names and an abbreviation, capitalised
        ("The OS has a min and a max.", False),
    ],
)
def test_the_writer_in_other_languages(text: str, writer: bool) -> None:
    assert bool(WRITER_IN_OTHER_LANGUAGES.search(text)) is writer


ENGLISH_WORDS = st.sampled_from(
    "I me my we us our mine min os vi ma mes it is the a friend of tell about Ben Mia Meg Mon Nos".split()  # noqa: SIM905
)


@settings(max_examples=200, deadline=None)
@given(st.lists(ENGLISH_WORDS, min_size=1, max_size=20).map(" ".join))
def test_english_first_person_words_are_not_taken_for_another_language(text: str) -> None:
    assert WRITER_IN_OTHER_LANGUAGES.search(text) is None
