"""Places tied to the writer or a private person by cues scrubber 2.6 did not read (issue 14, session 12).

Scrubber 2.7 masks the place someone lives near by a distance or a side ("we live ten minutes from X", "just outside
X", "on the outskirts of X"; in French, Spanish, Italian, Portuguese, Dutch and German too), a relation's home by
the possessive ("at my aunt's in X"), where a relation "is from", where the writer works, teaches, volunteers or
studies "at ... in X" and where a child goes to school, moving "down/out/up to" a place, and "Here in X" with the
writer in the sentence. Each case masked here was left verbatim by 2.6. Beside them, the opposite error: a city in
a general question ("how many people live in X", "the best area to stay in X"), a favourite place, a polity of
history, products, and a public figure asked about beside the writer's relation stay as they are. The texts are
written for this file; none comes from an evaluation set or from ``benchmarks/data/pii_dev/``.
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
    ("text", "place"),
    [
        # a distance or a side after a verb of living
        ("We live about fifteen minutes from Tewkesbury and the nearest dentist is full.", "Tewkesbury"),
        ("I live just outside Sleaford, is a heat pump worth it in an old farmhouse?", "Sleaford"),
        ("i live 5 mins from oswestry and want a cheap gym", "oswestry"),
        # a relation's home by the possessive; where a relation is from
        ("The children are at their nan's near Bude until Friday.", "Bude"),
        ("My husband is from Sligo and I'd like to cook something from home for him.", "Sligo"),
        # where the writer works, teaches, volunteers, studies; where a child goes to school
        (
            "I volunteer at the hospice in Chipping Sodbury on Tuesdays; how do I run a reading group?",
            "Sodbury",
        ),
        ("Our daughter goes to school in Wantage and the uniform shop is always sold out.", "Wantage"),
        # moving down/out to a place, here in a place with the writer
        ("Since moving out to Cockermouth I drive two hours a day.", "Cockermouth"),
        ("Here in Kirkwall the ferries get cancelled all winter, how do I plan my shopping?", "Kirkwall"),
        # the same cues in the other languages of the evaluation locales
        ("J'habite à une dizaine de minutes de Lannion, quel forfait mobile me conseilles-tu ?", "Lannion"),
        ("Wij wonen in de buurt van Deventer en zoeken een huisarts.", "Deventer"),
        ("Ich wohne in der Nähe von Hameln und suche einen Zahnarzt.", "Hameln"),
        ("Mis abuelos viven a las afueras de Zamora y ya no conducen.", "Zamora"),
    ],
)
def test_a_place_tied_to_the_writer_or_a_relation_is_masked(
    scrub: Callable[[str], str], text: str, place: str
) -> None:
    assert place not in scrub(text)


@pytest.mark.parametrize(
    "text",
    [
        # a city in a general question
        "Madrid is the capital of Spain, but how many people actually live in Madrid?",
        "What is the nicest area to stay in Porto for a weekend?",
        "Is it true that most residents live within an hour of Oslo?",
        "Combien d'habitants vivent à Lyon aujourd'hui ?",
        "Wie weit ist Hameln von Hannover entfernt?",
        # a favourite place, a polity of history
        "My favourite square in Seville is the Plaza de España. What else should I see?",
        "My teacher told us Constantinople was the capital of the Byzantine empire. Is that right?",
        # products and a public figure asked about beside the writer's relation
        "My brother can't decide between a Renault Clio and a Peugeot 208, which is cheaper to run?",
        "Mon frère hésite entre une Renault Clio ou une Peugeot 208, laquelle consomme le moins ?",
        "Tell me about Angela Merkel and what my teacher should know before our class debate.",
        # work in software, not in a place
        "I work in Excel all day and want to learn Python.",
    ],
)
def test_public_places_products_and_figures_stay(scrub: Callable[[str], str], text: str) -> None:
    assert scrub(text) == text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Tell me about Angela Merkel and what my teacher should know.", "Angela Merkel"),
        ("Who was Clement Attlee? My grandson has a school project on him.", "Clement Attlee"),
    ],
)
def test_a_request_about_a_public_figure_beside_a_relation_keeps_the_name(
    scrub: Callable[[str], str], text: str, name: str
) -> None:
    assert name in scrub(text)


def test_a_place_ends_before_a_day_of_the_week(scrub: Callable[[str], str]) -> None:
    scrubbed = scrub("I volunteer at the hospice in Chipping Sodbury on Tuesdays and Fridays.")
    assert "Sodbury" not in scrubbed and scrubbed.endswith(" on Tuesdays and Fridays.")


def test_a_request_about_someone_still_masks_a_name_with_evidence_of_its_own(
    scrub: Callable[[str], str],
) -> None:
    scrubbed = scrub("Tell me about Rosalind Pettifer, my new manager, before I meet her.")
    assert "Rosalind" not in scrubbed and "Pettifer" not in scrubbed


_GENERIC = ["people", "most residents", "the locals", "everyone"]
_TOWNS = ["Tewkesbury", "Sleaford", "Malton", "Wantage", "Bude"]


@settings(max_examples=40, deadline=None)
@given(
    generic=st.sampled_from(_GENERIC),
    town=st.sampled_from(_TOWNS),
    verb=st.sampled_from(["live", "stay", "live just outside", "live ten minutes from"]),
)
def test_the_boundary_between_the_writer_and_people_at_large(
    scrub: Callable[[str], str], generic: str, town: str, verb: str
) -> None:
    """The same cue with the same town: general when people at large do it, private when the writer does."""
    preposition = "" if verb.endswith(("outside", "from")) else " in"
    general = f"How many {generic} {verb}{preposition} {town} these days?"
    own = f"We {verb}{preposition} {town} these days and the buses are awful."
    assert town in scrub(general)
    assert town not in scrub(own)
