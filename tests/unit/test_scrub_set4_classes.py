"""The classes of set 4's misses (issue 14, session 13; set 4 retired to development data that session).

Scrubber 2.8 keeps an address's postcode and town after a closing bracket, an in-line separator or a floor/side
part ("2.º dcha.", "3. OG links", "2e étage", "bl. B2, sc. 3"), and house numbers such as "7/B" and "12-bis"; reads
relations and the places of living and moving in Swedish, Danish, Norwegian, Polish, Czech, Catalan, Romanian and
Russian chat, and the second place of a move "from X to Y" in every language it reads; masks dates of birth after
the past tense of being born and the born-words its precheck used to skip ("nato il", "nasceu em", "nació el"); an
address given as a house's name and its village after "my address is"; a place whose name opens with a capitalised
function word ("Much Hadham"). Beside them, the opposite errors it no longer makes: a capitalised function word of
another language or a relation with its possessive ("Mein Bruder", "Il medico di base") proposed as a person, a
noun after a German contracted article ("im Sommer"), a name inside a noun phrase ("a Hello Kitty cake"), a model
proposal running over lower-case words ("Je m'appelle Margaux et j'hésite entre"). Each positive case here was
left (at least partly) visible by 2.7, each opposite case changed by it. The texts are written for this file;
none comes from an evaluation set or from ``benchmarks/data/pii_dev/``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prefloop.curator.scrub import Scrubber


@pytest.fixture(scope="module")
def scrub() -> Callable[[str], str]:
    """The scrubbed form of a text (one scrubber for the module: its model loads once)."""
    scrubber = Scrubber()
    return lambda text: scrubber.scrub_text(text).text


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        # the postcode and town after a closing bracket or an in-line separator
        ("Send it to my aunt (14 Copse Road, Flat 1, Frome BA11 4DD) by Tuesday.", ["Frome", "BA11"]),
        ("Ada Quist · 5 Harbour Row, Whitby YO21 3PU · 07700 900 311", ["Whitby", "YO21"]),
        # a floor or side part between the street and the postcode
        ("Mi piso está en Calle Luna 3, 2.º dcha., 28004 Madrid y hay humedad.", ["dcha", "28004"]),
        ("Wohnung: Bergstraße 12, 2. OG links, 01069 Dresden. Bitte prüfen.", ["links", "01069"]),
        ("J'habite au 4 rue Colbert, 3e étage, 37000 Tours depuis mai.", ["étage", "37000"]),
        ("Adresa mea: Str. Lungă nr. 4, bl. B2, sc. 3, ap. 7, Iași 700001", ["B2", "700001"]),
        # house numbers with a letter or a suffix after a slash or hyphen
        ("Abito in Via Roma 7/B, 20121 Milano da due anni.", ["20121"]),
        ("Ons adres is Keizersgracht 12-bis, 1015 CS Amsterdam.", ["Keizersgracht", "1015"]),
        # an address with no number or street word
        ("My address is Ivy Cottage, Much Wenlock if you need it for the form.", ["Ivy Cottage", "Wenlock"]),
        # a place whose name opens with a capitalised function word
        ("I volunteer at a charity shop in Much Hadham on Saturdays.", ["Hadham"]),
    ],
)
def test_address_parts_are_masked(scrub: Callable[[str], str], text: str, hidden: list[str]) -> None:
    out = scrub(text)
    assert all(part not in out for part in hidden), out


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("Min moster Birgitta bor i Falun och fyller 70 i maj.", ["Birgitta", "Falun"]),
        ("Min bror Rasmus bor i Herning og vil have en cykel.", ["Rasmus", "Herning"]),
        ("Kusina mi Solveig bor i Molde og skal gifte seg.", ["Solveig", "Molde"]),
        ("Moja ciocia Halina mieszka w Tarnowie i ma urodziny.", ["Halina", "Tarnowie"]),
        ("Můj bratr Jakub bydlí v Kolíně a hledá práci.", ["Jakub", "Kolíně"]),
        ("El meu avi Pere viu a Vic i fa 90 anys.", ["Pere", "Vic"]),
        ("Sora mea Elena locuiește în Arad și vrea un câine.", ["Elena", "Arad"]),
        ("Моя сестра Ольга живёт в Калуге и ищет квартиру.", ["Ольга", "Калуге"]),
        # both places of a move
        ("Wir ziehen im Frühjahr von Gotha nach Jena, weil ich dort arbeite.", ["Gotha", "Jena"]),
        ("Ik verhuis van Deventer naar Almelo en zoek een huisarts.", ["Deventer", "Almelo"]),
        ("Mi trasferisco da Lecco a Varese per lavoro.", ["Lecco", "Varese"]),
        ("Przeprowadzam się z Radomia do Płocka w marcu.", ["Radomia", "Płocka"]),
    ],
)
def test_people_and_places_in_more_languages(
    scrub: Callable[[str], str], text: str, hidden: list[str]
) -> None:
    out = scrub(text)
    assert all(part not in out for part in hidden), out


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Mio nonno è nato il 12/03/1931 e non ha la SPID.", "12/03/1931"),
        ("A minha filha nasceu em 02/09/2018 e precisa de passaporte.", "02/09/2018"),
        ("Mi abuela nació el 4 de julio de 1940 y quiere la pensión.", "4 de julio de 1940"),
        ('{"user": 4411, "birthday":"1985-11-02"}', "1985-11-02"),
    ],
)
def test_dates_of_birth_in_other_languages(scrub: Callable[[str], str], text: str, date: str) -> None:
    out = scrub(text)
    assert date not in out and "[DATE_OF_BIRTH_1]" in out, out


@pytest.mark.parametrize(
    "text",
    [
        # separators and brackets in ordinary text, no address in them
        "The talk is on the 3rd floor (Room 2) of the library · free entry.",
        "The M25 (London Orbital) is 188 km long · it opened in 1986.",
        # places in a general statement, trains, people at large
        "Der Zug fährt von Gotha nach Jena in einer Stunde.",
        "Stockholm är Sveriges huvudstad och har många museer.",
        "Dante è nato nel 1265 a Firenze.",
        # a relation with its possessive, a German noun after a contracted article, a name inside a noun phrase
        "Mein Bruder kommt im Sommer zu uns, seine Nummer ist 0171 2345678.",
        "My niece wants a Hello Kitty cake for her birthday, any ideas?",
    ],
)
def test_ordinary_words_stay(scrub: Callable[[str], str], text: str) -> None:
    out = scrub(text)
    assert "PERSON" not in out and "LOCATION" not in out and "STREET_ADDRESS" not in out, out


def test_a_model_proposal_over_lower_case_words_is_cut_to_the_name(scrub: Callable[[str], str]) -> None:
    out = scrub("Je m'appelle Margaux et j'hésite entre une Renault Clio et une Peugeot 208.")
    assert out.startswith("Je m'appelle [PERSON_1] et j'hésite entre une Renault Clio"), out


def test_function_words_of_a_medical_text_stay(scrub: Callable[[str], str]) -> None:
    out = scrub(
        "Mia madre, Rosaria Galli, nata il 17/08/1949, prende il Coumadin. Il medico di base, il dott. Ferri, "
        "dice di aspettare."
    )
    assert (
        out.startswith("Mia madre, [PERSON_1]") and "Il medico di base" in out and "17/08/1949" not in out
    ), out


_TOWNS = st.sampled_from(["Lecco", "Varese", "Gotha", "Zwolle", "Almelo", "Deventer", "Falun", "Molde"])


@settings(max_examples=25, deadline=None)
@given(first=_TOWNS, second=_TOWNS)
def test_a_move_hides_both_places_and_a_timetable_none(
    scrub: Callable[[str], str], first: str, second: str
) -> None:
    """The same two towns: both hidden when the writer moves between them, both kept in a timetable."""
    if first == second:
        return
    moved = scrub(f"Ik verhuis van {first} naar {second} in juni.")
    assert first not in moved and second not in moved, moved
    timetable = f"De trein rijdt van {first} naar {second} in twee uur."
    assert scrub(timetable) == timetable
